"""The world outside the server, for the identity and delivery tests, all real and on
loopback: OpenID providers in node (tests/oidc: oidc-provider and a misbehaving one), an
SMTP server that keeps what it receives (Debian's python3-aiosmtpd), and an HTTPS SMS
gateway that records its requests (a self-signed certificate the server is told to trust).
Each is started and stopped by the test that uses it."""
import asyncio
import http.cookiejar
import http.server
import json
import os
import re
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OIDC_DIR = os.path.join(ROOT, "tests", "oidc")
CLIENT_SECRET = "test-client-secret"


class Node:
    """tests/oidc/<script> on a loopback port; port and issuer from its first line."""

    def __init__(self, script, *args):
        self.script, self.args = script, list(args)
        self.proc = None
        self.port = None
        self.start()

    def start(self, port=None, extra=()):
        cmd = ["node", os.path.join(OIDC_DIR, self.script), "--port", str(port or self.port or 0), *self.args, *extra]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"listening port=(\d+) issuer=(\S+)", line)
        if not m:
            self.proc.kill()
            raise RuntimeError(f"{self.script} did not start: {line}{self.proc.stderr.read()[-2000:]}")
        self.port, self.issuer = int(m.group(1)), m.group(2)
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def control(self, mode):
        req = urllib.request.Request(f"{self.issuer}/control", data=json.dumps({"mode": mode}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **kw):
        return None


class Browserless:
    """Walks an authorization request the way a browser would (cookies, redirects, the
    provider's login form) and stops at the redirect back to the server."""

    def __init__(self, callback_prefix):
        self.callback = callback_prefix
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def _open(self, url, form=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            r = self.opener.open(urllib.request.Request(url, data=data), timeout=20)
            return r.status, r.headers, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode("utf-8", "replace")

    def sign_in(self, url, login=None, password=None, cancel=False):
        """Returns the query of the redirect back to the server: {"code", "state"} or {"error", "state"}."""
        form = None
        for _ in range(20):
            if url.startswith(self.callback):
                return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
            status, headers, body = self._open(url, form)
            form = None
            if status in (301, 302, 303, 307):
                url = urllib.parse.urljoin(url, headers["Location"])
                continue
            action = re.search(r'<form method="post" action="([^"]+)"', body)
            assert status == 200 and action, (status, body[:500])
            if cancel:
                url = urllib.parse.urljoin(url, re.search(r'href="([^"]+/abort)"', body).group(1))
                continue
            assert "Wrong user name" not in body, "the provider refused the test user"
            url = urllib.parse.urljoin(url, action.group(1))
            form = {"login": login, "password": password}
        raise AssertionError("the sign-in did not come back to the server")


def oidc_start(server, election_id):
    """POST .../oidc/start: the provider's URL and the browser-binding cookie."""
    r = server.post(f"/api/v1/elections/{election_id}/oidc/start")
    assert r.status == 200, r
    cookie = r.header("Set-Cookie").split(";")[0]
    return r.json["authorization_url"], cookie


def oidc_finish(server, election_id, back, cookie):
    body = {"method": "oidc", **back}
    return server.post(f"/api/v1/elections/{election_id}/voter-sessions", body, headers={"Cookie": cookie} if cookie else {})


# --- SMTP ---


class SmtpSink:
    """A real SMTP server (aiosmtpd) on a loopback port that keeps every message it accepts:
    (envelope from, envelope to, raw bytes). stop() closes it; start() opens it again on the
    same port. refuse=True answers 550 to every recipient."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.refuse = False
        self.port = None
        self.controller = None
        self.start()

    def start(self):
        try:
            from aiosmtpd.controller import Controller
        except ImportError:  # a python3 of its own (pyenv) next to Debian's python3-aiosmtpd
            import sys
            sys.path.append("/usr/lib/python3/dist-packages")
            from aiosmtpd.controller import Controller
        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if sink.refuse:
                    return "550 5.1.1 No such user here"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                with sink.lock:
                    sink.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
                return "250 Message accepted for delivery"

        port = self.port or _free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        self.controller.start()
        self.port = port

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def received(self):
        with self.lock:
            return list(self.messages)


def _free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --- an HTTPS SMS gateway ---


def self_signed(directory):
    """A certificate for 127.0.0.1 and its key (made with the openssl command)."""
    cert, key = os.path.join(directory, "sms-cert.pem"), os.path.join(directory, "sms-key.pem")
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
    return cert, key


class SmsGateway:
    """A loopback HTTPS endpoint that records every request (headers and JSON body) and
    answers with self.status after self.delay seconds."""

    def __init__(self, directory):
        self.cert, self.key = self_signed(directory)
        self.requests = []
        self.status = 200
        self.delay = 0
        gw = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                if gw.delay:
                    time.sleep(gw.delay)
                status = gw.status
                if status < 300:
                    gw.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                out = b'{"ids":[1]}' if status < 300 else b'{"error":"gateway"}'
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}/rest/mtsms"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def wait_until(pred, timeout=30, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
