"""Lints docs/openapi.yaml with the tools an outside reviewer runs: Redocly CLI (its
recommended rules, configured in redocly.yaml) and Spectral (spectral:oas, configured in
.spectral.yaml). Both come pinned from tests/contract/package-lock.json (`make test` runs
npm ci there). A lint passes when the tool reports no error; warnings are counted."""
import json
import os
import subprocess

SPEC = os.path.join("docs", "openapi.yaml")


def _tool(root, name):
    path = os.path.join(root, "tests", "contract", "node_modules", ".bin", name)
    return path if os.path.exists(path) else None


def _run(root, argv):
    # No telemetry, no update check: the tools talk to nothing but the files here.
    env = dict(os.environ, REDOCLY_TELEMETRY="off", REDOCLY_SUPPRESS_UPDATE_NOTICE="true", NO_UPDATE_NOTIFIER="1")
    return subprocess.run(argv, cwd=root, capture_output=True, text=True, env=env, timeout=300)


def redocly(root):
    tool = _tool(root, "redocly")
    name = "contract: redocly lint docs/openapi.yaml"
    if not tool:
        return name, False, "tests/contract/node_modules has no redocly: run `make test` (npm ci in tests/contract)"
    p = _run(root, [tool, "lint", "--config", "redocly.yaml", "--format=json", SPEC])
    try:
        out = json.loads(p.stdout)
    except ValueError:
        return name, False, f"exit {p.returncode}\n{p.stdout[-3000:]}{p.stderr[-3000:]}"
    errors = [x for x in out.get("problems", []) if x.get("severity") == "error"]
    warnings = out.get("totals", {}).get("warnings", 0)
    detail = "\n".join(f"  {x['ruleId']}: {x['message']} at {x['location'][0].get('pointer', '')}"
                       for x in errors[:50])
    return f"{name} ({len(errors)} errors, {warnings} warnings)", not errors and p.returncode == 0, detail


def spectral(root):
    tool = _tool(root, "spectral")
    name = "contract: spectral lint docs/openapi.yaml"
    if not tool:
        return name, False, "tests/contract/node_modules has no spectral: run `make test` (npm ci in tests/contract)"
    p = _run(root, [tool, "lint", "--ruleset", ".spectral.yaml", "--format", "json", "--quiet",
                    "--fail-severity", "error", SPEC])
    try:
        out = json.loads(p.stdout) if p.stdout.strip() else []
    except ValueError:
        return name, False, f"exit {p.returncode}\n{p.stdout[-3000:]}{p.stderr[-3000:]}"
    errors = [x for x in out if x.get("severity") == 0]
    warnings = sum(1 for x in out if x.get("severity") == 1)
    detail = "\n".join(f"  {x['code']}: {x['message']} at {'.'.join(str(s) for s in x.get('path', []))}"
                       for x in errors[:50])
    if p.returncode != 0 and not errors:
        detail = f"exit {p.returncode}\n{p.stderr[-3000:]}"
    return f"{name} ({len(errors)} errors, {warnings} warnings)", not errors and p.returncode == 0, detail


def lint_all(root):
    return [redocly(root), spectral(root)]
