// A real OpenID provider for the tests: oidc-provider (an OpenID Certified implementation)
// on a loopback port, with test users and a plain login page of its own, so that the API
// tests (Python) and the browser test (Chromium) sign in the way a citizen does at MitID.
//
//   node provider.mjs --port 0 --redirect http://127.0.0.1:N/oidc/callback [--alg RS256|ES256|PS256] [--key-seed S]
//                     [--public]
//
// Prints "listening port=N issuer=URL" once serving. The keys come from --key-seed, so a
// restart with another seed is a key rotation. Users (login / password): anna / anna-pw
// (on the test register), bo / bo-pw (not on it), young / young-pw (born 2015).
import http from "node:http";
import crypto from "node:crypto";
import Provider from "oidc-provider";
import { exportJWK } from "jose";

function arg(name, def) {
  const i = process.argv.indexOf("--" + name);
  return i > 0 ? process.argv[i + 1] : def;
}

const USERS = {
  anna: { password: "anna-pw", claims: { cpr: "0101901234", birthdate: "1990-01-01", email: "anna@example.dk", email_verified: true, name: "Anna Test" } },
  bo: { password: "bo-pw", claims: { cpr: "0202855678", birthdate: "1985-02-02", email: "bo@example.dk", email_verified: true, name: "Bo Test" } },
  young: { password: "young-pw", claims: { cpr: "0303151111", birthdate: "2015-03-03", email: "young@example.dk", email_verified: true, name: "Young Test" } },
};

// Keys made from the seed: the same seed gives the same kid (a restart is no rotation),
// another seed another key.
async function keys(seed, alg) {
  const kid = crypto.createHash("sha256").update(seed + alg).digest("hex").slice(0, 16);
  const pair = alg === "ES256"
    ? crypto.generateKeyPairSync("ec", { namedCurve: "P-256" })
    : crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = await exportJWK(pair.privateKey);
  return { ...jwk, kid, alg, use: "sig" };
}

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body><main><h1>${title}</h1>${body}</main></body></html>`;
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readForm(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

const port = Number(arg("port", "0"));
const alg = arg("alg", "RS256");
const redirect = arg("redirect");
const secret = arg("secret", "test-client-secret");
const server = http.createServer();
server.listen(port, "127.0.0.1", async () => {
  const actual = server.address().port;
  const issuer = `http://127.0.0.1:${actual}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: "borgerbudget",
      redirect_uris: redirect.split(","),
      response_types: ["code"],
      grant_types: ["authorization_code"],
      // --public: a client without a secret (PKCE alone), as the browser test's server has none
      ...(process.argv.includes("--public") ? { token_endpoint_auth_method: "none" }
        : { client_secret: secret, token_endpoint_auth_method: "client_secret_basic" }),
      id_token_signed_response_alg: alg,
    }, {
      client_id: "other-client",
      client_secret: secret,
      redirect_uris: redirect.split(","),
      response_types: ["code"],
      grant_types: ["authorization_code"],
    }],
    jwks: { keys: [await keys(arg("key-seed", "one"), alg)] },
    findAccount: (ctx, id) => USERS[id] ? { accountId: id, claims: () => ({ sub: id, ...USERS[id].claims }) } : undefined,
    claims: { openid: ["sub"], profile: ["birthdate", "name"], email: ["email", "email_verified"], cpr: ["cpr"] },
    scopes: ["openid", "profile", "email", "cpr"],
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ["borgerbudget-test-cookies"] },
  });
  provider.on("server_error", (ctx, err) => console.error("provider error", err));

  server.on("request", async (req, res) => {
    const m = req.url.match(/^\/interaction\/([^/?]+)(\/login|\/abort)?/);
    if (!m) return provider.callback()(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (m[2] === "/abort") {
        return await provider.interactionFinished(req, res,
          { error: "access_denied", error_description: "The user cancelled the sign-in." }, { mergeWithLastSubmission: false });
      }
      let error = "";
      if (m[2] === "/login" && req.method === "POST") {
        const form = await readForm(req);
        const login = form.get("login") || "", password = form.get("password") || "";
        if (USERS[login] && USERS[login].password === password) {
          const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
          grant.addOIDCScope(details.params.scope);
          const grantId = await grant.save();
          return await provider.interactionFinished(req, res,
            { login: { accountId: login }, consent: { grantId } }, { mergeWithLastSubmission: false });
        }
        error = `<p role="alert">Wrong user name or password.</p>`;
      }
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.end(page("Test identity provider", error +
        `<form method="post" action="/interaction/${esc(details.uid)}/login">` +
        `<p><label for="login">User name</label> <input id="login" name="login" autocomplete="username"></p>` +
        `<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password"></p>` +
        `<p><button type="submit">Sign in</button> <a href="/interaction/${esc(details.uid)}/abort">Cancel</a></p></form>`));
    } catch (e) {
      res.statusCode = 400;
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.end(page("Sign-in error", `<p>${esc(e.message)}</p>`));
    }
  });
  console.log(`listening port=${actual} issuer=${issuer}`);
});

process.on("SIGTERM", () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
