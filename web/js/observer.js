// Observer pages: sign in with the observer role on the page itself, follow turnout by
// district and by hour, read the audit log and check its hash chain in the browser, see the
// results by project name, and download every signed export once voting has closed. Public
// data (published results, the bulletin board) needs no sign-in.
import { api, h } from "./api.js";
import { pick, t, errorText, getLang, setLang, staffLanguages, staffLang, useLang } from "./i18n.js";
import { show as draw, isRoute, busy } from "./page.js";
import { token, signIn, signOut, onExpired, get } from "./observer/session.js";
import { turnoutSection, demographicsSection } from "./observer/turnout.js";
import { frameRule } from "./frames.js";
import { resultsSection } from "./observer/results.js";
import { auditSection } from "./observer/audit.js";
import { exportsSection } from "./observer/exports.js";

let routed = false;
let seq = 0;          // the newest route: an older one's late answer draws nothing
let notice = null;    // a message for the next sign-in form (expired, signed out)
let after = "#/";     // where the sign-in form returns to: the last page before it

function show(...n) { draw(t("obs_app"), ...n); }
function msg(text, error) { return h("div", { class: "msg" + (error ? " error" : ""), role: error ? "alert" : "status" }, text); }

// The header in the page's language: the language menu and signing in or out.
function chrome() {
  document.documentElement.lang = getLang();
  document.getElementById("brand").textContent = t("obs_app");
  document.querySelector("a.skip").textContent = t("skip");
  document.getElementById("lang-label").textContent = t("language");
  const auth = document.getElementById("auth");
  auth.replaceChildren(token()
    ? h("button", { type: "button", class: "secondary small", id: "signout", onclick: () => { signOut(); notice = t("obs_signedOut"); chrome(); go("#/signin"); } }, t("obs_signOut"))
    : h("a", { href: "#/signin", id: "signin-link" }, t("obs_signInLink")));
}

function go(hash) { if (location.hash === hash) route(); else location.hash = hash; }

// A session that ended while the page was open: back to the form, saying why.
onExpired(() => {
  notice = t("obs_expired");
  chrome();
  go("#/signin");
});

