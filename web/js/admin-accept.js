// The page an invite e-mail links to (/admin.html#/accept/TOKEN): the invited person
// chooses a password (POST /api/v1/staff/accept) and then signs in. Used by admin.js (one
// route, before the sign-in check). In the interface language, like the rest of the staff
// pages.
import { api, h } from "./api.js";
import { t } from "./i18n.js";

export function acceptPage(show, inviteToken, signIn) {
  const out = h("div", { tabindex: "-1" });
  const fail = (text) => { out.replaceChildren(h("div", { class: "msg error", role: "alert" }, text)); out.focus(); };
  const pw = h("input", { id: "new-password", type: "password", autocomplete: "new-password", minlength: "12", required: true });
  const again = h("input", { id: "new-password-again", type: "password", autocomplete: "new-password", required: true });
  show(h("h1", {}, t("stAcceptTitle")), h("p", {}, t("stAcceptHelp")), out,
    h("form", { id: "accept", novalidate: true, onsubmit: async (ev) => {
      ev.preventDefault();
      if (pw.value.length < 12) { fail(t("stPasswordShort")); pw.focus(); return; }
      if (pw.value !== again.value) { fail(t("stPasswordsDiffer")); again.focus(); return; }
      try {
        await api("POST", "/staff/accept", { invite_token: inviteToken, password: pw.value });
        history.replaceState(null, "", "/admin.html");
        signIn(t("stAcceptDone"));
      } catch (e) {
        fail(e.status === 401 || e.status === 404 ? t("stAcceptExpired") : e.status === 429 ? t("err_rate_limited") : t("stErr_generic"));
      }
    } }, h("label", { for: "new-password" }, t("stNewPassword")), pw,
    h("label", { for: "new-password-again" }, t("stPasswordAgain")), again,
    h("p", {}, h("button", { type: "submit" }, t("stAcceptSubmit")))));
}
