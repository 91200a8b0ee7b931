// Sign-in through the election's OpenID provider (MitID through NemLog-in or a broker):
// the button on the sign-in page, and the return from the provider at /oidc/callback,
// which finishes the sign-in and goes on to the ballot. Used by citizen.js (two hooks:
// oidcButton on the sign-in page, oidcReturn before the first route) and, for staff
// signing in through their organisation, by admin-delivery.js (staffOidcStart).
import { h } from "./api.js";
import { getLang } from "./i18n.js";
import { setSession, sessionFrom, signedInHome } from "./citizen/state.js";

const TEXT = {
  da: {
    signingIn: "Logger ind…", problem: "Log ind lykkedes ikke", again: "Prøv igen", home: "Til forsiden",
    or: "eller",
    oidc_cancelled: "Du afbrød log ind. Du kan prøve igen.",
    oidc_not_eligible: "Du er ikke på listen over dem, der kan stemme i denne afstemning.",
    oidc_unavailable: "Log ind-tjenesten svarer ikke lige nu. Prøv igen om lidt.",
    oidc_state_invalid: "Log ind er udløbet eller allerede brugt. Start forfra.",
    oidc_token_invalid: "Svaret fra log ind-tjenesten kunne ikke godkendes. Start forfra.",
    oidc_not_configured: "Denne afstemning bruger ikke log ind med MitID.",
    staff_oidc_not_eligible: "Ingen medarbejder i organisationen har den e-mailadresse, du loggede ind med.",
    staff_page: "Til medarbejdersiden",
    wrong_phase: "Afstemningen er ikke åben.",
    network: "Ingen forbindelse. Prøv igen.", generic: "Noget gik galt. Prøv igen.",
  },
  en: {
    signingIn: "Signing in…", problem: "Sign-in did not work", again: "Try again", home: "To the front page",
    or: "or",
    oidc_cancelled: "You cancelled the sign-in. You can try again.",
    oidc_not_eligible: "You are not on the list of people who may vote in this election.",
    oidc_unavailable: "The sign-in service is not answering right now. Try again in a little while.",
    oidc_state_invalid: "The sign-in expired or was used already. Start again.",
    oidc_token_invalid: "The answer from the sign-in service could not be verified. Start again.",
    oidc_not_configured: "This election does not use sign-in with MitID.",
    staff_oidc_not_eligible: "No staff account of the organisation has the e-mail address you signed in with.",
    staff_page: "To the staff page",
    wrong_phase: "Voting is not open.",
    network: "No connection. Try again.", generic: "Something went wrong. Try again.",
  },
};
const ELECTION_KEY = "pb-oidc-election";
const STAFF_KEY = "pb-oidc-staff"; // a staff sign-in: the organisation's id

function tr(key) { const l = TEXT[getLang()] || TEXT.da; return l[key] || l.generic; }

// The sign-in cookie (pb_oidc) must travel with these two calls, so they are not api()'s
// (which sends no cookies).
async function post(path, body) {
  let res;
  try {
    res = await fetch("/api/v1" + path, { method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/json" }, body: JSON.stringify(body) });
  } catch (e) { throw { code: "network" }; }
  let json = null;
  try { json = await res.json(); } catch (e) { json = null; }
  if (!res.ok) throw { code: (json && json.error && json.error.code) || "generic" };
  return json;
}

function pick(texts) {
  if (!texts) return "";
  return texts[getLang()] || texts.da || texts.en || Object.values(texts)[0] || "";
}

// The "Sign in with MitID" button for the sign-in page, or null when the election has no
// provider. problems is where an error is shown.
export function oidcButton(election, problems) {
  if (!election || !(election.sign_in_methods || []).includes("oidc")) return null;
  const button = h("button", { type: "button", class: "oidc", onclick: async () => {
    button.disabled = true;
    try {
      const r = await post(`/elections/${election.id}/oidc/start`, {});
      sessionStorage.setItem(ELECTION_KEY, String(election.id));
      location.assign(r.authorization_url);
    } catch (e) {
      button.disabled = false;
      problems.replaceChildren(h("div", { class: "msg error", role: "alert" }, tr(e.code)));
    }
  } }, pick(election.oidc_button) || "MitID");
  return h("div", { class: "oidc-signin" }, h("p", {}, button), h("p", { class: "muted" }, tr("or")));
}

// Staff: sends the browser to the organisation's provider (admin-delivery.js's form).
export async function staffOidcStart(org) {
  const r = await post("/staff/oidc/start", { organisation_id: Number(org) });
  sessionStorage.removeItem(ELECTION_KEY);
  sessionStorage.setItem(STAFF_KEY, String(org));
  location.assign(r.authorization_url);
}

function failed(main, text, link) {
  history.replaceState(null, "", "/oidc/callback"); // the code is spent: keep it out of the address bar
  main.replaceChildren(h("h1", {}, tr("problem")), h("div", { class: "msg error", role: "alert" }, text), h("p", {}, link));
  const h1 = main.querySelector("h1");
  h1.tabIndex = -1;
  h1.focus();
}

async function staffReturn(main, body) {
  sessionStorage.removeItem(STAFF_KEY);
  delete body.method;
  try {
    const r = await post("/staff/oidc/session", body);
    sessionStorage.setItem("pb-staff", r.token);
    location.replace("/admin.html");
  } catch (e) {
    failed(main, tr(e.code === "oidc_not_eligible" ? "staff_oidc_not_eligible" : e.code),
      h("a", { href: "/admin.html" }, tr("staff_page")));
  }
  return true;
}

// On /oidc/callback: finishes the sign-in and goes to the ballot (or the staff page), or
// says what went wrong. Returns false on every other page.
export async function oidcReturn(main) {
  if (location.pathname !== "/oidc/callback") return false;
  const q = new URLSearchParams(location.search);
  const eid = sessionStorage.getItem(ELECTION_KEY);
  const body = { method: "oidc" };
  for (const k of ["code", "state", "error", "error_description", "iss"]) if (q.get(k)) body[k] = q.get(k);
  main.replaceChildren(h("h1", {}, tr("signingIn")));
  if (sessionStorage.getItem(STAFF_KEY)) return staffReturn(main, body);
  try {
    if (!eid) throw { code: "oidc_state_invalid" };
    const r = await post(`/elections/${eid}/voter-sessions`, body);
    sessionStorage.removeItem(ELECTION_KEY);
    setSession(eid, sessionFrom(r));
    location.replace("/" + signedInHome(eid, sessionFrom(r)));
  } catch (e) {
    failed(main, tr(e.code), eid ? h("a", { class: "button", href: `/#/e/${eid}/signin` }, tr("again")) : h("a", { href: "/" }, tr("home")));
  }
  return true;
}