function signInPage() {
  const out = h("div", {}, notice ? msg(notice) : null);
  notice = null;
  const field = (id, label, attrs) => h("div", {}, h("label", { for: id }, label), h("input", Object.assign({ id, name: id }, attrs)));
  const totp = field("totp", t("obs_totp"), { inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}" });
  totp.hidden = true;   // asked for only when the account has it (the server answers totp_required)
  show(h("h1", {}, t("obs_signInTitle")), h("p", {}, t("obs_signInIntro")), out,
    h("form", { id: "observer-signin", onsubmit: async (ev) => {
      ev.preventDefault();
      const f = ev.target;
      const body = { email: f.email.value.trim(), password: f.password.value };
      if (f.totp.value.trim()) body.totp = f.totp.value.trim();
      f.querySelector("button").disabled = true;
      try {
        const r = await api("POST", "/staff/login", body);
        signIn(r.token);
        chrome();
        go(after);
      } catch (e) {
        if (e.code === "totp_required") { totp.hidden = false; f.totp.focus(); }
        out.replaceChildren(msg(errorText(e), true));
      } finally { f.querySelector("button").disabled = false; }
    } },
    field("email", t("obs_email"), { type: "email", autocomplete: "username", required: true }),
    field("password", t("obs_password"), { type: "password", autocomplete: "current-password", required: true }),
    totp, h("p", {}, h("button", { type: "submit" }, t("obs_signIn")))));
}

async function home(mine) {
  const list = (await get("/elections")).elections;
  if (mine !== seq) return;
  show(h("h1", {}, t("obs_elections")),
    h("ul", {}, list.map((e) => h("li", {}, h("a", { href: `#/e/${e.id}` }, pick(e.title, e.default_language)), ` — ${t("phase_" + e.phase)}`))));
}

// Asks, and turns the refusals a section expects (403 not staff here, 404 not counted yet,
// 409 wrong phase) into null; anything else stops the page.
async function maybe(path) {
  try { return await get(path); } catch (e) { if ([403, 404, 409].includes(e.status)) return null; throw e; }
}

async function electionPage(eid, mine) {
  let e;
  try { e = await get(`/elections/${eid}`); }
  catch (err) { if (err.status === 404 || err.status === 400) { show(h("h1", {}, t("obs_app")), msg(t("obs_noSuchElection"), true)); return; } throw err; }
  // a session that ended reads as anonymous on the public routes: ask once whether it still holds
  if (token()) await get("/staff/me");
  const name = (x) => pick(x, e.default_language);
  const districtName = (id) => name((e.districts.find((x) => x.id === id) || {}).name);
  const staff = !!token();
  const counted = e.phase === "closed" || e.phase === "published";
  const [tr, res, props, board, audit, manifest, key, demo] = await Promise.all([
    get(`/elections/${eid}/turnout`),
    counted && (staff || e.phase === "published") ? maybe(`/elections/${eid}/results`) : null,
    counted ? get(`/elections/${eid}/proposals`).then((x) => x.proposals) : [],
    get(`/elections/${eid}/trackers`),
    staff ? maybe(`/elections/${eid}/audit`) : null,
    counted && (staff || e.phase === "published") ? maybe(`/elections/${eid}/export?format=manifest`) : null,
    counted ? maybe(`/elections/${eid}/public-key`) : null,
    staff && e.phase !== "draft" ? maybe(`/elections/${eid}/turnout/demographics`) : null]);
  if (mine !== seq) return;
  // one rule for the page where every frame is counted alike; else each district says its own
  const rules = new Set(e.districts.map((d) => frameRule(e, d.id)));
  const one = rules.size <= 1 ? (rules.size ? [...rules][0] : e.rule) : null;
  const rule = ["greedy", "equal_shares", "phragmen"].includes(one) ? t("obs_rule", { rule: t("rule_" + one) }) : "";
  const parts = [h("h1", {}, name(e.title)), h("p", {}, t("obs_phase", { phase: t("phase_" + e.phase) }), " ", rule),
    h("p", {}, h("a", { href: `/live.html#/e/${eid}` }, t("obs_projector")))];
  if (e.phase === "voting") parts.push(msg(t("obs_interim")));
  else if (!counted) parts.push(msg(t("obs_beforeVoting")));
  parts.push(turnoutSection(e, tr, name));
  if (demo && demo.eligible) parts.push(demographicsSection(demo));
  if (counted) {
    if (res) parts.push(resultsSection(e, res, props, name, !one));
    else parts.push(h("h2", { id: "results" }, t("obs_results")), h("p", {}, staff ? t("obs_resultsNone") : t("obs_resultsHidden")));
  }
  let check = null;
  if (audit) { const a = auditSection(audit.entries); parts.push(a.nodes); check = a.check; }
  else parts.push(h("h2", { id: "audit" }, t("obs_audit")), h("p", {}, staff ? t("obs_auditForbidden") : t("obs_auditSignIn")));
  if (manifest) parts.push(exportsSection(eid, manifest, key, districtName));
  else if (counted) parts.push(h("h2", { id: "exports" }, t("obs_exports")), h("p", {}, staff ? t("obs_auditForbidden") : t("obs_exportsSignIn")));
  parts.push(h("h2", {}, t("obs_board")), h("p", {}, t("boardCount", { n: board.trackers.length })),
    board.trackers.length ? h("details", {}, h("summary", {}, t("obs_allTrackers")), h("pre", { class: "tracker" }, board.trackers.join("\n"))) : null);
  show(...parts);
  if (check) await check();
}

async function route() {
  if (routed && !isRoute(location.hash)) return;   // the skip link's #main is not a route
  routed = true;
  const mine = ++seq;
  const parts = location.hash.slice(1).split("/").filter(Boolean);
  if (parts[0] !== "signin") after = location.hash || "#/";
  await busy(async () => {
    try {
      if (parts[0] === "signin") signInPage();
      else if (parts[0] === "e" && parts[1]) await electionPage(parts[1], mine);
      else await home(mine);
    } catch (e) {
      if (e.status === 401) return;   // the session ended: the sign-in form is on its way
      if (mine === seq) show(h("h1", {}, t("obs_app")), msg(errorText(e), true));
    }
  });
}

useLang(staffLang());
const langSel = document.getElementById("lang");
langSel.replaceChildren(...staffLanguages.map(([code, n]) => h("option", { value: code, lang: code }, n)));
langSel.value = getLang();
langSel.addEventListener("change", () => { setLang(langSel.value); chrome(); route(); });
chrome();
window.addEventListener("hashchange", route);
route();
