// The browser-test harness shared by every area file: test registration and the runner's
// output ("ok   NAME" / "FAIL NAME", then "N passed, N failed", which tests/run.py parses),
// the browser, and the Visitor: one browser tab whose every step (navigation, click, key,
// fill, reload, Back) is followed by the strict per-page check.
//
// The per-page check fails a step on: a console error or page error; an HTTP error answer the
// test did not announce with expectHttp(); a request that failed; visible text with "[object",
// "null", "undefined", "NaN", a raw text key or a snake_case code; a text of another language's
// table (English on a Danish page); sideways scrolling on a phone; and ANY axe violation,
// whatever its impact.
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const base = process.env.PB_BASE;
const shots = process.env.PB_SCREENSHOTS || "";
const axeSource = fs.readFileSync(path.join(here, "node_modules/axe-core/axe.min.js"), "utf8");
// pictures of failed tests, in this checkout's ignored var/ (other checkouts share /tmp)
const failDir = path.join(here, "..", "..", "var", "browser-failures");

export const PHONE = { width: 390, height: 844 };
export const NARROW = { width: 320, height: 640 };
export const DESKTOP = { width: 1100, height: 900 };

export function assert(cond, what) { if (!cond) throw new Error("assertion failed: " + what); }
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- registration and the runner ---

const tests = [];
export function test(name, fn) { tests.push({ name, fn }); }

let browser = null;
let open = [];       // the contexts of the running test, closed after it
let texts = null;    // the interface texts of every language, read from the served page

export async function runAll() {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"] });
  // PB_BROWSER_ONLY="a|b": the tests whose name contains a or b
  const only = (process.env.PB_BROWSER_ONLY || "").split("|").filter(Boolean);
  let passed = 0, failed = 0;
  for (const { name, fn } of tests) {
    if (only.length && !only.some((o) => name.includes(o))) continue;
    open = [];
    try {
      await fn();
      passed++;
      console.log("ok   " + name);
    } catch (e) {
      failed++;
      console.log("FAIL " + name + "\n" + (e.stack || e));
      await keepFailure(name);
    }
    for (const ctx of open) await ctx.close().catch(() => {});
  }
  await browser.close();
  console.log(`${passed} passed, ${failed} failed`);
  return failed;
}

// A failed test leaves a picture of each of its tabs, for whoever reads the log.
async function keepFailure(name) {
  fs.mkdirSync(failDir, { recursive: true });
  let i = 0;
  for (const ctx of open) for (const p of ctx.pages()) {
    const file = path.join(failDir, name.replace(/[^a-z0-9]+/gi, "-").slice(0, 80) + "-" + (i++) + ".png");
    try { await p.screenshot({ path: file, fullPage: true }); console.log("     picture: " + file + " (" + p.url() + ")"); } catch (e) { /* closed */ }
  }
}

// --- the Visitor ---

// A new browser (context) with one tab. lang: the language the page remembers; size: PHONE,
// NARROW or DESKTOP; downloads: whether the tab may download.
export async function visitor({ lang = "en", size = PHONE, downloads = false } = {}) {
  const ctx = await browser.newContext({ viewport: size, deviceScaleFactor: 1, acceptDownloads: downloads,
                                         locale: lang === "da" ? "da-DK" : "en-GB", hasTouch: size !== DESKTOP });
  open.push(ctx);
  // (a document without storage, such as the error page of a frame the browser refused, has none to set)
  await ctx.addInitScript((l) => { try { if (!localStorage.getItem("pb-lang")) localStorage.setItem("pb-lang", l); } catch (e) { /* none */ } }, lang);
  return new Visitor(ctx, await ctx.newPage(), size);
}

export class Visitor {
  constructor(ctx, page, size) {
    this.ctx = ctx;
    this.page = page;
    this.size = size;
    this.errors = [];
    this.httpErrors = [];
    this.allowed = [];
    this.inflight = new Set();
    page.on("pageerror", (e) => this.errors.push("page error: " + e.message));
    page.on("console", (m) => {
      // failed loads are judged by the response and requestfailed listeners, with what the test allows
      if (m.type() === "error" && !/^Failed to load resource: /.test(m.text()))
        this.errors.push("console error: " + m.text());
    });
    page.on("request", (r) => this.inflight.add(r));
    page.on("requestfinished", (r) => this.inflight.delete(r));
    page.on("requestfailed", (r) => {
      this.inflight.delete(r);
      // a reload or Back cancels what the old page was still fetching: that is not an error
      // (a request that got no answer counts as HTTP status 0)
      if (!/ERR_ABORTED/.test(r.failure()?.errorText || "")) this.httpErrors.push({ status: 0, method: r.method(), url: r.url() });
    });
    page.on("response", (r) => { if (r.status() >= 400) this.httpErrors.push({ status: r.status(), method: r.request().method(), url: r.url() }); });
    page.on("dialog", (d) => this.onDialog ? this.onDialog(d) : d.dismiss());
  }

