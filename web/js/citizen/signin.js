// Sign-in with the methods the election offers: a voting code from a letter, the voter
// register (personal number and birth date), or a one-time code by text or e-mail. Mistakes
// are said in the page's language next to the field; the server's answers are translated by
// their error code, never shown as the server wrote them.
import { api, h } from "../api.js";
import { t, errorText } from "../i18n.js";
import { say } from "../page.js";
import { loadElection, session, setSession, sessionFrom, forgetVoter, takeFlash, signedInHome, allBallotsCast } from "./state.js";
import { message, title, titleLang } from "./ui.js";
import { oidcButton } from "../oidc.js";

const METHODS = ["code", "register", "otp"];
const names = { code: "methodCode", register: "methodRegister", otp: "methodOtp" };

// The methods this election offers, in a fixed order: the election JSON names them in
// sign_in_methods (codes handed out, a register loaded, contacts in it); a server without
// the field offers voting codes only. Empty: nobody can sign in yet.
export function offeredMethods(election) {
  const m = Array.isArray(election.sign_in_methods) ? election.sign_in_methods : ["code"];
  return METHODS.filter((x) => m.includes(x));
}

// A labelled input with its hint and its own error line.
export function field(id, label, attrs, hint) {
  const err = h("p", { id: id + "-err", class: "field-error", hidden: true });
  const help = hint ? h("p", { id: id + "-help", class: "hint" }, hint) : null;
  const input = h("input", { id, name: id, "aria-describedby": [hint ? id + "-help" : "", id + "-err"].join(" ").trim(), ...attrs });
  return {
    input,
    node: [h("label", { for: id }, label), help, input, err],
    value: () => input.value.trim(),
    clear() { err.hidden = true; err.textContent = ""; input.removeAttribute("aria-invalid"); },
    wrong(text) { err.textContent = text; err.hidden = false; input.setAttribute("aria-invalid", "true"); return false; },
  };
}

// Checks fields in order; the first wrong one gets the focus and its message is spoken.
export function valid(checks) {
  for (const [f] of checks) f.clear();
  const bad = checks.filter(([f, ok]) => !ok(f.value()));
  if (!bad.length) return true;
  for (const [f, , text] of bad) f.wrong(text);
  bad[0][0].input.focus();
  say(bad[0][2]);
  return false;
}

// "1990-05-17", "17-05-1990", "17.05.1990" or "17/05/1990" as YYYY-MM-DD; null if not a date.
export function isoDate(s) {
  let m = s.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);
  const [y, mo, d] = m ? [m[1], m[2], m[3]] : ((m = s.match(/^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$/)) ? [m[3], m[2], m[1]] : []);
  if (!y) return null;
  const date = new Date(Date.UTC(+y, +mo - 1, +d));
  if (date.getUTCFullYear() !== +y || date.getUTCMonth() !== +mo - 1 || date.getUTCDate() !== +d) return null;
  return `${y}-${mo.padStart(2, "0")}-${d.padStart(2, "0")}`;
}

