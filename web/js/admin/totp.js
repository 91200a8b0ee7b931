// Two-step sign-in for one's own staff account: the authenticator app's secret as a QR code
// drawn in the page (never sent to an outside service) and as text, then the app's current
// code to switch it on. Setting up again replaces the secret (the old app stops working).
import { h } from "../api.js";
import { t } from "../i18n.js";
import { qrSvg } from "../qr.js";
import { call, field, note, once, val, fieldError } from "./common.js";

export function totpSection(me) {
  const n = note();
  const box = h("div", {});
  const start = h("button", { type: "button", id: "totp-setup", class: me.totp_enabled ? "secondary" : "", onclick: once(async () => {
    const s = await call("POST", "/staff/totp");
    const form = h("form", { id: "totp-enable", novalidate: true, onsubmit: once(async () => {
        if (!/^\d{6}$/.test(val("totp-code"))) return fieldError("totp-code", t("stTotpCodeInvalid"));
        await call("POST", "/staff/totp/enable", { code: val("totp-code") });
        me.totp_enabled = true;
        box.replaceChildren(h("p", {}, t("stTotpIsOn")));
        start.textContent = t("stTotpAgain");
        n.say(t("stTotpEnabled"));
      }, n) },
      h("p", {}, t("stTotpScan")),
      h("figure", { class: "qr-box" }, qrSvg(s.otpauth_uri, t("stTotpQrLabel")), h("figcaption", {}, t("stTotpOrType"), " ", h("code", {}, s.secret))),
      field("totp-code", t("stTotpCodeLabel"), { inputmode: "numeric", autocomplete: "one-time-code", maxlength: 6 }),
      h("p", {}, h("button", { type: "submit", id: "totp-enable-btn" }, t("stTotpTurnOn"))));
    box.replaceChildren(form);
    document.getElementById("totp-code").focus();
  }, n) }, t(me.totp_enabled ? "stTotpAgain" : "stTotpStart"));
  box.append(h("p", {}, t(me.totp_enabled ? "stTotpIsOn" : "stTotpOff")));
  return [h("h2", {}, t("stTotpTitle")), box, n.box, h("p", {}, start)];
}
