// The receipt after a cast, and the bulletin board where any tracker can be checked.
import { api, h } from "../api.js";
import { t } from "../i18n.js";
import { loadElection, receipt } from "./state.js";
import { message } from "./ui.js";
import { kiosk, kioskReset } from "./kiosk.js";
import { receiptTools } from "./receipt-tools.js";

export async function receiptPage(eid, v) {
  await loadElection(eid);
  const tracker = receipt(eid);
  if (!tracker) return v.go(`#/e/${eid}`, true);   // nothing to show (another voter's kiosk turn, a new tab)
  const nodes = [h("h1", {}, t("thanks")), h("p", {}, t("trackerIntro")), h("p", { class: "tracker", id: "tracker" }, tracker),
    receiptTools(eid, tracker, kiosk.on),
    h("p", { class: "row no-print" }, h("a", { class: "button secondary", href: `#/e/${eid}/board?t=${tracker}` }, t("checkBoard")),
      kiosk.on ? null : h("a", { class: "button secondary", href: `#/e/${eid}/vote` }, t("changeVote")))];
  if (kiosk.on) {
    // the next citizen at the screen must not be able to read or change this ballot
    let n = 20;
    const left = h("p", { role: "timer" }, t("kioskDone", { n }));
    nodes.push(left, h("p", {}, h("button", { type: "button", onclick: () => kioskReset(eid) }, t("newVoter"))));
    const timer = setInterval(() => {
      if (!v.live() || !document.body.contains(left)) return clearInterval(timer);
      n--;
      left.textContent = t("kioskDone", { n });
      if (n <= 0) { clearInterval(timer); kioskReset(eid); }
    }, 1000);
  }
  v.show(...nodes);
}

export async function boardPage(eid, v, query) {
  await loadElection(eid);
  const board = (await api("GET", `/elections/${eid}/trackers`)).trackers;
  const input = h("input", { id: "mine", value: new URLSearchParams(query).get("t") || "", spellcheck: "false", autocomplete: "off" });
  const out = h("div", {});
  function checkIt() {
    const x = input.value.trim().toLowerCase();
    const found = board.includes(x);
    out.replaceChildren(message(found ? t("found") : t("notFound"), !found));
  }
  const form = h("form", { novalidate: true, onsubmit: (ev) => { ev.preventDefault(); checkIt(); } },
    h("label", { for: "mine" }, t("trackerLabel")), input, h("p", {}, h("button", { type: "submit", id: "check" }, t("check"))));
  if (input.value) checkIt();
  v.show(h("h1", {}, t("board")), h("p", {}, t("boardIntro")), form, out,
    h("p", { class: "muted" }, t("boardCount", { n: board.length })));
}
