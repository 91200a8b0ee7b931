// Municipality pages: sign in; create and configure an election end to end; moderate and
// cost proposals; voting codes and printable cards; the register; paper ballots; turnout;
// close, count and publish. Staff texts are in English; election texts in Danish and English.
import { api, h } from "./api.js";
import { pick, money, useLang } from "./i18n.js";
import { show as draw, isRoute } from "./page.js";
import { deliveryPage, staffOidcForm } from "./admin-delivery.js";
import { acceptPage } from "./admin-accept.js";

let routed = false;
useLang("en");   // the staff pages are written in English
// What staff read for the API's ballot types and counting rules.
const ballotNames = { approval: "Approval", knapsack: "Knapsack (budget)", cumulative: "Cumulative (points)", ordinal: "Ordinal (ranking)" };
const ruleNames = { greedy: "Greedy (most votes first)", equal_shares: "Method of Equal Shares", phragmen: "Sequential Phragmén" };
let token = sessionStorage.getItem("pb-staff");

function show(...nodes) { draw("Borgerbudget · staff", ...nodes); }
function msg(text, error) { return h("div", { class: "msg" + (error ? " error" : ""), role: error ? "alert" : "status" }, text); }
function field(id, label, attrs) { return [h("label", { for: id }, label), h("input", Object.assign({ id, name: id }, attrs || {}))]; }
function val(id) { const el = document.getElementById(id); return el ? el.value.trim() : ""; }
function num(id) { const v = val(id); return v === "" ? undefined : Number(v); }
function minor(id) { const v = val(id).replace(",", "."); return v === "" ? undefined : Math.round(Number(v) * 100); }
async function call(method, path, body, out) {
  try { return await api(method, path, body, token); }
  catch (e) {
    if (e.status === 401) { sessionStorage.removeItem("pb-staff"); token = null; }
    if (out) out.replaceChildren(msg(`${e.message || e.code} (${e.code})`, true));
    throw e;
  }
}

function loginPage(notice) {
  const out = h("div", {}, notice ? msg(notice) : null);
  show(h("h1", {}, "Staff sign-in"), out,
    h("form", { onsubmit: async (ev) => {
        ev.preventDefault();
        const body = { email: val("email"), password: val("password") };
        if (val("totp")) body.totp = val("totp");
        try { const r = await call("POST", "/staff/login", body, out); token = r.token; sessionStorage.setItem("pb-staff", token); route(); } catch (e) { /* shown */ }
      } },
      field("email", "E-mail", { type: "email", autocomplete: "username", required: true }),
      field("password", "Password", { type: "password", autocomplete: "current-password", required: true }),
      field("totp", "Authenticator code (if enabled)", { inputmode: "numeric", autocomplete: "one-time-code" }),
      h("p", {}, h("button", { type: "submit", id: "signin" }, "Sign in"))), staffOidcForm());
}

