#!/usr/bin/env python3
"""Runs every test: the C unit tests, then the API tests against a real PostgreSQL cluster
and the real server on free ports. Prints "N passed, N failed" last and exits non-zero on
any failure. Usage: tests/run.py [-k substring] [--keep]"""
import argparse
import concurrent.futures
import json
import importlib.util
import os
import random
import shutil
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
sys.path.insert(0, os.path.join(ROOT, "tests", "contract"))
import client  # noqa: E402
from tiles import TileServer  # noqa: E402

passed = failed = skipped = 0
# The whole browser stage (node and Chromium on two shared cores): past this it is called hung.
BROWSER_LIMIT_S = 3600


def report(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}", flush=True)
    else:
        failed += 1
        print(f"FAIL {name}\n{detail}", flush=True)


def run_unit():
    global passed, failed
    proc = subprocess.run([os.path.join(ROOT, "build", "unit_tests")], capture_output=True, text=True)
    sys.stdout.write(proc.stderr)
    m = re.search(r"(\d+) passed, (\d+) failed", proc.stdout)
    if not m:
        report("unit tests", False, proc.stdout + proc.stderr)
        return
    print(f"unit tests: {m.group(0)}", flush=True)
    passed += int(m.group(1))
    failed += int(m.group(2))
    if proc.returncode != 0 and int(m.group(2)) == 0:
        report("unit tests exit code", False, f"exit {proc.returncode}")


def run_pabulib():
    """Every shared pabulib file reads; every file whose META names a rule we implement and
    that has the official "selected" column is reproduced exactly by build/pbtally."""
    global skipped
    shared = os.path.join(ROOT, "..", "shared", "pabulib")
    if not os.path.isdir(shared):
        print("skip pabulib: ../shared/pabulib not found", flush=True)
        skipped += 1
        return
    tool = os.path.join(ROOT, "build", "pbtally")
    add1_pairs = []
    for fname in sorted(os.listdir(shared)):
        if not fname.endswith(".pb"):
            continue
        path = os.path.join(shared, fname)
        meta = open(path, encoding="utf-8-sig").read(4000)
        rule = re.search(r"^rule;(.*?)\r?$", meta, re.M | re.I)
        rule = rule.group(1).strip() if rule else "unknown"
        r = subprocess.run([tool, "--rule", "greedy", "--json", path], capture_output=True, text=True)
        report(f"pabulib reads {fname}", r.returncode == 0, r.stderr[-2000:])
        if re.search(r"^vote_type;(approval|choose-1)\r?$", meta, re.M):
            add1_pairs += [(fname, path, util) for util in ("cost", "cardinality")]
        has_selected = re.search(r"^project_id;.*\bselected\b", meta, re.M) is not None
        if rule != "unknown" and has_selected:
            r = subprocess.run([tool, "--check", path], capture_output=True, text=True)
            report(f"pabulib outcome {fname} ({rule})", r.returncode == 0 and "MATCHES" in r.stdout,
                   r.stdout[-2000:] + r.stderr[-2000:])

    # the observers' outputs on real files: settings shown, --threshold, --explain, --compare
    war = os.path.join(shared, "Poland_Warszawa_2026.pb")
    wie = os.path.join(shared, "Poland_Wieliczka_2023_Green_Budget.pb")
    swi = os.path.join(shared, "Poland_Swiecie_2023.pb")
    if all(os.path.exists(x) for x in (war, wie, swi)):
        meta = subprocess.run([tool, war], capture_output=True, text=True)
        plain = subprocess.run([tool, "--rule", "greedy", war], capture_output=True, text=True)
        thr = subprocess.run([tool, "--rule", "greedy", "--threshold", "3000", war], capture_output=True, text=True)
        report("pbtally: --rule greedy applies no META threshold and says so; --threshold applies it",
               "not applied" in plain.stderr and "score threshold 3000 (META" in meta.stderr
               and thr.stdout == meta.stdout and plain.stdout != meta.stdout, plain.stderr + meta.stderr)
        js = json.loads(subprocess.run([tool, "--json", war], capture_output=True, text=True).stdout or "{}")
        report("pbtally --json names its settings", js.get("settings", {}).get("threshold_from")
               == "META min_project_score_threshold", str(js.get("settings")))
        ex = subprocess.run([tool, "--explain", wie], capture_output=True, text=True)
        report("pbtally --explain: Equal Shares rounds and price per supporter",
               "per-voter budget 315.00" in ex.stdout and "paid per supporter" in ex.stdout
               and "supporters hold" in ex.stdout, ex.stdout[-2000:] + ex.stderr)
        exg = subprocess.run([tool, "--explain", "--rule", "greedy-no-skip", swi], capture_output=True, text=True)
        report("pbtally --explain: greedy rank and budget left", "left before" in exg.stdout
               and "not reached: the count stopped (no-skip)" in exg.stdout, exg.stdout[-2000:] + exg.stderr)
        # pabulib's rule names take --completion too (equalshares alone has none), and the
        # settings line says which completion ran
        named = [subprocess.run([tool, "--json", "--rule", r, "--completion", c, swi], capture_output=True, text=True)
                 for r, c in (("equal_shares", "add1"), ("equalshares", "add1"), ("equalshares/none", "add1"))]
        bare = subprocess.run([tool, "--rule", "equalshares", swi], capture_output=True, text=True)
        budgets = [json.loads(r.stdout or "{}").get("voter_budget") for r in named]
        report("pbtally: --completion applies to pabulib's rule names; no completion is said so",
               budgets[0] and budgets == [budgets[0]] * 3 and "no completion" in bare.stderr
               and "add1 step" not in bare.stderr, str(budgets) + bare.stderr)
        # an option value it does not take, or a completion for a rule without one, is
        # refused with a message, not counted as the default
        refused = [subprocess.run([tool] + x + [swi], capture_output=True, text=True)
                   for x in (["--completion", "add2"], ["--utilities", "costs"], ["--rule", "greedy", "--completion", "add1"])]
        report("pbtally: a wrong --completion or --utilities, or a completion for greedy, is refused",
               all(r.returncode == 2 and not r.stdout and r.stderr.startswith("pbtally: ") for r in refused),
               "".join(r.stderr for r in refused))
        cmp_ = subprocess.run([tool, "--rule", "equal_shares", "--compare", swi, "--other-rule", "greedy", swi],
                              capture_output=True, text=True)
        same = subprocess.run([tool, "--compare", swi, swi], capture_output=True, text=True)
        report("pbtally --compare", cmp_.returncode == 1 and "+ c8: funded in B only" in cmp_.stdout
               and same.returncode == 0 and "the same projects are funded" in same.stdout, cmp_.stdout + same.stdout)

    # Equal Shares add1: the fast search gives what the definition gives (one run per unit
    # of per-voter budget, --unit-steps), with both utilities. The definition takes minutes
    # on Budapest 2024 (23,177 runs), so the pairs run two at a time.
    def add1_same(item):
        fname, path, util = item
        same, detail = add1_fast_equals_unit_steps(tool, path, util, "add1")
        return item, same, detail

    if os.path.exists(os.path.join(ROOT, "build", ".variant-san")):
        # under the sanitizers the definition runs for an hour on the large files: compare
        # the small ones (every path of the search is still taken), the release run does all
        big = [x for x in add1_pairs if os.path.getsize(x[1]) > 500000]
        add1_pairs = [x for x in add1_pairs if x not in big]
        print(f"skip pabulib add1 fast = unit steps on {len(big)} large file/utility pairs (sanitizer build)", flush=True)
        skipped += len(big)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for (fname, _, util), same, detail in pool.map(add1_same, add1_pairs):
            report(f"pabulib add1 fast = unit steps {fname} ({util})", same, detail)
    run_add1_generated(tool)


