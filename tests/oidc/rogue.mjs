// A misbehaving OpenID provider, for what oidc-provider never does: forged, expired,
// wrong-audience, wrong-nonce and replayed ID tokens, alg none and alg confusion, keys
// that rotate, and endpoints that are slow, down or answer garbage. Its authorization
// endpoint signs nobody in: it sends the browser straight back with a code, and the token
// endpoint answers what the mode says.
//
//   node rogue.mjs --port 0       prints "listening port=N issuer=URL"
//   POST /control {"mode": "..."} sets the behaviour of the next calls (see MODES below)
import http from "node:http";
import crypto from "node:crypto";
import { SignJWT, exportJWK, base64url } from "jose";

const MODES = ["ok", "wrong_iss", "wrong_aud", "many_aud", "wrong_azp", "expired", "future", "wrong_nonce", "alg_none",
  "hs256", "unknown_kid", "tampered", "replay", "rotate", "no_claim", "token_500", "token_400", "token_garbage",
  "token_slow", "jwks_down", "jwks_garbage", "discovery_down", "discovery_garbage", "discovery_slow", "wrong_issuer_doc"];

function arg(name, def) {
  const i = process.argv.indexOf("--" + name);
  return i > 0 ? process.argv[i + 1] : def;
}

function keyPair(kid) {
  const pair = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid, privateKey: pair.privateKey, publicKey: pair.publicKey };
}

let mode = "ok";
let current = keyPair("rogue-1");
const stranger = keyPair("stranger");
const codes = new Map();
let lastToken = null;

async function jwks() {
  const j = await exportJWK(current.publicKey);
  return { keys: [{ ...j, kid: current.kid, alg: "RS256", use: "sig" }] };
}

async function sign(claims, key = current) {
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: key.kid }).sign(key.privateKey);
}

function unsigned(header, claims, sig = "") {
  return `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(claims))}.${sig}`;
}

async function idToken(issuer, grant) {
  const now = Math.floor(Date.now() / 1000);
  const c = { iss: issuer, sub: "rogue-user", aud: grant.client_id, nonce: grant.nonce, iat: now, exp: now + 300,
    cpr: "0101901234", birthdate: "1990-01-01" };
  switch (mode) {
    case "wrong_iss": c.iss = "http://evil.example"; break;
    case "wrong_aud": c.aud = "someone-else"; break;
    case "many_aud": c.aud = [grant.client_id, "someone-else"]; break;
    case "wrong_azp": c.azp = "someone-else"; break;
    case "expired": c.iat = now - 4000; c.exp = now - 3000; break;
    case "future": c.iat = now + 3600; c.exp = now + 7200; break;
    case "wrong_nonce": c.nonce = "not-the-nonce"; break;
    case "no_claim": delete c.cpr; break;
    case "alg_none": return unsigned({ alg: "none" }, c);
    case "hs256": {
      // alg confusion: an HMAC keyed with the provider's public key
      const pem = current.publicKey.export({ type: "spki", format: "pem" });
      const head = base64url.encode(JSON.stringify({ alg: "HS256", kid: current.kid }));
      const body = base64url.encode(JSON.stringify(c));
      const mac = crypto.createHmac("sha256", pem).update(`${head}.${body}`).digest();
      return `${head}.${body}.${base64url.encode(mac)}`;
    }
    case "unknown_kid": return sign(c, stranger);
    case "tampered": {
      const good = await sign(c);
      const parts = good.split(".");
      return `${parts[0]}.${base64url.encode(JSON.stringify({ ...c, sub: "someone-else", cpr: "0202855678" }))}.${parts[2]}`;
    }
    case "replay": if (lastToken) return lastToken; break;
    default: break;
  }
  return sign(c);
}

function send(res, status, body, type = "application/json") {
  res.statusCode = status;
  res.setHeader("Content-Type", type);
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

const server = http.createServer(async (req, res) => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const url = new URL(req.url, base);
  if (url.pathname === "/control" && req.method === "POST") {
    const m = JSON.parse(await readBody(req)).mode;
    if (!MODES.includes(m)) return send(res, 400, { error: "unknown mode" });
    mode = m;
    if (m === "rotate") { current = keyPair(`rogue-${Date.now()}`); mode = "ok"; }
    return send(res, 200, { mode });
  }
  if (url.pathname === "/.well-known/openid-configuration") {
    if (mode === "discovery_down") return send(res, 503, "down", "text/plain");
    if (mode === "discovery_garbage") return send(res, 200, "<html>not json</html>", "text/html");
    if (mode === "discovery_slow") await new Promise((r) => setTimeout(r, 15000));
    return send(res, 200, {
      issuer: mode === "wrong_issuer_doc" ? "http://evil.example" : base,
      authorization_endpoint: `${base}/auth`, token_endpoint: `${base}/token`, jwks_uri: `${base}/jwks`,
      response_types_supported: ["code"], subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
    });
  }
  if (url.pathname === "/jwks") {
    if (mode === "jwks_down") return send(res, 503, "down", "text/plain");
    if (mode === "jwks_garbage") return send(res, 200, "{\"keys\": 7", "application/json");
    return send(res, 200, await jwks());
  }
  if (url.pathname === "/auth") {
    const code = crypto.randomBytes(16).toString("hex");
    codes.set(code, { nonce: url.searchParams.get("nonce"), client_id: url.searchParams.get("client_id"),
      challenge: url.searchParams.get("code_challenge") });
    const back = new URL(url.searchParams.get("redirect_uri"));
    back.searchParams.set("code", code);
    back.searchParams.set("state", url.searchParams.get("state"));
    res.statusCode = 302;
    res.setHeader("Location", back.toString());
    return res.end();
  }
  if (url.pathname === "/token" && req.method === "POST") {
    const form = new URLSearchParams(await readBody(req));
    if (mode === "token_500") return send(res, 500, "internal error", "text/plain");
    if (mode === "token_garbage") return send(res, 200, "<html>garbage</html>", "text/html");
    if (mode === "token_slow") await new Promise((r) => setTimeout(r, 15000));
    const grant = codes.get(form.get("code"));
    if (mode === "token_400" || !grant) return send(res, 400, { error: "invalid_grant" });
    const verifier = form.get("code_verifier") || "";
    const challenge = crypto.createHash("sha256").update(verifier).digest("base64url");
    if (challenge !== grant.challenge) return send(res, 400, { error: "invalid_grant", error_description: "PKCE" });
    codes.delete(form.get("code"));
    const token = await idToken(base, grant);
    if (mode === "ok") lastToken = token;
    return send(res, 200, { access_token: "at", token_type: "Bearer", expires_in: 300, id_token: token });
  }
  send(res, 404, { error: "not found" });
});

server.listen(Number(arg("port", "0")), "127.0.0.1", () => {
  const p = server.address().port;
  console.log(`listening port=${p} issuer=http://127.0.0.1:${p}`);
});
process.on("SIGTERM", () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
