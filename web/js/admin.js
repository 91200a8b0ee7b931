// Municipality pages (/admin.html), in Danish or English (the staff member's choice): sign
// in; elections listed and created; each election's pages, one job each (admin/*.js):
// overview with live turnout, settings, districts, proposals and their import, voters,
// paper ballots, phases with count and publish; the organisation's people and its sign-in
// and delivery settings. Routes: #/ (elections), #/e/ID[/SECTION], #/org/ID/people,
// #/org/ID/delivery, #/org/ID/embed/ELECTION, #/accept/TOKEN.
import { api, h, nodes } from "./api.js";
import { staffLanguages, staffLang, pick, setLang, t, useLang, getLang } from "./i18n.js";
import { show as draw, isRoute, busy } from "./page.js";
import { deliveryPage, staffOidcForm } from "./admin-delivery.js";
import { acceptPage } from "./admin-accept.js";
import { embedPage } from "./admin-embed.js";
import { call, note, once, setStaffToken, staffToken, val, whenExpired, field, fieldError } from "./admin/common.js";
import { settingsForm } from "./admin/settings.js";
import { districtsSection } from "./admin/districts.js";
import { proposalsSection } from "./admin/proposals.js";
import { votersSection } from "./admin/voters.js";
import { paperSection } from "./admin/paper.js";
import { countSection } from "./admin/count.js";
import { peoplePage } from "./admin/people.js";
import { turnoutSection, demographicsSection } from "./observer/turnout.js";

let routed = false;
let me = null; // GET /staff/me of the signed-in account

function show(...nodes) { draw(t("stApp"), ...nodes); }

// The header's texts and the language menu follow the interface language.
function drawHeader() {
  document.querySelector("a.skip").textContent = t("skip");
  document.querySelector("header.top .brand").textContent = t("stApp");
  document.querySelector("#observer-link").textContent = t("stObserverPage");
  const logout = document.getElementById("logout");
  logout.textContent = t("stLogOut");
  logout.hidden = !staffToken();
  const menu = document.getElementById("staff-lang");
  menu.replaceChildren(...staffLanguages.map(([code, name]) => h("option", { value: code, selected: code === getLang() }, name)));
  menu.setAttribute("aria-label", t("language"));
}