  // Another tab of the same browser (shares localStorage and cookies, not sessionStorage).
  async newTab() { return new Visitor(this.ctx, await this.ctx.newPage(), this.size); }

  // The test announces an HTTP error answer it provokes on purpose (status, part of the URL;
  // status 0: the request got no answer).
  expectHttp(status, urlPart = "") { this.allowed.push({ status, urlPart }); }

  // Waits until the page has fetched and drawn what the last step started.
  async settle() {
    let quiet = 0;
    for (let i = 0; i < 200 && quiet < 3; i++) {
      await sleep(40);
      const busy = this.inflight.size > 0 || await this.page.evaluate(() => !!document.querySelector("[aria-busy=true]")).catch(() => true);
      quiet = busy ? 0 : quiet + 1;
    }
  }

  async check(step = "") {
    await this.settle();
    const where = `${step || "page"} (${this.page.url().replace(base, "")})`;
    const problems = this.errors.splice(0);
    for (const e of this.httpErrors.splice(0)) {
      const i = this.allowed.findIndex((a) => a.status === e.status && e.url.includes(a.urlPart));
      if (i >= 0) this.allowed.splice(i, 1);
      else problems.push(`unexpected HTTP ${e.status}: ${e.method} ${e.url.replace(base, "")}`);
    }
    // the tab's page, and any of our pages it frames (the widget on a municipality's site)
    const ours = (url) => url.startsWith(base + "/");
    if (ours(this.page.url())) problems.push(...await this.inspect(this.page));
    else problems.push(...(await this.inspect(this.page, false)).map((p) => "host page: " + p));
    for (const f of this.page.frames())
      if (f !== this.page.mainFrame() && ours(f.url())) problems.push(...(await this.inspect(f)).map((p) => "framed page: " + p));
    if (problems.length) throw new Error(`${where}:\n  ` + problems.join("\n  "));
  }

