// The organisation's sign-in and delivery page for its admins (#/org/ID/delivery): the
// OpenID provider for citizens (MitID) and staff, e-mail by SMTP and SMS by a gateway (secrets
// are named credentials of the server, never typed here), a test message, the outbox with
// each message's state, and an election's message texts; and the staff sign-in through
// the organisation's provider. Used by admin.js (one route, one link, one form on the
// sign-in page).
import { api, h } from "./api.js";
import { pick, t, tables } from "./i18n.js";
import { staffOidcStart } from "./oidc.js";
import { fieldError } from "./admin/common.js";

function msg(text, error) { return h("div", { class: "msg" + (error ? " error" : ""), role: error ? "alert" : "status" }, text); }
function input(id, label, value, attrs) {
  return [h("label", { for: id }, label), h("input", Object.assign({ id, name: id, value: value == null ? "" : String(value) }, attrs || {}))];
}
// options: values, each shown by the text the table names ("dlOption_" + value), or its own
// name when it is a technical term (SMTP, TLS) or a language.
function select(id, label, options, value) {
  const text = (o) => (tables.en["dlOption_" + o] !== undefined ? t("dlOption_" + o)
    : id === "t-lang" ? new Intl.DisplayNames([document.documentElement.lang], { type: "language" }).of(o) : o.toUpperCase());
  return [h("label", { for: id }, label),
    h("select", { id, name: id }, options.map((o) => h("option", { value: o, selected: o === value }, text(o))))];
}
function v(id) { const el = document.getElementById(id); return el ? el.value.trim() : ""; }
function opt(obj, key, value) { if (value !== "") obj[key] = value; return obj; }

async function run(token, out, method, path, body) {
  try { return await api(method, path, body, token); }
  catch (e) { out.replaceChildren(msg(`${e.message || e.code} (${e.code})`, true)); throw e; }
}

function providerForm(token, org, purpose, current, out, reload) {
  const p = current || {};
  const id = (k) => `${purpose}-${k}`;
  const fields = [
    input(id("issuer"), t("dlIssuer"), p.issuer, { type: "url" }),
    input(id("client"), t("dlClient"), p.client_id),
    input(id("secret"), t("dlSecret"), p.client_secret_ref),
    input(id("scopes"), t("dlScopes"), p.scopes || "openid"),
  ];
  if (purpose === "citizen") {
    fields.push(input(id("claim"), t("dlClaim"), p.eligibility_claim || "sub"),
      input(id("birth"), t("dlBirth"), p.birthdate_claim),
      input(id("age"), t("dlAge"), p.min_age, { inputmode: "numeric" }),
      select(id("open"), t("dlOpen"), ["register", "anyone"], p.open_to_all ? "anyone" : "register"),
      input(id("da"), t("dlButtonDa"), p.button_text ? p.button_text.da : "Log ind med MitID"),
      input(id("en"), t("dlButtonEn"), p.button_text ? p.button_text.en : "Sign in with MitID"));
  }
  const state = current ? (current.client_secret_available || !current.client_secret_ref
    ? t("dlSecretThere") : t("dlSecretMissing")) : t("dlNotSetUp");
  return h("form", { id: `provider-${purpose}`, onsubmit: async (ev) => {
    ev.preventDefault();
    const body = { purpose, issuer: v(id("issuer")), client_id: v(id("client")) };
    opt(body, "client_secret_ref", v(id("secret")));
    opt(body, "scopes", v(id("scopes")));
    if (purpose === "citizen") {
      opt(body, "eligibility_claim", v(id("claim")));
      opt(body, "birthdate_claim", v(id("birth")));
      if (v(id("age"))) body.min_age = Number(v(id("age")));
      body.open_to_all = v(id("open")) === "anyone";
      body.button_text = { da: v(id("da")) || "Log ind med MitID", en: v(id("en")) || "Sign in with MitID" };
    }
    await run(token, out, "PUT", `/organisations/${org}/oidc-providers`, body);
    reload(t("dlSaved_" + purpose));
  } }, h("p", { class: "muted" }, state), h("div", { class: "grid2" }, fields.map((f) => h("div", {}, f))),
  h("p", {}, h("button", { type: "submit" }, t("dlSave_" + purpose))));
}