function loginPage(notice) {
  const n = note(notice);
  let totp = false; // asked for only when the account has an authenticator
  const totpBox = h("div", {});
  show(h("h1", {}, t("stSignInTitle")), n.box,
    h("form", { id: "signin-form", novalidate: true, onsubmit: once(async () => {
      if (!val("email") || !val("password")) return fieldError(val("email") ? "password" : "email", t("stSignInMissing"));
      const body = { email: val("email"), password: document.getElementById("password").value };
      if (totp) body.totp = val("totp");
      try {
        const r = await api("POST", "/staff/login", body);
        setStaffToken(r.token);
        me = null;
        route();
      } catch (e) {
        if (e.code === "totp_required" && !totp) {
          totp = true;
          totpBox.replaceChildren(...field("totp", t("stTotpCode"), { inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}" }));
          n.say(t("stTotpAsk"));
          document.getElementById("totp").focus();
          return;
        }
        n.fail(e.status === 401 || e.code === "invalid_credentials" || e.code === "unauthorized" ? t("stSignInWrong")
          : e.code === "rate_limited" ? t("err_rate_limited") : e.code === "totp_required" || e.field === "totp" ? t("stTotpWrong") : e);
      }
    }, n) },
    field("email", t("stEmail"), { type: "email", autocomplete: "username", required: true }),
    field("password", t("stPassword"), { type: "password", autocomplete: "current-password", required: true }),
    totpBox,
    h("p", {}, h("button", { type: "submit", id: "signin" }, t("stSignIn")))), staffOidcForm());
}

async function listPage() {
  const list = (await call("GET", "/elections")).elections;
  const orgs = [...new Set(me.roles.filter((r) => r.role === "admin" && r.election_id === null).map((r) => r.organisation_id))];
  // the organisations by name (a municipality knows itself by its name, not a number)
  const names = orgs.length ? Object.fromEntries((await call("GET", "/organisations")).organisations.map((o) => [o.id, o.name])) : {};
  const orgName = (o) => names[o] || String(o);
  show(h("h1", {}, t("stElections")),
    list.length ? h("ul", {}, list.map((e) => h("li", {}, h("a", { href: `#/e/${e.id}` }, pick(e.title, e.default_language)), ` · ${t("phase_" + e.phase)}`)))
      : h("p", {}, t("stNoElections")),
    orgs.length ? h("p", { class: "row" }, orgs.map((o) => [h("a", { href: `#/org/${o}/people` }, t("stPeopleOf", { n: orgName(o) })), h("a", { href: `#/org/${o}/delivery` }, t("stDeliveryOf", { n: orgName(o) }))])) : null,
    me.superadmin || orgs.length ? [h("h2", {}, t("stNewElection")), settingsForm(undefined, (e) => { location.hash = `#/e/${e.id}/districts`; })] : null);
}

const SECTIONS = ["overview", "settings", "districts", "proposals", "voters", "paper", "count"];
// The roles (besides admin) whose work a section is: the others do not see it.
const SECTION_ROLES = { overview: ["moderator", "clerk", "observer"], proposals: ["moderator"], paper: ["clerk"] };

// The overview: turnout by district and hour (with the codes made and voters signed in),
// and, where the register gives birth dates and areas, turnout by age band and area (small
// cells suppressed by the server): the observers' charts, fetched again every 10 s while the
// overview is showing.
async function overview(e) {
  const box = h("div", { id: "turnout-box" });
  const name = (x) => pick(x, e.default_language);
  async function turnout() {
    try {
      const [tr, demo] = await Promise.all([call("GET", `/elections/${e.id}/turnout`),
        call("GET", `/elections/${e.id}/turnout/demographics`).catch(() => null)]);
      box.replaceChildren(...nodes([turnoutSection(e, tr, name),
        demo && demo.eligible > 0 && (demo.by_age.length || demo.by_area.length) ? demographicsSection(demo) : null]));
    } catch (err) { box.replaceChildren(h("h2", {}, t("stTurnout")), h("p", {}, t("stTurnoutNone"))); }
  }
  await turnout();
  const timer = setInterval(() => { if (!box.isConnected) clearInterval(timer); else turnout(); }, 10000);
  return h("section", {}, box,
    h("h2", {}, t("stLinks")),
    h("ul", {}, h("li", {}, h("a", { href: `/#/e/${e.id}` }, t("stCitizenPage"))), h("li", {}, h("a", { href: `/observer.html#/e/${e.id}` }, t("stObserverPage"))),
      h("li", {}, h("a", { href: `/live.html#/e/${e.id}` }, t("stProjector"))), h("li", {}, h("a", { href: `/?kiosk=1#/e/${e.id}/signin` }, t("stKiosk")))));
}

async function electionPage(eid, section, flash) {
  const e = await call("GET", `/elections/${eid}`);
  const reload = (m) => busy(() => electionPage(eid, section, m));
  const mine = me.roles.filter((r) => r.organisation_id === e.organisation_id && (r.election_id === null || r.election_id === e.id)).map((r) => r.role);
  const isAdmin = me.superadmin || mine.includes("admin");
  const sections = SECTIONS.filter((x) => isAdmin || (SECTION_ROLES[x] || []).some((r) => mine.includes(r)));
  if (!sections.includes(section || "overview")) section = "overview";
  let body;
  if (section === "settings") body = h("section", {}, h("h2", {}, t("stSettings")), settingsForm(e, () => {}));
  else if (section === "districts") body = districtsSection(e, reload, flash);
  else if (section === "proposals") body = await proposalsSection(e, reload, flash);
  else if (section === "voters") body = await votersSection(e, reload, flash);
  else if (section === "paper") body = await paperSection(e, reload, flash, { admin: isAdmin });
  else if (section === "count") body = await countSection(e, reload, flash);
  else body = await overview(e);
  show(h("h1", {}, pick(e.title, e.default_language)),
    h("p", {}, t("stElectionLine", { phase: t("phase_" + e.phase), ballot: t("stBallot_" + e.ballot.type), rule: t("stRule_" + e.rule) }),
      (e.district_groups || []).filter((g) => g.ballot).map((g) => " · " + t("stGroupLine", { name: pick(g.name, e.default_language),
        ballot: t("stBallot_" + g.ballot.type), rule: t("stRule_" + g.rule) }))),
    h("nav", { class: "sub", "aria-label": t("stElectionPages") }, sections.map((s) => h("a", { href: `#/e/${eid}${s === "overview" ? "" : "/" + s}`,
      "aria-current": s === (section || "overview") ? "page" : false }, t("stSection_" + s))),
      isAdmin ? [h("a", { href: `#/org/${e.organisation_id}/people` }, t("stPeople")),
        h("a", { href: `#/org/${e.organisation_id}/delivery` }, t("stDeliveryLink")),
        h("a", { href: `#/org/${e.organisation_id}/embed/${eid}` }, t("embedLink"))] : null,
      h("a", { href: "#/" }, t("stAllElections"))),
    body);
}

async function orgPeople(org, flash) {
  const reload = (m) => busy(() => orgPeople(org, m));
  show(...await peoplePage(org, me, reload, flash), h("p", {}, h("a", { href: "#/" }, t("stAllElections"))));
}

async function route() {
  if (routed && !isRoute(location.hash)) return;   // the skip link's #main is not a route
  routed = true;
  drawHeader();
  const parts = location.hash.slice(1).split("/").filter(Boolean);
  if (parts[0] === "accept" && parts[1]) return acceptPage(show, parts[1], loginPage);
  if (!staffToken()) return loginPage();
  await busy(async () => {
    try {
      if (!me) me = await call("GET", "/staff/me");
      if (parts[0] === "e" && parts[1]) await electionPage(parts[1], parts[2]);
      else if (parts[0] === "org" && parts[2] === "people") await orgPeople(parts[1]);
      else if (parts[0] === "org" && parts[2] === "delivery") await deliveryPage(show, staffToken(), parts[1]);
      else if (parts[0] === "org" && parts[2] === "embed") await embedPage(show, staffToken(), parts[1], parts[3]);
      else await listPage();
    } catch (err) {
      if (!staffToken()) return; // the session ended: the sign-in form is showing
      const n = note();
      show(h("h1", {}, t("stError")), n.box, h("p", {}, h("a", { href: "#/" }, t("stAllElections"))));
      n.fail(err);
    }
  });
}

whenExpired((message) => { me = null; drawHeader(); loginPage(message); });
useLang(staffLang());
document.getElementById("staff-lang").addEventListener("change", (ev) => { setLang(ev.target.value); route(); });
document.getElementById("logout").addEventListener("click", async () => {
  try { await api("POST", "/staff/logout", {}, staffToken()); } catch (e) { /* gone anyway */ }
  setStaffToken(null); me = null; location.hash = "#/"; route();
});
window.addEventListener("hashchange", route);
route();
