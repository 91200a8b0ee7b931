"""Test support: a private PostgreSQL cluster (through pbserver --pg-start), servers on
free ports, and a small JSON HTTP client. Standard library only."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

ADMIN_EMAIL = "admin@test.example"
ADMIN_PASSWORD = "correct horse battery staple"


class Exchange:
    """One request and the response it got, as sent and received (body bytes undecoded)."""

    __slots__ = ("method", "target", "request_headers", "request_body", "status", "headers", "body")

    def __init__(self, method, target, request_headers, request_body, status, headers, body):
        self.method = method
        self.target = target
        self.request_headers = request_headers
        self.request_body = request_body
        self.status = status
        self.headers = headers
        self.body = body


class Recorder:
    """Keeps every exchange made through Server.request, for the contract check at the end
    of a run (tests/contract/responses.py). Safe to use from many threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self.exchanges = []

    def add(self, exchange):
        with self._lock:
            self.exchanges.append(exchange)


# Set by tests/run.py; None (as for tests/bench.py) records nothing.
RECORDER = None


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    @property
    def code(self):
        try:
            return self.json["error"]["code"]
        except (TypeError, KeyError):
            return None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


class Server:
    def __init__(self, root, conninfo, data_dir, extra_env=None, preexec_fn=None):
        self.root = root
        self.log_path = os.path.join(data_dir, f"server-{os.getpid()}-{time.time_ns()}.log")
        env = dict(os.environ)
        env.update({"PB_ADMIN_EMAIL": ADMIN_EMAIL, "PB_ADMIN_PASSWORD": ADMIN_PASSWORD})
        env.update(extra_env or {})
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [os.path.join(root, "build", "pbserver"), "--port", "0", "--listen", "127.0.0.1",
             "--db", conninfo, "--data-dir", data_dir],
            stdout=subprocess.PIPE, stderr=self.log, text=True, env=env, preexec_fn=preexec_fn)
        self.port = None
        deadline = time.time() + 60
        self.banner = []
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.banner.append(line)
            m = re.search(r"listening port=(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        if not self.port:
            raise RuntimeError("server did not start:\n" + "".join(self.banner) + self.log_tail())
        # keep draining stdout so the server never blocks on a full pipe
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def log_tail(self, n=4000):
        try:
            with open(self.log_path) as f:
                return f.read()[-n:]
        except OSError:
            return ""

    def request(self, method, path, body=None, token=None, headers=None, raw=None, timeout=60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = {}
        if token:
            h["Authorization"] = f"Bearer {token}"
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            raw_body = r.read()
            if RECORDER is not None:
                RECORDER.add(Exchange(method, path, dict(h), data, r.status, r.getheaders(), raw_body))
            return Response(r.status, r.getheaders(), raw_body.decode("utf-8", "replace"))
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body if body is not None else {}, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Cluster:
    """One private PostgreSQL for the whole run, made by the server's own code."""

    def __init__(self, root):
        self.root = root
        self.data_dir = os.path.join(root, "var", "test")
        self.conninfo = None
        self.servers = []

    def pbserver(self, *args):
        return subprocess.run([os.path.join(self.root, "build", "pbserver"), "--data-dir", self.data_dir, *args],
                              capture_output=True, text=True)

    def start(self):
        self.pbserver("--pg-stop")  # a cluster left by an interrupted run
        shutil.rmtree(self.data_dir, ignore_errors=True)
        os.makedirs(self.data_dir, exist_ok=True)
        r = self.pbserver("--pg-start")
        m = re.search(r"conninfo=(.*)", r.stdout)
        if r.returncode != 0 or not m:
            raise RuntimeError("cannot start PostgreSQL:\n" + r.stdout + r.stderr)
        self.conninfo = m.group(1).strip()

    def server(self, extra_env=None, preexec_fn=None):
        s = Server(self.root, self.conninfo, self.data_dir, extra_env, preexec_fn)
        self.servers.append(s)
        return s

    def psql(self, sql, *params, db=None):
        """Runs SQL as the database owner (for tests that look inside the database), in the
        server's database or in db."""
        host = re.search(r"host=(\S+)", self.conninfo).group(1)
        db = db or re.search(r"dbname=(\S+)", self.conninfo).group(1)
        user = re.search(r"user=(\S+)", self.conninfo).group(1)
        r = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-h", host, "-U", user, "-d", db, "-c", sql],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(r.stderr)
        return r.stdout.strip()

    def stop_all(self, keep_cluster=False):
        for s in self.servers:
            s.kill()
        if not keep_cluster:
            self.pbserver("--pg-stop")


class Context:
    """What API tests share: the cluster, the main server, and helpers to set elections up."""

    def __init__(self, env, server):
        self.env = env
        self.server = server
        self._admin = None
        self.counter = 0

    def unique(self, prefix="e"):
        self.counter += 1
        return f"{prefix}-{os.getpid()}-{self.counter}-{time.time_ns() % 100000}"

    def admin_token(self):
        if not self._admin:
            r = self.server.post("/api/v1/staff/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
            assert r.status == 200, r
            self._admin = r.json["token"]
        return self._admin

    def election(self, ballot=None, rule="greedy", districts=((100000, "Nord"),), proposals=None, phase="voting",
                 codes=0, **extra):
        """Creates an election with districts and accepted proposals. proposals: list of
        (district index, cost). Returns a dict with ids, codes and the admin token."""
        s, t = self.server, self.admin_token()
        body = {"slug": self.unique(), "title": {"da": "Test", "en": "Test"}, "currency": "DKK",
                "ballot": ballot or {"type": "approval"}, "rule": rule}
        body.update(extra)
        r = s.post("/api/v1/elections", body, token=t)
        assert r.status == 201, r
        e = {"id": r.json["id"], "token": t, "districts": [], "proposals": [], "codes": {}}
        for budget, name in districts:
            r = s.post(f"/api/v1/elections/{e['id']}/districts", {"name": {"da": name, "en": name}, "budget": budget},
                       token=t)
            assert r.status == 201, r
            e["districts"].append(r.json["id"])
        for i, (d, cost) in enumerate(proposals or []):
            r = s.post(f"/api/v1/elections/{e['id']}/proposals",
                       {"district_id": e["districts"][d], "title": {"da": f"P{i}", "en": f"P{i}"}, "cost": cost},
                       token=t)
            assert r.status == 201, r
            e["proposals"].append(r.json["id"])
        if phase:
            r = s.post(f"/api/v1/elections/{e['id']}/phase", {"phase": phase}, token=t)
            assert r.status == 200, r
        if codes:
            for d in e["districts"]:
                r = s.post(f"/api/v1/elections/{e['id']}/codes", {"district_id": d, "count": codes}, token=t)
                assert r.status == 201, r
                e["codes"][d] = r.json["codes"]
        return e

    def voter(self, election_id, code):
        r = self.server.post(f"/api/v1/elections/{election_id}/voter-sessions", {"method": "code", "code": code})
        assert r.status in (200, 201), r
        return r.json["token"]
