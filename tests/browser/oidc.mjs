// Browser test of sign-in through an OpenID provider (MitID's flow), standalone in
// run.mjs's conventions (tests/browser/lib.mjs does not exist yet): playwright-core on
// Debian's chromium against the server tests/run.py started (PB_BASE, PB_ADMIN_EMAIL,
// PB_ADMIN_PASSWORD), and a real provider (oidc-provider, tests/oidc/provider.mjs) that
// this module starts and stops. Starts where people start: the citizen at /, staff at
// /admin.html. Every page fails the test on a console error, on visible text such as
// "undefined", "null", "NaN" or "[object", and on any axe violation. Prints "ok NAME" or
// "FAIL NAME" per test and "N passed, N failed".
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const base = process.env.PB_BASE;
const axeSource = fs.readFileSync(path.join(here, "node_modules/axe-core/axe.min.js"), "utf8");
let passed = 0, failed = 0;

function assert(cond, what) { if (!cond) throw new Error("assertion failed: " + what); }
let lastPage = null;
async function test(name, fn) {
  try { await fn(); passed++; console.log("ok   " + name); }
  catch (e) {
    failed++;
    const seen = lastPage ? await lastPage.evaluate(() => location.href + "\n" + document.body.innerText).catch(() => "") : "";
    console.log("FAIL " + name + "\n" + (e.stack || e) + "\nthe page showed: " + seen.slice(0, 1500));
  }
}
async function apiCall(method, p, body, token, headers) {
  const res = await fetch(base + "/api/v1" + p, { method, headers: { "Content-Type": "application/json",
    ...(token ? { Authorization: "Bearer " + token } : {}), ...(headers || {}) },
    body: body === undefined ? undefined : (typeof body === "string" ? body : JSON.stringify(body)) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// The page as a person sees it: no broken text, no accessibility violation of any impact.
async function check(page, name) {
  // the choices of a select are values (rule names such as equal_shares), not sentences
  const text = (await page.evaluate(() => {
    const copy = document.body.cloneNode(true);
    copy.querySelectorAll("select").forEach((x) => x.remove());
    return copy.textContent;
  })).replace(/\{\{[^}]*\}\}/g, "");
  const bad = text.match(/\[object|\bundefined\b|\bnull\b|\bNaN\b|\b[a-z]+_[a-z_]+\b/);
  assert(!bad, `${name}: the page shows "${bad && bad[0]}"`);
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  assert(result.violations.length === 0, `${name}: accessibility violations: ` +
    result.violations.map((v) => `${v.id}/${v.impact} (${v.nodes.map((n) => n.target).join(" ")})`).join("; "));
}

function startProvider() {
  return new Promise((resolve, reject) => {
    const proc = spawn("node", [path.join(here, "..", "oidc", "provider.mjs"), "--port", "0", "--public",
      "--redirect", `${base}/oidc/callback`], { stdio: ["ignore", "pipe", "inherit"] });
    const lines = readline.createInterface({ input: proc.stdout });
    lines.once("line", (line) => {
      const m = line.match(/listening port=(\d+) issuer=(\S+)/);
      if (m) resolve({ proc, issuer: m[2] }); else reject(new Error("provider: " + line));
    });
    proc.once("exit", (code) => reject(new Error("the provider exited " + code)));
  });
}

const provider = await startProvider();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"] });
const errors = [];
async function newPage(lang, viewport) {
  const ctx = await browser.newContext({ viewport: viewport || { width: 360, height: 740 }, locale: lang === "en" ? "en-GB" : "da-DK" });
  const page = await ctx.newPage();
  lastPage = page;
  page.on("pageerror", (e) => errors.push(e.message));
  // an error answer the page handles (401 for a cancelled sign-in) is logged by chromium as
  // "Failed to load resource"; every other console error fails the run
  page.on("console", (m) => { if (m.type() === "error" && !/^Failed to load resource: the server responded/.test(m.text())) errors.push(m.text()); });
  await page.addInitScript((l) => localStorage.setItem("pb-lang", l), lang);
  return page;
}

try {
  const admin = (await apiCall("POST", "/staff/login", { email: process.env.PB_ADMIN_EMAIL, password: process.env.PB_ADMIN_PASSWORD })).token;
  const el = await apiCall("POST", "/elections", { slug: "mitid-" + Date.now(), title: { da: "Borgerbudget Havn", en: "Harbour budget" },
    description: { da: "Stem på havnen.", en: "Vote for the harbour." }, ballot: { type: "approval" }, rule: "greedy" }, admin);
  const dist = await apiCall("POST", `/elections/${el.id}/districts`, { name: { da: "Havn", en: "Harbour" }, budget: 10000000 }, admin);
  const props = [];
  for (const i of [1, 2])
    props.push(await apiCall("POST", `/elections/${el.id}/proposals`, { district_id: dist.id, title: { da: `Havneprojekt ${i}`, en: `Harbour project ${i}` },
      summary: { da: "Kort beskrivelse.", en: "Short description." }, cost: 1000000 * i }, admin));
  await apiCall("POST", `/elections/${el.id}/phase`, { phase: "voting" }, admin);
  await apiCall("POST", `/elections/${el.id}/register`, `personal_id,birth_date,district_id\n010190-1234,1990-01-01,${dist.id}\n`, admin,
    { "Content-Type": "text/csv" });
  await apiCall("POST", `/organisations/${el.organisation_id}/staff`, { email: "anna@example.dk", role: "moderator" }, admin);
  await apiCall("PUT", `/organisations/${el.organisation_id}/oidc-providers`, { purpose: "staff", issuer: provider.issuer,
    client_id: "borgerbudget", scopes: "openid email" }, admin);
  await apiCall("PUT", `/organisations/${el.organisation_id}/oidc-providers`, { purpose: "citizen", election_id: el.id,
    issuer: provider.issuer, client_id: "borgerbudget", scopes: "openid cpr", eligibility_claim: "cpr",
    button_text: { da: "Log ind med MitID", en: "Sign in with MitID" } }, admin);

  await test("citizen starts at /, signs in with MitID at the provider, comes back signed in and votes (English)", async () => {
    const page = await newPage("en");
    await page.goto(`${base}/`);
    await page.getByRole("link", { name: "Harbour budget" }).click();
    await page.getByRole("link", { name: "Sign in to vote" }).click();
    await page.getByRole("button", { name: "Sign in with MitID" }).waitFor();
    await check(page, "sign-in page");
    await page.getByRole("button", { name: "Sign in with MitID" }).click();
    await page.getByLabel("User name").waitFor();
    assert(page.url().startsWith(provider.issuer), "the browser is at the provider: " + page.url());
    await check(page, "the provider's sign-in page");
    await page.getByLabel("User name").fill("anna");
    await page.getByLabel("Password").fill("anna-pw");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Your ballot" }).waitFor();
    assert(!page.url().includes("code="), "the code is not left in the address bar: " + page.url());
    await check(page, "the ballot after the return");
    await page.locator(`#p-${props[1].id}`).check();
    await page.getByRole("button", { name: "Review your vote" }).click();
    await page.getByRole("button", { name: "Cast vote" }).click();
    await page.getByText("Thank you! Your vote has been received.").waitFor();
    await check(page, "the receipt");
    const board = await apiCall("GET", `/elections/${el.id}/trackers`);
    assert(board.trackers.length === 1, "one ballot on the board");
  });

  await test("someone not on the register comes back to a clear refusal, and can go back (Danish)", async () => {
    const page = await newPage("da");
    await page.goto(`${base}/`);
    await page.getByRole("link", { name: "Borgerbudget Havn" }).click();
    await page.getByRole("link", { name: "Log ind for at stemme" }).click();
    await page.getByRole("button", { name: "Log ind med MitID" }).click();
    await page.getByLabel("User name").fill("bo");
    await page.getByLabel("Password").fill("bo-pw");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "Du er ikke på listen" }).waitFor();
    await check(page, "the refusal");
    await page.getByRole("link", { name: "Prøv igen" }).click();
    await page.getByRole("button", { name: "Log ind med MitID" }).waitFor();
  });

  await test("a citizen who cancels at the provider is told so", async () => {
    const page = await newPage("en");
    await page.goto(`${base}/`);
    await page.getByRole("link", { name: "Harbour budget" }).click();
    await page.getByRole("link", { name: "Sign in to vote" }).click();
    await page.getByRole("button", { name: "Sign in with MitID" }).click();
    await page.getByRole("link", { name: "Cancel" }).click();
    await page.getByRole("alert").filter({ hasText: "You cancelled the sign-in" }).waitFor();
    await check(page, "cancelled");
  });

  await test("staff configure sign-in and delivery, send a test message and see it in the outbox", async () => {
    const page = await newPage("en", { width: 1200, height: 900 });
    await page.goto(`${base}/admin.html`);
    await page.getByLabel("E-mail").fill(process.env.PB_ADMIN_EMAIL);
    await page.getByLabel("Password").fill(process.env.PB_ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Harbour budget" }).click();
    await page.getByRole("link", { name: "Sign-in and delivery" }).click();
    await page.getByRole("heading", { name: "Sign-in and delivery" }).waitFor();
    await check(page, "the delivery page");
    await page.locator("#citizen-issuer").fill(provider.issuer);
    await page.locator("#citizen-client").fill("borgerbudget");
    await page.getByRole("button", { name: "Save citizen sign-in" }).click();
    await page.getByText("The citizen sign-in is saved.").waitFor();
    await page.getByLabel("E-mail address or phone number").fill("staff@kommune.example");
    await page.getByRole("button", { name: "Send a test message" }).click();
    await page.getByText(/Test message \d+ is queued/).waitFor();
    await page.locator("#outbox td", { hasText: "s***@kommune.example" }).first().waitFor();
    await page.waitForFunction(() => /sent [1-9]/.test(document.getElementById("outbox-counts").textContent), null, { timeout: 15000 });
    await check(page, "the outbox");
  });
  await test("staff start at /admin.html and sign in through the organisation's provider, with the role given here", async () => {
    const page = await newPage("en", { width: 1200, height: 900 });
    await page.goto(`${base}/admin.html`);
    await page.getByRole("heading", { name: "Staff sign-in" }).waitFor();
    await check(page, "the staff sign-in page");
    await page.getByLabel("Organisation number").fill(String(el.organisation_id));
    await page.getByRole("button", { name: "Continue with your organisation" }).click();
    await page.getByLabel("User name").fill("anna");
    await page.getByLabel("Password").fill("anna-pw");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Elections" }).waitFor();
    assert(page.url().endsWith("/admin.html") || page.url().includes("/admin.html#"), "back on the staff page: " + page.url());
    await check(page, "the staff page after the provider");
  });

  assert(errors.length === 0, errors.join("\n"));
} catch (e) {
  failed++;
  console.log("FAIL oidc browser tests could run\n" + (e.stack || e));
} finally {
  await browser.close();
  provider.proc.kill("SIGTERM");
}
console.log(`${passed} passed, ${failed} failed`);