async function listPage() {
  const list = (await call("GET", "/elections")).elections;
  const out = h("div", {});
  const typeSel = h("select", { id: "btype" }, Object.entries(ballotNames).map(([x, name]) => h("option", { value: x }, name)));
  const ruleSel = h("select", { id: "rule" }, Object.entries(ruleNames).map(([x, name]) => h("option", { value: x }, name)));
  show(h("h1", {}, "Elections"),
    h("ul", {}, list.map((e) => h("li", {}, h("a", { href: `#/e/${e.id}` }, pick(e.title, e.default_language)), ` — ${e.phase}`))),
    h("h2", {}, "New election"), out,
    h("form", { id: "new-election", onsubmit: async (ev) => {
        ev.preventDefault();
        const ballot = { type: typeSel.value };
        for (const k of ["min_selections", "max_selections", "points", "max_points_per_project", "max_ranks"]) if (num("b-" + k) !== undefined) ballot[k] = num("b-" + k);
        if (val("b-min_spend_share")) ballot.min_spend_share = Number(val("b-min_spend_share")) / 100;
        const body = { slug: val("slug"), title: { da: val("title-da"), en: val("title-en") || val("title-da") },
                       description: { da: val("desc-da") || val("title-da"), en: val("desc-en") || val("desc-da") || val("title-en") || val("title-da") },
                       currency: val("currency") || "DKK", ballot, rule: ruleSel.value, languages: ["da", "en"] };
        try { const e = await call("POST", "/elections", body, out); location.hash = `#/e/${e.id}`; } catch (e) { /* shown */ }
      } },
      h("div", { class: "grid2" },
        h("div", {}, field("slug", "Short name for links (a-z, 0-9, -)", { required: true, pattern: "[a-z0-9][a-z0-9\\-]*" })),
        h("div", {}, field("currency", "Currency", { value: "DKK", maxlength: 3 })),
        h("div", {}, field("title-da", "Title (Danish)", { required: true })),
        h("div", {}, field("title-en", "Title (English)")),
        h("div", {}, field("desc-da", "Description (Danish)")),
        h("div", {}, field("desc-en", "Description (English)")),
        h("div", {}, h("label", { for: "btype" }, "Ballot type"), typeSel),
        h("div", {}, h("label", { for: "rule" }, "Counting rule"), ruleSel),
        h("div", {}, field("b-min_selections", "Minimum choices", { type: "number", min: 0 })),
        h("div", {}, field("b-max_selections", "Maximum choices", { type: "number", min: 0 })),
        h("div", {}, field("b-min_spend_share", "Knapsack: spend at least (%)", { type: "number", min: 0, max: 100 })),
        h("div", {}, field("b-points", "Cumulative: points to give", { type: "number", min: 1 })),
        h("div", {}, field("b-max_points_per_project", "Cumulative: most points per proposal", { type: "number", min: 1 })),
        h("div", {}, field("b-max_ranks", "Ordinal: rank at most", { type: "number", min: 1 }))),
      h("p", {}, h("button", { type: "submit", id: "create" }, "Create election"))));
}

