// Two-step sign-in: a staff admin sets up an authenticator app in the page (the QR code is
// drawn there; the secret also as text), turns it on with the app's code, and from then on
// signs in with password and code.
import crypto from "node:crypto";
import { test, visitor, assert, DESKTOP } from "../lib.mjs";
import { election, api, admin } from "../fixtures.mjs";

// RFC 6238 with SHA-1, 6 digits, 30 s: what an authenticator app shows for a base32 secret.
function totp(base32, at = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of base32.replace(/=+$/, "")) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30000)));
  const mac = crypto.createHmac("sha1", key).update(counter).digest();
  const o = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, "0");
}

test("a staff admin turns on two-step sign-in with an authenticator app, in Danish", async () => {
  const e = await election({ title: { da: "Totrin", en: "Two step" }, phase: null, codes: 0 });
  const org = (await api("GET", `/elections/${e.id}`, undefined, await admin())).organisation_id;
  const email = `totp-${process.pid}-${Date.now() % 100000}@kommune.example`, password = "a long enough password for totp";
  const inv = await api("POST", `/organisations/${org}/staff`, { email, role: "admin" }, await admin());
  await api("POST", "/staff/accept", { invite_token: inv.invite_token, password });
  const v = await visitor({ lang: "da", size: DESKTOP });
  const page = v.page;
  await v.start("admin.html");
  await v.fill(page.getByLabel("E-mail"), email);
  await v.fill(page.getByLabel("Adgangskode", { exact: true }), password);
  await v.click(v.button("Log ind"));
  const orgName = (await api("GET", "/organisations", undefined, await admin())).organisations.find((o) => o.id === org).name;
  await v.click(page.getByRole("link", { name: `Personer i ${orgName}` }));
  await v.see("Slået fra: du logger ind med din adgangskode alene.");
  await v.click(v.button("Opsæt en godkendelsesapp"));
  assert(await page.getByRole("img", { name: "QR-kode med din godkendelseshemmelighed" }).count() === 1, "the QR code is drawn in the page");
  const secret = (await page.locator("figure.qr-box code").textContent()).trim();
  await v.fill(page.getByLabel("Kode fra appen"), "12");
  await v.click(v.button("Slå totrinslogin til"), "a code that is too short");
  await v.see("Skriv de 6 cifre, appen viser nu.");
  await v.fill(page.getByLabel("Kode fra appen"), totp(secret));
  await v.click(v.button("Slå totrinslogin til"));
  await v.see("Totrinslogin er slået til.");
  await v.shot("staff-totp-da.png");
  // from now on the code is needed
  await v.click(v.button("Log ud"));
  await v.fill(page.getByLabel("E-mail"), email);
  await v.fill(page.getByLabel("Adgangskode", { exact: true }), password);
  v.expectHttp(401, "/staff/login");
  await v.click(v.button("Log ind"), "sign in without the code");
  await page.locator("#totp").waitFor();
  await v.fill(page.locator("#totp"), totp(secret, Date.now() + 30000));
  await v.click(v.button("Log ind"), "sign in with the code");
  await v.heading("Valg").first().waitFor();
});
