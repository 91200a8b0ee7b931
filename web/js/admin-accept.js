// The page an invite e-mail links to (/admin.html#/accept/TOKEN): the invited person
// chooses a password (POST /api/v1/staff/accept) and then signs in. Used by admin.js (one
// route, before the sign-in check).
import { api, h } from "./api.js";

export function acceptPage(show, inviteToken, signIn) {
  const out = h("div", {});
  const pw = h("input", { id: "new-password", type: "password", autocomplete: "new-password", minlength: "12", required: true });
  const again = h("input", { id: "new-password-again", type: "password", autocomplete: "new-password", required: true });
  show(h("h1", {}, "Accept your invitation"),
    h("p", {}, "Choose a password of at least 12 characters for your Borgerbudget staff account."), out,
    h("form", { id: "accept", onsubmit: async (ev) => {
      ev.preventDefault();
      if (pw.value !== again.value) { out.replaceChildren(h("div", { class: "msg error", role: "alert" }, "The two passwords differ.")); return; }
      try {
        await api("POST", "/staff/accept", { invite_token: inviteToken, password: pw.value });
        history.replaceState(null, "", "/admin.html");
        signIn("Your password is set. Sign in with your e-mail address and the new password.");
      } catch (e) {
        out.replaceChildren(h("div", { class: "msg error", role: "alert" },
          e.code === "unauthorized" || e.status === 404 ? "This invitation has expired or was used already; ask for a new one." : `${e.message || e.code} (${e.code})`));
      }
    } }, h("label", { for: "new-password" }, "Password"), pw,
    h("label", { for: "new-password-again" }, "The same password again"), again,
    h("p", {}, h("button", { type: "submit" }, "Set the password"))));
}