async function electionPage(eid) {
  const e = await call("GET", `/elections/${eid}`);
  const props = (await call("GET", `/elections/${eid}/proposals`)).proposals;
  const out = h("div", { "aria-live": "polite" });
  const cur = (c) => money(c, e.currency);
  const name = (x) => pick(x, e.default_language);
  const reload = () => electionPage(eid);
  const step = (label, fn, id) => h("button", { type: "button", id, onclick: async () => { try { await fn(); await reload(); } catch (err) { /* shown */ } } }, label);

  const phases = h("p", { class: "row" }, ["proposals", "review", "voting", "closed"].map((p) =>
    step(p === e.phase ? `✓ ${p}` : `→ ${p}`, () => call("POST", `/elections/${eid}/phase`, { phase: p }, out), "phase-" + p)),
    step("Count (tally)", () => call("POST", `/elections/${eid}/tally`, {}, out), "tally"),
    step("Publish results", () => call("POST", `/elections/${eid}/publish`, {}, out), "publish"));

  const districts = h("div", {}, h("ul", {}, e.districts.map((d) => h("li", {}, `${name(d.name)} — ${cur(d.budget)} (id ${d.id})`))),
    h("form", { id: "add-district", onsubmit: async (ev) => { ev.preventDefault();
        try { await call("POST", `/elections/${eid}/districts`, { name: { da: val("d-da"), en: val("d-en") || val("d-da") }, budget: minor("d-budget") }, out); reload(); } catch (err) { /* shown */ } } },
      h("div", { class: "grid2" }, h("div", {}, field("d-da", "District name (Danish)", { required: true })), h("div", {}, field("d-en", "District name (English)")),
        h("div", {}, field("d-budget", `Budget (${e.currency})`, { type: "number", min: 1, step: "0.01", required: true }))),
      h("p", {}, h("button", { type: "submit", id: "add-district-btn" }, "Add district"))));

  const distSel = (id) => h("select", { id }, e.districts.map((d) => h("option", { value: d.id }, name(d.name))));
  const proposalRows = props.map((p) => h("tr", {},
    h("td", {}, name(p.title)), h("td", {}, p.cost === null ? "not set (citizen's idea)" : cur(p.cost)), h("td", {}, p.status),
    h("td", {}, h("div", { class: "row" },
      step("Accept", () => call("PATCH", `/proposals/${p.id}`, { status: "accepted" }, out), `accept-${p.id}`),
      step("Reject", () => { const reason = prompt("Reason shown to the author:"); return reason ? call("PATCH", `/proposals/${p.id}`, { status: "rejected", reason }, out) : null; }, `reject-${p.id}`),
      step("Set cost", () => { const v = prompt(`Final cost in ${e.currency}:`, p.cost === null ? "" : String(p.cost / 100));
        return v ? call("PATCH", `/proposals/${p.id}`, { cost: Math.round(Number(v.replace(",", ".")) * 100) }, out) : null; }, `cost-${p.id}`)))));
  const proposalsBox = h("div", {},
    h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Proposal"), h("th", {}, "Cost"), h("th", {}, "Status"), h("th", {}, "Actions"))), h("tbody", {}, proposalRows)),
    h("form", { id: "add-proposal", onsubmit: async (ev) => { ev.preventDefault();
        try { await call("POST", `/elections/${eid}/proposals`, { district_id: Number(document.getElementById("p-district").value),
          title: { da: val("p-da"), en: val("p-en") || val("p-da") }, summary: { da: val("p-sum-da") || val("p-da"), en: val("p-sum-en") || val("p-en") || val("p-da") },
          cost: minor("p-cost") }, out); reload(); } catch (err) { /* shown */ } } },
      h("div", { class: "grid2" },
        h("div", {}, h("label", { for: "p-district" }, "District"), distSel("p-district")),
        h("div", {}, field("p-cost", `Cost (${e.currency})`, { type: "number", min: 1, step: "0.01", required: true })),
        h("div", {}, field("p-da", "Title (Danish)", { required: true })), h("div", {}, field("p-en", "Title (English)")),
        h("div", {}, field("p-sum-da", "Summary (Danish)")), h("div", {}, field("p-sum-en", "Summary (English)"))),
      h("p", {}, h("button", { type: "submit", id: "add-proposal-btn" }, "Add proposal"))));

  const codes = h("form", { id: "codes", onsubmit: (ev) => ev.preventDefault() },
    h("div", { class: "grid2" }, h("div", {}, h("label", { for: "c-district" }, "District"), distSel("c-district")),
      h("div", {}, field("c-count", "How many codes", { type: "number", min: 1, max: 20000, value: 100 }))),
    h("p", { class: "row" }, ...[["csv", "Download CSV (mail merge)"], ["html", "Printable cards"]].map(([fmt, label]) =>
      h("button", { type: "button", id: "codes-" + fmt, onclick: async () => {
        const res = await fetch(`/api/v1/elections/${eid}/codes?format=${fmt}`, { method: "POST",
          headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
          body: JSON.stringify({ district_id: Number(document.getElementById("c-district").value), count: num("c-count") }) });
        if (!res.ok) { out.replaceChildren(msg((await res.json()).error.message, true)); return; }
        const blob = await res.blob();
        const a = h("a", { href: URL.createObjectURL(blob), download: fmt === "csv" ? "voting-codes.csv" : "voting-cards.html" }, "");
        document.body.append(a); a.click(); a.remove();
        out.replaceChildren(msg("The codes were made and downloaded. They are shown this once only."));
      } }, label))));

  const register = h("form", { id: "register", onsubmit: async (ev) => { ev.preventDefault();
      const file = document.getElementById("reg-file").files[0];
      if (!file) return;
      const res = await fetch(`/api/v1/elections/${eid}/register`, { method: "POST", headers: { "Authorization": "Bearer " + token, "Content-Type": "text/csv" }, body: await file.text() });
      const j = await res.json();
      out.replaceChildren(res.ok ? msg(`${j.rows} register rows stored (as keyed hashes).`) : msg(j.error.message, true)); } },
    h("label", { for: "reg-file" }, "Voter register (CSV with the columns ", h("code", {}, "personal_id,birth_date,postcode,district_id[,contact]"), ")"),
    h("input", { id: "reg-file", type: "file", accept: ".csv,text/csv" }), h("p", {}, h("button", { type: "submit" }, "Upload register")));

  const paperChoices = h("fieldset", {}, h("legend", {}, "Proposals marked on the sheet"),
    props.filter((p) => p.status === "accepted").map((p) => h("label", { class: "row" },
      h("input", { type: "checkbox", value: p.id, class: "paper-choice" }), `${name(p.title)} (${cur(p.cost)})`)));
  const paper = h("form", { id: "paper", onsubmit: async (ev) => { ev.preventDefault();
      const chosen = [...document.querySelectorAll(".paper-choice:checked")].map((x) => Number(x.value));
      const type = e.ballot.type;
      const ballot = type === "cumulative" ? { points: Object.fromEntries(chosen.map((id) => [String(id), 1])) }
                   : type === "ordinal" ? { ranking: chosen } : { approvals: chosen };
      try { const r = await call("POST", `/elections/${eid}/paper-ballots`, { sheet: val("sheet"), code: val("paper-code"), ballot }, out);
            out.replaceChildren(msg(`Sheet ${r.sheet}: ${r.status}.${r.replaced_online ? " This voter had voted online; the paper ballot counts instead." : ""}`)); }
      catch (err) { /* shown */ } } },
    h("div", { class: "grid2" }, h("div", {}, field("sheet", "Sheet number", { required: true })), h("div", {}, field("paper-code", "Voter's code", { required: true }))),
    paperChoices, h("p", {}, h("button", { type: "submit" }, "Enter paper ballot")));

  const turnoutBox = h("div", { "aria-live": "polite" });
  async function turnout() {
    try {
      const tr = await call("GET", `/elections/${eid}/turnout`);
      turnoutBox.replaceChildren(h("p", {}, `${tr.total} ballots`), h("ul", {}, tr.districts.map((d) => {
        const dist = e.districts.find((x) => x.id === d.district_id);
        return h("li", {}, `${dist ? name(dist.name) : d.district_id}: ${d.ballots} ballots, ${d.voters} signed in, ${d.codes} codes`);
      })));
    } catch (err) { /* not allowed */ }
  }
  turnout();
  const timer = setInterval(() => { if (!location.hash.startsWith(`#/e/${eid}`)) clearInterval(timer); else turnout(); }, 10000);

  show(h("h1", {}, name(e.title)), h("p", {}, `Phase: ${e.phase} · ballot: ${ballotNames[e.ballot.type] || e.ballot.type} · rule: ${ruleNames[e.rule] || e.rule} · id ${e.id}`),
    h("nav", { class: "sub" }, h("a", { href: `#/org/${e.organisation_id}/delivery` }, "Sign-in and delivery"),
      h("a", { href: `/#/e/${eid}` }, "Citizen page"), h("a", { href: `/observer.html#/e/${eid}` }, "Observer page"),
      h("a", { href: `/live.html#/e/${eid}` }, "Projector screen"), h("a", { href: `/?kiosk=1#/e/${eid}/signin` }, "Kiosk mode")),
    out, h("h2", {}, "Phase, count and publish"), phases, h("h2", {}, "Turnout (live)"), turnoutBox,
    h("h2", {}, "Districts and budgets"), districts, h("h2", {}, "Proposals"), proposalsBox,
    h("h2", {}, "Voting codes"), codes, h("h2", {}, "Voter register"), register, h("h2", {}, "Paper ballots (clerk)"), paper);
}

async function route() {
  if (routed && !isRoute(location.hash)) return;   // the skip link's #main is not a route
  routed = true;
  const logout = document.getElementById("logout");
  logout.hidden = !token;
  const parts = location.hash.slice(1).split("/").filter(Boolean);
  if (parts[0] === "accept" && parts[1]) return acceptPage(show, parts[1], loginPage);
  if (!token) return loginPage();
  try {
    if (parts[0] === "e" && parts[1]) await electionPage(parts[1]);
    else if (parts[0] === "org" && parts[2] === "delivery") await deliveryPage(show, token, parts[1]);
    else await listPage();
  } catch (e) { if (!token) loginPage(); else show(h("h1", {}, "Error"), msg(e.message || String(e.code), true)); }
}
document.getElementById("logout").addEventListener("click", async () => {
  try { await api("POST", "/staff/logout", {}, token); } catch (e) { /* gone anyway */ }
  sessionStorage.removeItem("pb-staff"); token = null; route();
});
window.addEventListener("hashchange", route);
route();
