// Browser tests: playwright-core drives Debian's chromium (no browser download) against the
// real server started by tests/run.py (PB_BASE, PB_ADMIN_EMAIL, PB_ADMIN_PASSWORD). Prints
// "ok NAME" or "FAIL NAME" per test and "N passed, N failed" at the end.
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const base = process.env.PB_BASE;
const shots = process.env.PB_SCREENSHOTS || "";
const axeSource = fs.readFileSync(path.join(here, "node_modules/axe-core/axe.min.js"), "utf8");
let passed = 0, failed = 0;

async function apiCall(method, p, body, token) {
  const res = await fetch(base + "/api/v1" + p, { method, headers: { "Content-Type": "application/json", ...(token ? { Authorization: "Bearer " + token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
function assert(cond, what) { if (!cond) throw new Error("assertion failed: " + what); }

async function test(name, fn) {
  try { await fn(); passed++; console.log("ok   " + name); }
  catch (e) { failed++; console.log("FAIL " + name + "\n" + (e.stack || e)); }
}

async function axe(page, name) {
  // evaluate runs outside the page's CSP, which (rightly) refuses inline scripts
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert(bad.length === 0, `${name}: accessibility violations: ` + bad.map((v) => `${v.id} (${v.nodes.map((n) => n.target).join(" ")})`).join("; "));
}
async function shot(page, file) { if (shots) await page.screenshot({ path: path.join(shots, file), fullPage: false }); }

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"] });
const errors = [];
async function phone(lang) {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 1, locale: lang === "en" ? "en-GB" : "da-DK" });
  const page = await ctx.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error" && /Content Security Policy/.test(m.text())) errors.push(m.text()); });
  await page.addInitScript((l) => localStorage.setItem("pb-lang", l), lang);
  return page;
}

const admin = (await apiCall("POST", "/staff/login", { email: process.env.PB_ADMIN_EMAIL, password: process.env.PB_ADMIN_PASSWORD })).token;
const slug = "browser-" + Date.now();
const el = await apiCall("POST", "/elections", { slug, title: { da: "Borgerbudget Park", en: "Park budget" }, description: { da: "Stem på parken.", en: "Vote for the park." },
  ballot: { type: "knapsack" }, rule: "greedy" }, admin);
const dist = await apiCall("POST", `/elections/${el.id}/districts`, { name: { da: "Midtby", en: "Centre" }, budget: 10000000 }, admin);
const costs = [4000000, 3000000, 5000000, 2000000];
const props = [];
for (const [i, c] of costs.entries())
  props.push(await apiCall("POST", `/elections/${el.id}/proposals`, { district_id: dist.id, title: { da: `Projekt ${i + 1}`, en: `Project ${i + 1}` },
    summary: { da: "Kort beskrivelse.", en: "Short description." }, cost: c, category: i % 2 ? "natur" : "leg" }, admin));
await apiCall("POST", `/elections/${el.id}/phase`, { phase: "voting" }, admin);
const codes = (await apiCall("POST", `/elections/${el.id}/codes`, { district_id: dist.id, count: 3 }, admin)).codes;

await test("citizen on a phone votes with a knapsack ballot, is stopped over budget, changes the vote and finds the tracker (English)", async () => {
  const page = await phone("en");
  await page.goto(`${base}/#/e/${el.id}`);
  await page.getByRole("heading", { name: "Park budget" }).waitFor();
  await shot(page, "citizen-proposals.png");
  await axe(page, "proposals");
  await page.getByRole("link", { name: "Sign in to vote" }).click();
  await page.getByLabel("Voting code").fill(codes[0].toLowerCase());
  await axe(page, "sign-in");
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("heading", { name: "Your ballot" }).waitFor();
  await page.locator(`#p-${props[0].id}`).check();
  await page.locator(`#p-${props[1].id}`).check();
  await page.locator(`#p-${props[2].id}`).click(); // 40k + 30k + 50k > 100k
  await page.getByText("That is over the budget").waitFor();
  assert(!(await page.locator(`#p-${props[2].id}`).isChecked()), "the over-budget choice is not kept");
  await shot(page, "citizen-ballot.png");
  await axe(page, "ballot");
  await page.getByRole("button", { name: "Review your vote" }).click();
  await page.getByRole("heading", { name: "Check your vote" }).waitFor();
  await axe(page, "review");
  await page.getByRole("button", { name: "Cast vote" }).click();
  await page.getByRole("heading", { name: "Thank you!" }).waitFor();
  const first = (await page.locator("#tracker").textContent()).trim();
  assert(/^[0-9a-f]{64}$/.test(first), "a tracker is shown");
  await shot(page, "citizen-receipt.png");
  await axe(page, "receipt");
  // change the vote
  await page.getByRole("link", { name: "Change your vote" }).click();
  await page.getByText("You have voted already").waitFor();
  await page.locator(`#p-${props[0].id}`).uncheck();
  await page.locator(`#p-${props[3].id}`).check();
  await page.getByRole("button", { name: "Review your vote" }).click();
  await page.getByRole("button", { name: "Cast vote" }).click();
  await page.getByRole("heading", { name: "Thank you!" }).waitFor();
  const second = (await page.locator("#tracker").textContent()).trim();
  assert(second !== first, "a new tracker for the new ballot");
  await page.getByRole("link", { name: "Check on the bulletin board" }).click();
  await page.getByText("Found: your vote is counted").waitFor();
  await shot(page, "citizen-board.png");
  await axe(page, "board");
  await page.getByLabel("Tracker").fill(first);
  await page.getByRole("button", { name: "Check" }).click();
  await page.getByText("Not found").waitFor();
});

await test("citizen votes in Danish", async () => {
  const page = await phone("da");
  await page.goto(`${base}/#/e/${el.id}`);
  await page.getByRole("heading", { name: "Borgerbudget Park" }).waitFor();
  await page.getByRole("link", { name: "Log ind for at stemme" }).click();
  await page.getByLabel("Stemmekode").fill("WRONG-CODE-2222-2222");
  await page.getByRole("button", { name: "Fortsæt" }).click();
  await page.getByRole("alert").getByText("Koden passer ikke").waitFor(); // an API error in the user's language
  await page.getByLabel("Stemmekode").fill(codes[1]);
  await page.getByRole("button", { name: "Fortsæt" }).click();
  await page.getByRole("heading", { name: "Din stemmeseddel" }).waitFor();
  await page.locator(`#p-${props[3].id}`).check();
  await page.getByRole("button", { name: "Se din stemme" }).click();
  await page.getByRole("button", { name: "Afgiv stemme" }).click();
  await page.getByRole("heading", { name: "Tak! Din stemme er modtaget." }).waitFor();
  await shot(page, "citizen-receipt-da.png");
});

await test("staff sign in, set up an election in the browser, close, count and publish", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await ctx.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", (d) => d.accept(d.message().startsWith("Final cost") ? "95000" : "Too expensive"));
  await page.goto(`${base}/admin.html`);
  await page.getByLabel("E-mail").fill(process.env.PB_ADMIN_EMAIL);
  await page.getByLabel("Password", { exact: true }).fill(process.env.PB_ADMIN_PASSWORD);
  await axe(page, "staff sign-in");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "New election" }).waitFor();
  await page.getByLabel("Short name for links").fill("staff-" + Date.now());
  await page.getByLabel("Title (Danish)").fill("Holbæk borgerbudget");
  await page.getByLabel("Title (English)").fill("Holbæk citizens' budget");
  await page.getByLabel("Ballot type").selectOption("approval");
  await page.getByLabel("Maximum choices").fill("2");
  await shot(page, "staff-new-election.png");
  await axe(page, "staff list");
  await page.getByRole("button", { name: "Create election" }).click();
  await page.getByRole("heading", { name: /Holbæk/ }).waitFor();
  await page.getByLabel("District name (Danish)").fill("Vest");
  await page.getByLabel("Budget (DKK)").fill("250000");
  await page.getByRole("button", { name: "Add district" }).click();
  await page.getByText("Vest — ").waitFor();
  await page.getByLabel("Cost (DKK)").fill("120000");
  await page.locator("#p-da").fill("Skaterbane");
  await page.getByRole("button", { name: "Add proposal" }).click();
  await page.getByRole("cell", { name: "Skaterbane" }).waitFor();
  await page.getByLabel("Cost (DKK)").fill("90000");
  await page.locator("#p-da").fill("Bålhytte");
  await page.getByRole("button", { name: "Add proposal" }).click();
  await page.getByRole("cell", { name: "Bålhytte" }).waitFor();
  // the municipality sets the final cost of a proposal
  await page.getByRole("button", { name: "Set cost" }).last().click();
  await page.getByRole("cell", { name: "DKK 95,000" }).waitFor();
  await page.locator("#phase-voting").click();
  await page.getByRole("button", { name: "✓ voting" }).waitFor();
  await shot(page, "staff-election.png");
  await axe(page, "staff election");
  const id = Number(page.url().split("/").pop());
  const e = await apiCall("GET", `/elections/${id}`, undefined, admin);
  const c = (await apiCall("POST", `/elections/${id}/codes`, { district_id: e.districts[0].id, count: 1 }, admin)).codes[0];
  const v = (await apiCall("POST", `/elections/${id}/voter-sessions`, { code: c })).token;
  const ps = (await apiCall("GET", `/elections/${id}/proposals`)).proposals;
  await apiCall("PUT", `/elections/${id}/ballot`, { approvals: [ps[1].id] }, v);
  await page.locator("#phase-closed").click();
  await page.getByRole("button", { name: "✓ closed" }).waitFor();
  await page.locator("#tally").click();
  await page.waitForTimeout(300);
  await page.locator("#publish").click();
  await page.getByText("Phase: published").waitFor();
  const res = await apiCall("GET", `/elections/${id}/results`);
  assert(res.published && res.districts[0].winners.includes(ps[1].id), "results published with the winner");
  // the citizen results page shows the chart and the funded line
  const cp = await phone("en");
  await cp.goto(`${base}/#/e/${id}/results`);
  await cp.getByText("✓ Funded").first().waitFor();
  await shot(cp, "citizen-results.png");
  await axe(cp, "results");
});

await test("an observer downloads a signed export", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  await apiCall("POST", `/elections/${el.id}/phase`, { phase: "closed" }, admin);
  await apiCall("POST", `/elections/${el.id}/tally`, {}, admin);
  await apiCall("POST", `/elections/${el.id}/publish`, {}, admin);
  await page.goto(`${base}/observer.html#/e/${el.id}`);
  await page.getByRole("heading", { name: /Bulletin board: 2 counted ballots/ }).waitFor();
  await shot(page, "observer.png");
  await axe(page, "observer");
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("button[data-url*='format=pb']").first().click()]);
  const file = await download.path();
  const text = fs.readFileSync(file, "utf8");
  assert(text.startsWith("META") && text.includes("PROJECTS") && text.includes("VOTES"), "a pabulib file was downloaded");
});