def add1_fast_equals_unit_steps(tool, path, util, completion):
    """Counts path with Equal Shares (the completion, the utilities) by the fast search and by
    the definition (--unit-steps): (same, detail), same when the winners, the per-voter
    budget and every price per supporter are the same."""
    args = [tool, "--json", "--rule", "equal_shares", "--completion", completion, "--utilities", util]
    fast = subprocess.run(args + [path], capture_output=True, text=True)
    ref = subprocess.run(args + ["--unit-steps", path], capture_output=True, text=True)
    if fast.returncode or ref.returncode:
        return False, fast.stderr[-500:] + ref.stderr[-500:]
    a, b = json.loads(fast.stdout), json.loads(ref.stdout)
    prices = [[x.get("price_per_supporter") for x in r["projects"]] for r in (a, b)]
    same = a["selected"] == b["selected"] and a["voter_budget"] == b["voter_budget"] and prices[0] == prices[1]
    return same, f"fast {a['selected']} at {a['voter_budget']}, unit steps {b['selected']} at {b['voter_budget']}"


def run_add1_generated(tool):
    """Equal Shares add1, the fast search against the unit steps, on elections build/pbgen
    generates at sizes between the unit tests' (a dozen projects) and the corpus: 300 to
    8,000 voters, 10 to 120 projects, both utilities, with and without the comparison step.
    Here the search's checks fail often, so what a failed check keeps (the rounds it
    proved) is used often. Winners, per-voter budget and every price per supporter must be
    the same."""
    rnd = random.Random(7)
    san = os.path.exists(os.path.join(ROOT, "build", ".variant-san"))
    count = 12 if san else 40
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for seed in range(1, count + 1):
            voters, projects = rnd.choice([300, 1000, 3000, 8000]), rnd.choice([10, 25, 60, 120])
            path = os.path.join(tmp, f"gen-{seed}-{voters}-{projects}.pb")
            with open(path, "w") as f:
                subprocess.run([os.path.join(ROOT, "build", "pbgen"), "--voters", str(voters), "--projects",
                                str(projects), "--seed", str(seed)], stdout=f, check=True)
            jobs += [(path, util, comp) for util in ("cost", "cardinality") for comp in ("add1", "add1-comparison")]

        def compare(job):
            same, detail = add1_fast_equals_unit_steps(tool, *job)
            return job, same, detail

        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(compare, jobs))
        bad = [(job, detail) for job, same, detail in results if not same]
        report(f"add1 fast = unit steps on {count} generated elections, {len(jobs)} counts (winners, budget, prices)",
               not bad,
               "\n".join(f"{os.path.basename(j[0])} {j[1]} {j[2]}: {d}" for j, d in bad[:10]))