function deliveryForm(token, org, settings, out, reload) {
  const e = settings.email || {}, s = settings.sms || {};
  const cred = (c) => (c.credential_available === false ? " " + t("dlCredMissing") : "");
  return h("form", { id: "delivery", onsubmit: async (ev) => {
    ev.preventDefault();
    const email = { transport: v("em-transport") };
    if (email.transport === "smtp") {
      for (const [k, id] of [["url", "em-url"], ["from", "em-from"], ["username", "em-user"], ["password_ref", "em-pass"]]) opt(email, k, v(id));
      email.security = v("em-security");
    }
    const sms = { transport: v("sms-transport") };
    if (sms.transport === "https") {
      for (const [k, id] of [["url", "sms-url"], ["username", "sms-user"], ["credential_ref", "sms-cred"], ["sender", "sms-sender"]]) opt(sms, k, v(id));
      sms.auth = v("sms-auth");
      if (v("sms-body")) {
        try { sms.body = JSON.parse(v("sms-body")); } catch (x) { out.replaceChildren(msg(t("dlBodyInvalid"), true)); return; }
      }
    }
    await run(token, out, "PUT", `/organisations/${org}/delivery`, { email, sms });
    reload(t("dlSaved"));
  } },
  h("h3", {}, "E-mail"),
  h("div", { class: "grid2" },
    h("div", {}, select("em-transport", t("dlTransport"), ["server", "smtp", "off"], e.transport)),
    h("div", {}, select("em-security", "TLS", ["starttls", "tls", "none"], e.security || "starttls")),
    h("div", {}, input("em-url", t("dlSmtp"), e.url)),
    h("div", {}, input("em-from", t("dlFrom"), e.from, { type: "email" })),
    h("div", {}, input("em-user", t("dlUser"), e.username)),
    h("div", {}, input("em-pass", t("dlPass") + cred(e), e.password_ref))),
  h("h3", {}, "SMS"),
  h("div", { class: "grid2" },
    h("div", {}, select("sms-transport", t("dlTransport"), ["server", "https", "off"], s.transport)),
    h("div", {}, select("sms-auth", t("dlAuth"), ["bearer", "basic", "none"], s.auth || "bearer")),
    h("div", {}, input("sms-url", t("dlGateway"), s.url, { type: "url" })),
    h("div", {}, input("sms-sender", t("dlSender"), s.sender)),
    h("div", {}, input("sms-user", t("dlUserBasic"), s.username)),
    h("div", {}, input("sms-cred", t("dlKey") + cred(s), s.credential_ref))),
  h("label", { for: "sms-body" }, t("dlBody"), " ", h("code", {}, "{{to}}, {{to_number}}, {{message}}, {{sender}}")),
  h("textarea", { id: "sms-body", rows: "3" }, s.body ? JSON.stringify(s.body) : ""),
  h("p", {}, h("button", { type: "submit" }, t("dlSave"))));
}