await test("kiosk mode signs the voter out after the ballot", async () => {
  const page = await phone("en");
  const e2 = await apiCall("POST", "/elections", { slug: "kiosk-" + Date.now(), title: { en: "Kiosk vote", da: "Kioskafstemning" }, ballot: { type: "approval" } }, admin);
  const d2 = await apiCall("POST", `/elections/${e2.id}/districts`, { name: "All", budget: 100000 }, admin);
  await apiCall("POST", `/elections/${e2.id}/proposals`, { district_id: d2.id, title: { en: "Bench", da: "Bænk" }, cost: 1000 }, admin);
  await apiCall("POST", `/elections/${e2.id}/phase`, { phase: "voting" }, admin);
  const kc = (await apiCall("POST", `/elections/${e2.id}/codes`, { district_id: d2.id, count: 1 }, admin)).codes[0];
  await page.goto(`${base}/?kiosk=1#/e/${e2.id}/signin`);
  await page.getByLabel("Voting code").fill(kc);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("button", { name: "Review your vote" }).click();
  await page.getByRole("button", { name: "Cast vote" }).click();
  await page.getByRole("button", { name: "Next voter" }).waitFor();
  const token = await page.evaluate((id) => JSON.parse(sessionStorage.getItem("pb-voter-" + id)).token, e2.id);
  assert((await apiCall("GET", `/elections/${e2.id}/ballot`, undefined, token)).tracker, "the session works before");
  await page.getByRole("button", { name: "Next voter" }).click();
  await page.getByLabel("Voting code").waitFor();
  const left = await page.evaluate(() => sessionStorage.length);
  assert(left === 0, "nothing of the voter is left in the browser");
  const after = await fetch(`${base}/api/v1/elections/${e2.id}/ballot`, { headers: { Authorization: "Bearer " + token } });
  assert(after.status === 401, "the server ended the session too (got " + after.status + ")");
});

await test("no inline script or style was blocked and no page error occurred", async () => {
  assert(errors.length === 0, errors.join("\n"));
});

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