  // What is wrong in one document (a page or a frame); ours: a page of this server, whose
  // texts come from our tables (another site's page is checked for junk, sideways scrolling
  // and axe only).
  async inspect(target, ours = true) {
    const problems = [];
    const seen = await target.evaluate(() => {
      const out = [document.title, document.body.innerText];
      for (const el of document.querySelectorAll("[aria-label],[title],[alt],[placeholder],[aria-valuetext],option"))
        if (!el.closest("[hidden]")) for (const a of ["aria-label", "title", "alt", "placeholder", "aria-valuetext"])
          if (el.hasAttribute(a)) out.push(el.getAttribute(a));
      for (const o of document.querySelectorAll("option")) out.push(o.textContent);
      const d = document.documentElement;
      // literal technical text (a CSV header, a signature) is shown in <code> and <pre> on purpose
      const literal = [...document.querySelectorAll("code, pre, kbd, samp")].map((c) => c.innerText).filter(Boolean);
      // text marked as another language (lang="da" on an English page: a card printed in the
      // election's languages) is that language on purpose
      const foreign = [...document.querySelectorAll("body [lang]")].filter((el) => el.lang !== d.lang && !el.closest("[hidden]"))
        .map((el) => el.innerText).filter(Boolean);
      return { text: out.join("\n"), literal, foreign, overflow: d.scrollWidth - d.clientWidth, lang: d.lang };
    });
    const junk = seen.text.match(/\[object|\bnull\b|\bundefined\b|\bNaN\b/);
    if (junk) problems.push(`the page shows "${junk[0]}": ` + around(seen.text, junk.index));
    if (ours) problems.push(...await this.textProblems(seen, target));
    if (this.size !== DESKTOP && seen.overflow > 0) problems.push(`the page scrolls sideways by ${seen.overflow} px`);
    problems.push(...await this.axe(target));
    return problems;
  }

  // Raw text keys, snake_case codes, and texts of another language than the page's.
  async textProblems(seen, target = this.page) {
    if (!texts) texts = await target.evaluate(async () => (await import("/js/i18n.js")).tables);
    const out = [];
    const keys = new Set(Object.values(texts).flatMap((t) => Object.keys(t)));
    let prose = seen.text;
    for (const l of seen.literal) prose = prose.replace(l, " ");
    for (const m of prose.matchAll(/(?<![\p{L}\p{N}_-])[a-z]+(?:_[a-z0-9]+)+|(?<![\p{L}\p{N}])[a-z]+[A-Z][A-Za-z]*/gu))
      out.push(`raw key or code "${m[0]}"${keys.has(m[0]) ? " (an untranslated text key)" : ""}: ` + around(prose, m.index));
    const mine = texts[seen.lang];
    if (!mine) return out.concat(`the page's language "${seen.lang}" has no texts`);
    const ownValues = new Set(Object.values(mine).flatMap(forms));
    let ownText = prose;   // neither literal text (code, pre) nor parts marked as another language
    for (const line of seen.foreign.flatMap((f) => f.split("\n")).map((l) => l.trim()).filter(Boolean)) ownText = ownText.replaceAll(line, " ");
    for (const [lang, table] of Object.entries(texts)) {
      if (lang === seen.lang) continue;
      for (const value of Object.values(table).flatMap(forms)) {
        for (const piece of value.split(/\{\w+\}/).map((s) => s.trim()).filter((s) => s.length >= 4)) {
          if (ownValues.has(value) || [...ownValues].some((v) => v.includes(piece))) continue;
          const re = new RegExp(`(?<![\\p{L}\\p{N}])${piece.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\p{L}\\p{N}])`, "u");
          const m = ownText.match(re);
          if (m) out.push(`a ${lang} text on a ${seen.lang} page: "${piece}": ` + around(ownText, m.index));
        }
      }
    }
    return out;
  }

  async axe(target = this.page) {
    // evaluate runs outside the page's CSP, which (rightly) refuses inline scripts
    if (!(await target.evaluate(() => !!window.axe))) await target.evaluate(axeSource);
    const result = await target.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"], iframes: false }));
    return result.violations.map((v) => `axe ${v.id} (${v.impact}): ${v.help} — ` +
      v.nodes.slice(0, 4).map((n) => n.target.join(" ")).join(" | "));
  }

  // --- steps: each is checked ---

  async start(query = "") { await this.page.goto(`${base}/${query}`); await this.check("start"); }
  async goto(url) { await this.page.goto(url); await this.check("goto"); }
  async click(locator, step = "click") { await locator.click(); await this.check(step); }
  async dblclick(locator, step = "double-click") { await locator.dblclick(); await this.check(step); }
  async tap(locator, step = "tap") { await locator.tap(); await this.check(step); }
  async fill(locator, value, step = "fill") { await locator.fill(value); await this.check(step); }
  async select(locator, value, step = "select") { await locator.selectOption(value); await this.check(step); }
  async press(key, step = "key " + key) { await this.page.keyboard.press(key); await this.check(step); }
  async reload() { await this.page.reload(); await this.check("reload"); }
  async back() { await this.page.goBack(); await this.check("Back"); }
  async forward() { await this.page.goForward(); await this.check("Forward"); }

  // Keyboard only: presses Tab until the element the locator names has the focus (the front
  // page of a full test run lists a few hundred elections).
  async tabTo(locator, max = 1000) {
    const target = await locator.elementHandle();
    for (let i = 0; i < max; i++) {
      if (await this.page.evaluate((el) => document.activeElement === el, target)) return;
      await this.page.keyboard.press("Tab");
    }
    throw new Error("Tab never reached " + locator);
  }
  // The focused element by what a screen reader calls it (aria-label, else its text), else its id.
  async focused() { return this.page.evaluate(() => { const a = document.activeElement; return a ? (a.getAttribute("aria-label") || a.textContent.trim() || a.id) : ""; }); }

  // Shortcuts for finding things the way a user sees them.
  link(name) { return this.page.getByRole("link", { name, exact: true }); }
  button(name) { return this.page.getByRole("button", { name, exact: true }); }
  heading(name) { return this.page.getByRole("heading", { name }); }
  text(t) { return this.page.getByText(t); }
  // Waits until the page's content (not only the live region) shows the text.
  async see(t) { await this.page.locator("main").getByText(t).first().waitFor(); }
  async live() { return (await this.page.locator("#live").textContent()).trim(); }
  async shot(file) { if (shots) await this.page.screenshot({ path: path.join(shots, file), fullPage: false }); }
}

function around(text, i) { return JSON.stringify(text.slice(Math.max(0, i - 40), i + 50)); }
// A text table's value as plain strings: a plural entry gives each of its forms.
function forms(v) { return typeof v === "string" ? [v] : Object.values(v); }
