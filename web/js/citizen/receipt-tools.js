// What a voter can do with the receipt: copy the tracker, print it, scan it as a QR code of
// the bulletin-board address, and have it sent to their own e-mail address (where the
// municipality delivers e-mail). Each says what it did in the page and in the live region.
import { h } from "../api.js";
import { t, errorText, getLang } from "../i18n.js";
import { say } from "../page.js";
import { session, current } from "./state.js";
import { voterApi, SESSION_ENDED } from "./voter.js";
import { message } from "./ui.js";
import { qrSvg } from "../qr.js";

// The bulletin board with the tracker filled in, as the QR code and the e-mail give it.
export function boardUrl(eid, tracker) {
  return `${location.origin}${location.pathname}#/e/${eid}/board?t=${tracker}`;
}

// Copies text: the Clipboard API where the browser allows it, else the older
// select-and-copy (plain http on a LAN address, a browser that asks for a permission).
async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(text); return true; }
  } catch (e) { /* refused: try the old way */ }
  const area = h("textarea", { readonly: true, class: "offscreen", "aria-hidden": "true", tabindex: "-1" });
  area.value = text;
  document.body.append(area);
  area.select();
  let ok = false;
  try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
  area.remove();
  return ok;
}

// trackers: [{tracker, name, lang}], one per ballot (one per district the voter votes in;
// name is the district's when there are several). shared: a kiosk screen, where the next voter
// must find nothing of this one's (no clipboard, no address typed in).
export function receiptTools(eid, trackers, shared) {
  const said = h("div", { id: "tools-said" });
  const tell = (text, error) => { said.replaceChildren(message(text, error)); say(text); };
  const several = trackers.length > 1;
  const copy = h("button", { type: "button", class: "secondary", id: "copy", onclick: async () => {
    const ok = await copyText(several ? trackers.map((x) => `${x.name}: ${x.tracker}`).join("\n") : trackers[0].tracker);
    tell(ok ? t("copied") : t("copyFailed"), !ok);
    copy.focus();
  } }, t("copyTracker"));
  const print = h("button", { type: "button", class: "secondary", id: "print", onclick: () => window.print() }, t("printReceipt"));
  return [
    h("p", { class: "row no-print" }, shared ? null : copy, print), said,
    ...trackers.map((x) => h("figure", { class: "qr-box" }, qrSvg(boardUrl(eid, x.tracker), several ? `${t("qrLabel")} (${x.name})` : t("qrLabel")),
      h("figcaption", {}, t("qrCaption"), several ? [" ", h("strong", { lang: x.lang }, x.name)] : null))),
    shared ? null : emailForm(eid, trackers.map((x) => x.tracker)),
  ];
}

// Only where the election delivers e-mail (receipt_channels) and the voter is still signed in
// (the server sends the receipt of the voter's own current ballot only).
function emailForm(eid, trackers) {
  const channels = current()?.election.receipt_channels || [];
  if (!channels.includes("email") || !session(eid)) return null;
  const input = h("input", { id: "receipt-to", type: "email", autocomplete: "email", spellcheck: "false", "aria-describedby": "receipt-to-err" });
  const err = h("p", { id: "receipt-to-err", class: "field-error", hidden: true });
  const out = h("div", {});
  let sending = false;
  function wrong(text) { err.textContent = text; err.hidden = false; input.setAttribute("aria-invalid", "true"); input.focus(); say(text); }
  async function send() {
    if (sending) return;
    err.hidden = true; err.textContent = ""; input.removeAttribute("aria-invalid");
    out.replaceChildren();
    const to = input.value.trim();
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(to)) return wrong(t("emailInvalid"));
    sending = true;
    try {
      // one message per ballot: each holds its own tracker and board address
      for (const tracker of trackers) await voterApi(eid, "POST", "/receipt-email", { to, tracker, lang: getLang() });
      const text = t("receiptSent", { to });
      out.replaceChildren(message(text));
      say(text);
    } catch (e) {
      if (e === SESSION_ENDED) return;
      if (e.field === "to") wrong(errorText(e, "to"));
      else out.replaceChildren(message(errorText(e, "receipt"), true));
    } finally { sending = false; }
  }
  return h("form", { class: "no-print", novalidate: true, onsubmit: (ev) => { ev.preventDefault(); send(); } },
    h("h2", {}, t("emailReceipt")),
    h("label", { for: "receipt-to" }, t("yourEmail")), input, err,
    h("p", {}, h("button", { type: "submit", id: "send-receipt" }, t("sendReceipt"))), out);
}
