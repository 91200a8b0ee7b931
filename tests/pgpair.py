"""A PostgreSQL primary with streaming standbys on this machine, for the failover test and
the bench: initdb, pg_basebackup, PostgreSQL's own streaming replication, Unix sockets
only (each node its own socket directory and port under one temporary directory), run as
the postgres user when we are root. Each node's postmaster leads its own process group,
so kill() takes the whole node down at once with SIGKILL, as when its machine dies.
Standard library only."""
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

DB = "borgerbudget"
USER = "borgerbudget"


def _bindir():
    env = os.environ.get("PG_BINDIR")
    if env:
        return env
    return subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()


class Node:
    def __init__(self, pair, name, port):
        self.pair, self.name, self.port = pair, name, port
        self.base = os.path.join(pair.dir, name)
        self.data = os.path.join(self.base, "data")
        self.sock = os.path.join(self.base, "run")
        self.log_path = os.path.join(self.base, "postgres.log")
        self.proc = None
        for d in (self.base, self.sock):
            os.makedirs(d, exist_ok=True)
            pair.own(d)

    def conninfo(self, db=DB):
        return f"host={self.sock} port={self.port} dbname={db} user={USER}"

    def start(self, *settings):
        args = [os.path.join(self.pair.bindir, "postgres"), "-D", self.data, "-c", "listen_addresses=",
                "-c", f"unix_socket_directories={self.sock}", "-c", f"port={self.port}",
                "-c", "max_connections=100", "-c", "shared_buffers=64MB", "-c", "wal_sender_timeout=5s",
                "-c", "wal_receiver_status_interval=1s"]
        for s in settings:
            args += ["-c", s]
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     preexec_fn=self.pair.as_postgres, start_new_session=True)
        log.close()
        self.wait_ready()

    def wait_ready(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
            r = subprocess.run([os.path.join(self.pair.bindir, "pg_isready"), "-q", "-h", self.sock, "-p",
                                str(self.port)], capture_output=True)
            if r.returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start:\n{self.log_tail()}")

    def log_tail(self, n=3000):
        try:
            with open(self.log_path) as f:
                return f.read()[-n:]
        except OSError:
            return ""

    def psql(self, sql, db=DB):
        r = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-h", self.sock, "-p", str(self.port), "-U", USER, "-d",
                            db, "-c", sql], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{self.name}: {r.stderr}")
        return r.stdout.strip()

    def kill(self):
        """SIGKILL to the postmaster and every backend: the node is gone as with its machine."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None

    def promote(self):
        r = self.pair.run("pg_ctl", "promote", "-D", self.data, "-w", "-t", "60")
        if r.returncode != 0:
            raise RuntimeError(f"promote {self.name}: {r.stdout}{r.stderr}")

    def pg_ctl(self, *args):
        return self.pair.run("pg_ctl", *args, "-D", self.data)


class Pair:
    """A primary and its standbys. sync_standby: the application name the primary waits for
    (synchronous_standby_names), or None for asynchronous replication only."""

    def __init__(self, port=55432):
        self.bindir = _bindir()
        self.user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        self.dir = tempfile.mkdtemp(prefix="pbha-", dir="/tmp")  # socket paths stay short
        os.chmod(self.dir, 0o755)
        self.port = port
        self.primary = None
        self.standbys = []

    def own(self, path):
        if self.user:
            os.chown(path, self.user.pw_uid, self.user.pw_gid)
        os.chmod(path, 0o700)

    def as_postgres(self):
        if self.user:
            os.setgid(self.user.pw_gid)
            os.initgroups(self.user.pw_name, self.user.pw_gid)
            os.setuid(self.user.pw_uid)

    def run(self, tool, *args):
        return subprocess.run([os.path.join(self.bindir, tool), *args], capture_output=True, text=True,
                              preexec_fn=self.as_postgres, stdin=subprocess.DEVNULL)

    def start_primary(self):
        self.primary = Node(self, "primary", self.port)
        r = self.run("initdb", "-D", self.primary.data, "-U", USER, "--auth=trust", "-E", "UTF8", "--no-locale",
                     "--no-instructions", "--no-sync")
        if r.returncode != 0:
            raise RuntimeError("initdb: " + r.stdout + r.stderr)
        self.primary.start()
        self.primary.psql(f"CREATE DATABASE {DB}", db="postgres")
        return self.primary

    def add_standby(self, name):
        """A hot standby streaming from the primary as application_name=name; it waits for
        no standby of its own, so once promoted it accepts writes alone."""
        node = Node(self, name, self.port + 1 + len(self.standbys))
        r = self.run("pg_basebackup", "-D", node.data, "-h", self.primary.sock, "-p", str(self.primary.port), "-U",
                     USER, "-X", "stream", "-c", "fast", "-R", "--no-sync")
        if r.returncode != 0:
            raise RuntimeError("pg_basebackup: " + r.stdout + r.stderr)
        with open(os.path.join(node.data, "postgresql.auto.conf"), "a") as f:
            f.write(f"primary_conninfo = 'host={self.primary.sock} port={self.primary.port} user={USER} "
                    f"application_name={name}'\nsynchronous_standby_names = ''\n")
        node.start("hot_standby=on", "hot_standby_feedback=on")
        self.standbys.append(node)
        return node

    def set_sync(self, names, commit="on"):
        """synchronous_standby_names on the primary (names '' for none), without a restart."""
        self.primary.psql(f"ALTER SYSTEM SET synchronous_standby_names = '{names}'")
        self.primary.psql(f"ALTER SYSTEM SET synchronous_commit = '{commit}'")
        self.primary.psql("SELECT pg_reload_conf()")

    def wait_streaming(self, name, sync=True, timeout=30):
        want = "sync" if sync else "async"
        deadline = time.time() + timeout
        while time.time() < deadline:
            state = self.primary.psql(f"SELECT state || ' ' || sync_state FROM pg_stat_replication "
                                      f"WHERE application_name = '{name}'")
            if state == f"streaming {want}":
                return
            time.sleep(0.05)
        raise RuntimeError(f"{name} is not streaming ({want}): {state!r}\n{self.primary.log_tail()}")

    def conninfo(self, *nodes, read_write=True):
        hosts = ",".join(n.sock for n in nodes)
        ports = ",".join(str(n.port) for n in nodes)
        attrs = " target_session_attrs=read-write" if read_write else ""
        return f"host={hosts} port={ports} dbname={DB} user={USER} connect_timeout=2{attrs}"

    def destroy(self):
        for n in [self.primary, *self.standbys]:
            if n:
                n.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