function outboxTable(ob) {
  const c = ob.counts;
  return [h("p", { id: "outbox-counts" }, t("dlCounts", { queued: c.queued, sending: c.sending, sent: c.sent, failed: c.failed })),
    h("table", { id: "outbox" },
      h("thead", {}, h("tr", {}, [t("dlCreated"), t("dlKind"), t("dlTo"), t("dlState"), t("dlAttempts"), t("dlLastError")].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, ob.messages.map((m) => h("tr", {}, h("td", {}, m.created_at.slice(0, 19).replace("T", " ")),
        h("td", {}, `${m.kind} (${m.channel})`), h("td", {}, m.recipient), h("td", {}, m.state), h("td", {}, String(m.attempts)),
        h("td", {}, m.last_error || "")))))];
}

async function textsBox(token, org, out) {
  const elections = (await api("GET", "/elections", undefined, token)).elections.filter((e) => e.organisation_id === Number(org));
  const box = h("div", {});
  if (!elections.length) return h("p", {}, t("dlNoElections"));
  const pickers = h("div", { class: "grid2" },
    h("div", {}, h("label", { for: "t-election" }, t("dlElection")),
      h("select", { id: "t-election" }, elections.map((e) => h("option", { value: e.id }, pick(e.title, e.default_language))))),
    h("div", {}, select("t-kind", t("dlMessage"), ["otp", "receipt", "reminder", "idea_decision", "invite", "test"], "receipt")),
    h("div", {}, select("t-channel", t("dlChannel"), ["email", "sms"], "email")),
    // the citizens' languages: messages to citizens (an idea's decision) may be in any of them
    h("div", {}, select("t-lang", t("language"), ["da", "en", "de", "uk", "ar"], "da")));
  async function load() {
    const list = (await run(token, out, "GET", `/elections/${v("t-election")}/message-templates`)).templates;
    const tpl = list.find((x) => x.kind === v("t-kind") && x.channel === v("t-channel") && x.lang === v("t-lang"));
    box.replaceChildren(
      ...input("t-subject", t("dlSubject"), tpl ? tpl.subject : ""),
      h("label", { for: "t-body" }, t("dlText"), " ", h("code", {}, v("t-kind") === "idea_decision"
        ? "{{idea}}, {{decision}}, {{reason}}, {{url}}, {{election}}" : "{{code}}, {{tracker}}, {{board_url}}, {{election}}, …")),
      h("textarea", { id: "t-body", rows: "5" }, tpl ? tpl.body : ""),
      h("p", { class: "muted" }, tpl && tpl.custom ? t("dlOwnText") : t("dlDefaultText")),
      h("p", {}, h("button", { type: "button", onclick: () => save(v("t-body")) }, t("dlSaveText")), " ",
        h("button", { type: "button", class: "secondary", onclick: () => save(null) }, t("dlBackToDefault"))));
  }
  async function save(body) {
    await run(token, out, "PUT", `/elections/${v("t-election")}/message-templates`,
      { kind: v("t-kind"), channel: v("t-channel"), lang: v("t-lang"), subject: v("t-subject"), body });
    out.replaceChildren(msg(t("dlTextSaved")));
    await load();
  }
  for (const el of pickers.querySelectorAll("select")) el.addEventListener("change", load);
  setTimeout(load, 0);
  return h("div", {}, pickers, box);
}

// Renders the page into main; show() is admin.js's (focus on the heading).
// notice: a message to show at the top (after a save, which draws the page again).
export async function deliveryPage(show, token, org, notice) {
  const out = h("div", {}, notice ? msg(notice) : null);
  const providers = (await run(token, out, "GET", `/organisations/${org}/oidc-providers`)).providers;
  const settings = await run(token, out, "GET", `/organisations/${org}/delivery`);
  const outbox = h("div", {}, outboxTable(await run(token, out, "GET", `/organisations/${org}/outbox?limit=50`)));
  const reload = (text) => deliveryPage(show, token, org, text).catch(() => {});
  const refresh = async () => outbox.replaceChildren(...outboxTable(await run(token, out, "GET", `/organisations/${org}/outbox?limit=50`)));
  const find = (purpose) => providers.find((p) => p.purpose === purpose && p.election_id === null);
  show(h("h1", {}, t("stDeliveryLink")), out,
    h("h2", {}, t("dlCitizenTitle")),
    providerForm(token, org, "citizen", find("citizen"), out, reload),
    h("h2", {}, t("dlStaffTitle")),
    providerForm(token, org, "staff", find("staff"), out, reload),
    h("h2", {}, t("dlEmailSms")), deliveryForm(token, org, settings, out, reload),
    h("h2", {}, t("dlTest")),
    h("form", { id: "test-message", onsubmit: async (ev) => {
      ev.preventDefault();
      const r = await run(token, out, "POST", `/organisations/${org}/delivery/test`, { to: v("test-to") });
      out.replaceChildren(msg(t("dlQueued", { id: r.message_id })));
      setTimeout(refresh, 1500);
    } }, ...input("test-to", t("dlTestTo"), "", { required: true }),
      h("p", {}, h("button", { type: "submit" }, t("dlTest")))),
    h("h2", {}, t("dlOutbox")), h("p", {}, h("button", { type: "button", class: "secondary", onclick: refresh }, t("dlRefresh"))), outbox,
    h("h2", {}, t("dlTexts")), await textsBox(token, org, out));
}

// For the staff sign-in page: signing in through the organisation's own provider (in the
// interface language, like the sign-in form around it).
export function staffOidcForm() {
  const out = h("div", {});
  return h("form", { id: "staff-oidc", novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    // said under the field in the page's language (the browser's own bubble is in its own)
    if (!/^\d+$/.test(v("org-id"))) return fieldError("org-id", t("stOidcOrgMissing"));
    try { await staffOidcStart(v("org-id")); }
    catch (e) { out.replaceChildren(msg(t(e.code === "oidc_not_configured" ? "stOidcNone" : "stOidcFailed"), true)); }
  } }, h("h2", {}, t("stOidcTitle")), out,
  ...input("org-id", t("stOidcOrg"), new URLSearchParams(location.search).get("org") || "", { inputmode: "numeric", required: true }),
  h("p", {}, h("button", { type: "submit", class: "secondary" }, t("stOidcContinue"))));
}
