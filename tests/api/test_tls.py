"""Issue 15, TLS: with --tls-cert the server offers Mozilla's "intermediate" profile
(TLS 1.2 with ECDHE and AEAD ciphers only, all of TLS 1.3), staples the OCSP response it
was given, and testssl.sh (Debian's package) finds nothing above LOW."""
import json
import os
import subprocess

import client


def openssl(*args, cwd):
    r = subprocess.run(["openssl", *args], capture_output=True, text=True, cwd=cwd)
    assert r.returncode == 0, (args, r.stderr)
    return r.stdout


def ca_and_cert(d):
    """A small CA, a server certificate it signed, and a real OCSP response for it."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
            "-out", "ca.pem", "-days", "2", "-subj", "/CN=Test CA", cwd=d)
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "tls.key",
            "-out", "tls.csr", "-subj", "/CN=localhost", cwd=d)
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "tls.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tls.crt",
            "-days", "2", "-extfile", "ext.cnf", cwd=d)
    serial = openssl("x509", "-in", "tls.crt", "-noout", "-serial", cwd=d).strip().split("=")[1]
    subject = openssl("x509", "-in", "tls.crt", "-noout", "-subject", "-nameopt", "compat", cwd=d).strip()[len("subject="):]
    with open(os.path.join(d, "index.txt"), "w") as f:
        f.write(f"V\t301231235959Z\t\t{serial}\tunknown\t{subject.strip()}\n")
    openssl("ocsp", "-issuer", "ca.pem", "-cert", "tls.crt", "-reqout", "req.der", "-no_nonce", cwd=d)
    openssl("ocsp", "-index", "index.txt", "-rsigner", "ca.pem", "-rkey", "ca.key", "-CA", "ca.pem", "-reqin", "req.der",
            "-respout", "ocsp.der", "-ndays", "1", cwd=d)
    return os.path.join(d, "tls.crt"), os.path.join(d, "tls.key"), os.path.join(d, "ocsp.der")


def test_tls_profile_ocsp_and_testssl(ctx):
    d = os.path.join(ctx.env.data_dir, "tls-profile")
    os.makedirs(d, exist_ok=True)
    cert, key, ocsp = ca_and_cert(d)
    srv = ctx.env.server({"PB_TLS_CERT": cert, "PB_TLS_KEY": key, "PB_TLS_OCSP": ocsp})
    try:
        target = f"127.0.0.1:{srv.port}"
        # the OCSP response is stapled
        r = subprocess.run(["openssl", "s_client", "-connect", target, "-status", "-servername", "localhost"],
                           input="", capture_output=True, text=True, timeout=30)
        assert "OCSP Response Status: successful" in r.stdout, r.stdout[-2000:]
        # a TLS 1.2 CBC suite and one without forward secrecy are refused
        for cipher in ("ECDHE-ECDSA-AES128-SHA256", "AES128-GCM-SHA256"):
            r = subprocess.run(["openssl", "s_client", "-connect", target, "-tls1_2", "-cipher", cipher],
                               input="", capture_output=True, text=True, timeout=30)
            assert r.returncode != 0 or "Cipher is (NONE)" in r.stdout, (cipher, r.stdout[-1000:])
        # testssl.sh: protocols, cipher categories, forward secrecy, server order and every
        # vulnerability check; the certificate's trust (a test CA) is not what is judged here
        out = os.path.join(d, "testssl.json")
        if os.path.exists(out):
            os.remove(out)
        r = subprocess.run(["testssl", "--quiet", "--color", "0", "--warnings", "off", "--jsonfile", out,
                            "-p", "-P", "-s", "-f", "-U", target], capture_output=True, text=True, timeout=1200)
        findings = json.load(open(out))
        assert findings, r.stdout[-3000:] + r.stderr[-3000:]
        bad = [f for f in findings if f.get("severity") in ("MEDIUM", "HIGH", "CRITICAL")]
        assert not bad, bad
        ran = {f["id"] for f in findings}
        for check in ("TLS1_2", "TLS1_3", "LUCKY13", "BREACH", "ROBOT", "heartbleed", "PFS", "cipherlist_STRONG"):
            assert check in ran, (check, sorted(ran))  # nothing skipped silently
    finally:
        srv.stop()
