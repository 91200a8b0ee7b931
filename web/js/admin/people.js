// People of an organisation (its admins' page): staff invited with a role for the whole
// organisation or one election (the invite link is shown to pass on), the list of staff
// with their roles, removing someone (never the last admin: the server refuses), and one's
// own password.
import { h } from "../api.js";
import { pick, t } from "../i18n.js";
import { call, field, note, once, sure, val, fieldError } from "./common.js";
import { totpSection } from "./totp.js";

const ROLES = ["admin", "moderator", "clerk", "observer"];

export async function peoplePage(org, me, reload, flash) {
  const n = note(flash), inv = note(), pw = note();
  const staff = (await call("GET", `/organisations/${org}/staff`)).staff;
  const elections = (await call("GET", "/elections")).elections.filter((e) => e.organisation_id === Number(org));
  const ename = (id) => { const e = elections.find((x) => x.id === id); return e ? pick(e.title, e.default_language) : t("stAnElection"); };
  const roleText = (r) => `${t("stRole_" + r.role)} (${r.election_id ? ename(r.election_id) : t("stWholeOrganisation")})`;
  const linkBox = h("div", {});
  const rows = staff.map((s) => h("tr", {}, h("td", {}, s.email),
    h("td", {}, (s.roles || []).map(roleText).join(", ")),
    h("td", {}, t(s.active ? "stActive" : s.invited ? "stInvited" : "stInactive") + (s.totp_enabled ? " · " + t("stTotpOn") : "")),
    h("td", {}, s.id === me.id ? "" : h("button", { type: "button", class: "secondary small", id: `remove-${s.id}`,
      "aria-label": t("stRemovePerson", { email: s.email }), onclick: once(async () => {
        if (!sure(t("stConfirmRemove", { email: s.email }))) return;
        await call("DELETE", `/organisations/${org}/staff/${s.id}`);
        await reload(t("stRemoved", { email: s.email }));
      }, n) }, t("stRemove")))));
  return [
    h("h1", {}, t("stPeople")),
    h("table", { id: "staff" }, h("thead", {}, h("tr", {}, [t("stEmail"), t("stRoles"), t("stState"), t("stActions")].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows)), n.box,
    h("h2", {}, t("stInvite")),
    h("form", { id: "invite", novalidate: true, onsubmit: once(async () => {
      if (!/^[^@\s]+@[^@\s]+$/.test(val("inv-email"))) return fieldError("inv-email", t("stEmailInvalid"));
      const body = { email: val("inv-email"), role: val("inv-role") };
      if (val("inv-election")) body.election_id = Number(val("inv-election"));
      const r = await call("POST", `/organisations/${org}/staff`, body);
      if (r.invite_token) {
        const link = `${location.origin}/admin.html#/accept/${r.invite_token}`;
        linkBox.replaceChildren(h("p", {}, t("stInviteLink")), h("p", {}, h("code", { id: "invite-link" }, link)));
        inv.say(t("stInvitedNew", { email: r.email }));
      } else inv.say(t("stInvitedExisting", { email: r.email }));
      document.getElementById("inv-email").value = "";
    }, inv) },
    h("div", { class: "grid3" }, h("div", {}, field("inv-email", t("stEmail"), { type: "email", required: true, autocomplete: "off" })),
      h("div", {}, field("inv-role", t("stRole"), { tag: "select", options: ROLES.map((r) => [r, t("stRole_" + r)]) })),
      h("div", {}, field("inv-election", t("stRoleFor"), { tag: "select", options: [["", t("stWholeOrganisation")], ...elections.map((e) => [e.id, pick(e.title, e.default_language)])] }))),
    inv.box, linkBox, h("p", {}, h("button", { type: "submit", id: "invite-btn" }, t("stSendInvite")))),
    h("h2", {}, t("stYourPassword")),
    h("form", { id: "password", novalidate: true, onsubmit: once(async () => {
      if (!val("pw-current")) return fieldError("pw-current", t("stPasswordCurrentMissing"));
      if (val("pw-new").length < 12) return fieldError("pw-new", t("stPasswordShort"));
      if (val("pw-new") !== val("pw-again")) return fieldError("pw-again", t("stPasswordsDiffer"));
      await call("POST", "/staff/password", { current_password: val("pw-current"), new_password: val("pw-new") });
      for (const id of ["pw-current", "pw-new", "pw-again"]) document.getElementById(id).value = "";
      pw.say(t("stPasswordChanged"));
    }, pw) },
    h("div", { class: "grid3" }, h("div", {}, field("pw-current", t("stCurrentPassword"), { type: "password", autocomplete: "current-password" })),
      h("div", {}, field("pw-new", t("stNewPassword"), { type: "password", autocomplete: "new-password", minlength: 12 })),
      h("div", {}, field("pw-again", t("stPasswordAgain"), { type: "password", autocomplete: "new-password" }))),
    pw.box, h("p", {}, h("button", { type: "submit", id: "password-btn" }, t("stChangePassword")))),
    totpSection(me)];
}