export async function signInPage(eid, v) {
  const { election } = await loadElection(eid);
  const flash = takeFlash();
  // signing in is open in the ideas phase (to submit ideas), the supports phase and while voting is open
  if (!["voting", "supports", "proposals"].includes(election.phase))
    return v.show(h("h1", {}, title(election.title)), message(t("votingClosed"), true), h("p", {}, h("a", { href: `#/e/${eid}` }, t("back"))));
  // already signed in (Back from the ballot lands here): say so, and the way on; signing in
  // as someone else starts with the header's sign-out
  const s = session(eid);
  if (s) {
    const home = signedInHome(eid, s, election.phase), voted = allBallotsCast(s, election.phase);
    return v.show(h("h1", {}, t("signInTitle")), h("p", { lang: titleLang(election.title) }, title(election.title)),
      message(t(voted ? "alreadySignedInVoted" : "alreadySignedIn")), h("p", {}, h("a", { class: "button", href: home },
        voted ? t("receiptsTitle", { n: s.districts.length }) : t(election.phase === "voting" ? "continueVoting" : "continue"))));
  }
  const methods = offeredMethods(election);
  const problems = h("div", {});
  const oidc = oidcButton(election, problems);   // "Sign in with MitID" where a provider is set up
  if (!methods.length && !oidc)
    return v.show(h("h1", {}, t("signInTitle")), h("p", {}, title(election.title)), message(t("noSignIn")),
      h("p", {}, h("a", { href: `#/e/${eid}` }, t("back"))));
  let sending = false;

  // Opens a session; where: the method, which decides the wording of a refusal.
  async function login(body, where, out) {
    if (sending) return;
    sending = true;
    out.replaceChildren();
    try {
      const r = await api("POST", `/elections/${eid}/voter-sessions`, body);
      forgetVoter(eid);   // whatever an earlier voter left in this tab
      setSession(eid, sessionFrom(r));
      v.go(signedInHome(eid, session(eid), election.phase));
    } catch (e) {
      out.replaceChildren(message(errorText(e, where), true));
    } finally { sending = false; }
  }

  const forms = {
    code() {
      const code = field("code", t("code"), { autocomplete: "off", autocapitalize: "characters", spellcheck: "false" }, t("codeHelp"));
      const out = h("div", {});
      return h("form", { novalidate: true, onsubmit: (ev) => { ev.preventDefault();
          if (valid([[code, (x) => x !== "", t("codeMissing")]])) login({ method: "code", code: code.value() }, "code", out); } },
        code.node, out, h("p", {}, h("button", { type: "submit" }, t("continue"))));
    },
    register() {
      const id = field("r-personal_id", t("personalId"), { autocomplete: "off", spellcheck: "false" });
      const birth = field("r-birth_date", t("birthDate"), { autocomplete: "bday" }, t("birthDateHelp"));
      const post = field("r-postcode", t("postcode"), { autocomplete: "postal-code", inputmode: "numeric" });
      const out = h("div", {});
      return h("form", { novalidate: true, onsubmit: (ev) => { ev.preventDefault();
          if (!valid([[id, (x) => x !== "", t("personalIdMissing")], [birth, (x) => !!isoDate(x), t("birthDateInvalid")]])) return;
          const register = { personal_id: id.value(), birth_date: isoDate(birth.value()) };
          if (post.value()) register.postcode = post.value();
          login({ method: "register", register }, "register", out); } },
        id.node, birth.node, post.node, out, h("p", {}, h("button", { type: "submit" }, t("continue"))));
    },
    otp() {
      const contact = field("o-contact", t("contact"), { autocomplete: "off", spellcheck: "false" });
      const code = field("o-code", t("otp"), { autocomplete: "one-time-code", inputmode: "numeric" });
      const sent = h("div", {}), out = h("div", {});
      let challenge = null;
      const step2 = h("form", { novalidate: true, hidden: true, onsubmit: (ev) => { ev.preventDefault();
          if (valid([[code, (x) => x !== "", t("otpMissing")]])) login({ method: "otp", challenge_id: challenge, otp: code.value() }, "otp", out); } },
        code.node, out, h("p", {}, h("button", { type: "submit" }, t("continue"))));
      const step1 = h("form", { novalidate: true, onsubmit: async (ev) => { ev.preventDefault();
          if (sending || !valid([[contact, (x) => x !== "", t("contactMissing")]])) return;
          sending = true;
          sent.replaceChildren();
          try {
            const r = await api("POST", `/elections/${eid}/voter-sessions`, { method: "otp", contact: contact.value() });
            challenge = r.challenge_id;
            // the same words whether or not the address is on the register
            const text = t("otpSent", { n: Math.max(1, Math.round((r.expires_in || 600) / 60)) });
            sent.replaceChildren(message(text));
            step2.hidden = false;
            code.input.focus();
            say(text);
          } catch (e) { sent.replaceChildren(message(errorText(e, "otp"), true)); }
          finally { sending = false; } } },
        contact.node, h("p", {}, h("button", { type: "submit" }, t("sendCode"))));
      return [step1, sent, step2];
    },
  };

  const area = h("div", {});
  const tabs = methods.length > 1 ? h("div", { class: "tabs", role: "group", "aria-label": t("signInHow") }) : null;
  function pickMethod(m) {
    if (tabs) for (const b of tabs.children) b.setAttribute("aria-pressed", String(b.dataset.m === m));
    area.replaceChildren(...[forms[m]()].flat());
  }
  if (tabs) for (const m of methods)
    tabs.append(h("button", { type: "button", class: "secondary", "data-m": m, onclick: () => pickMethod(m) }, t(names[m])));
  if (methods.length)
    pickMethod(methods[0]);
  v.show(h("h1", {}, t("signInTitle")), h("p", {}, title(election.title)), flash ? message(flash) : null, oidc, problems,
    tabs, area);
}