def run_browser(env):
    """The browser tests (tests/browser/run.mjs): playwright-core driving Debian's chromium,
    against a server of their own on the same database, so that the sign-in attempts the API
    tests spend on purpose (limits per address, all from 127.0.0.1) are not counted against
    the citizens the browser plays. PB_DATA_DIR lets them read the one-time codes the file
    sender wrote (what a citizen's phone would get)."""
    global passed, failed
    node = shutil.which("node")
    chromium = shutil.which("chromium")
    mods = os.path.join(ROOT, "tests", "browser", "node_modules", "playwright-core")
    if not (node and chromium and os.path.isdir(mods)):
        report("browser tests can run (node, chromium, npm packages)", False,
               f"node={node} chromium={chromium} playwright-core installed={os.path.isdir(mods)}")
        return
    # the maps' tiles from a local tile server: the tests have no internet
    tiles = TileServer()
    server = env.server({"PB_MAP_TILES": tiles.template})
    e = dict(os.environ, PB_BASE=f"http://127.0.0.1:{server.port}", PB_ADMIN_EMAIL=client.ADMIN_EMAIL,
             PB_ADMIN_PASSWORD=client.ADMIN_PASSWORD, CHROMIUM=chromium, PB_DATA_DIR=env.data_dir,
             PB_CONNINFO=env.conninfo)  # for tests that must change the database behind the server's back
    # run.mjs (the areas/ modules), and the modules beside it that start what they need
    # themselves (oidc.mjs: an OpenID provider)
    try:
        for module in ("run.mjs", "oidc.mjs"):
            # read as the tests go, so that a run cut off by the time limit still reports
            # every test that finished
            proc = subprocess.Popen([node, os.path.join(ROOT, "tests", "browser", module)], stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, env=e)
            timer = threading.Timer(BROWSER_LIMIT_S, proc.kill)
            timer.start()
            out = []
            for line in proc.stdout:
                line = line.rstrip("\n")
                out.append(line)
                if line.startswith("ok   "):
                    report("browser: " + line[5:], True)
                elif line.startswith("FAIL "):
                    report("browser: " + line[5:], False)
                elif not re.match(r"\d+ passed, \d+ failed", line):
                    print("     " + line, flush=True)
            proc.wait()
            timed_out = not timer.is_alive()
            timer.cancel()
            if timed_out:
                report(f"browser tests ({module}) end within {BROWSER_LIMIT_S} s", False, "\n".join(out[-20:]))
            elif proc.returncode != 0 and not any(x.startswith("FAIL ") for x in out):
                report(f"browser tests ran ({module})", False, "\n".join(out[-50:]))
    finally:
        server.stop()
        tiles.stop()


def run_contract(lint_too):
    """docs/openapi.yaml as outside tools see it: both linters, then every response the API
    tests received checked against it (tests/contract)."""
    import lint
    if lint_too:
        for name, ok, detail in lint.lint_all(ROOT):
            report(name, ok, detail)
    recorded = client.RECORDER.exchanges if client.RECORDER else []
    if not recorded:
        return
    try:
        import responses  # needs python3-jsonschema (scripts/deps.sh)
        results, notes = responses.check_all(os.path.join(ROOT, "docs", "openapi.yaml"), recorded)
    except Exception:
        report("contract: responses checked against docs/openapi.yaml", False, traceback.format_exc())
        return
    for name, ok, detail in results:
        report(name, ok, detail)
    for note in notes:
        print("     " + note, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", default="", help="run only API tests whose name contains this")
    ap.add_argument("--keep", action="store_true", help="leave the cluster running")
    args = ap.parse_args()

    run_unit()
    if not args.k:
        run_pabulib()
    client.RECORDER = client.Recorder()
    env = client.Cluster(ROOT)
    try:
        env.start()
        server = env.server()
        ctx = client.Context(env, server)
        api_dir = os.path.join(ROOT, "tests", "api")
        for fname in sorted(os.listdir(api_dir)):
            if not (fname.startswith("test_") and fname.endswith(".py")):
                continue
            spec = importlib.util.spec_from_file_location(fname[:-3], os.path.join(api_dir, fname))
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            for name in [n for n in dir(mod) if n.startswith("test_")]:
                full = f"{fname[:-3]}.{name}"
                if args.k and args.k not in full:
                    continue
                try:
                    getattr(mod, name)(ctx)
                    report(full, True)
                except Exception:
                    report(full, False, traceback.format_exc())
        if not args.k or args.k == "browser":
            run_browser(env)
        run_contract(not args.k or args.k in "contract" or "contract" in args.k)
        report("server still healthy after all tests", server.get("/healthz").status == 200)
        rc = server.stop()
        report("server stops cleanly on SIGTERM", rc == 0, f"exit code {rc}\n{server.log_tail()}")
    except Exception:
        report("test environment", False, traceback.format_exc())
    finally:
        env.stop_all(keep_cluster=args.keep)
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
