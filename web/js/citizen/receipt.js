// The receipt after a cast, and the bulletin board where any tracker can be checked.
import { api, h } from "../api.js";
import { t } from "../i18n.js";
import { loadElection, receipt, receipts, session, setSession } from "./state.js";
import { message, title, titleLang } from "./ui.js";
import { kiosk, kioskReset } from "./kiosk.js";
import { receiptTools } from "./receipt-tools.js";
import { myBallot } from "./ballot.js";

// A voter with several districts (frames) has one receipt per ballot: each is listed with its
// district, its board link and a way back to change that ballot.
function framesReceipt(eid, election, s, all) {
  return h("ul", { class: "plain receipts" }, s.districts.filter((d) => all[d]).map((d, i) => {
    const dist = election.districts.find((x) => x.id === d);
    const at = s.districts.indexOf(d);
    return h("li", { class: "card" }, h("h2", { lang: titleLang(dist?.name) }, title(dist?.name)),
      h("p", { class: "tracker", id: i ? "tracker-" + (i + 1) : "tracker" }, all[d]),
      h("p", { class: "row no-print" }, h("a", { class: "button secondary", href: `#/e/${eid}/board?t=${all[d]}` }, t("checkBoard"),
        h("span", { class: "sr-only" }, ": " + title(dist?.name))),
        kiosk.on ? null : h("button", { type: "button", class: "secondary", id: "change-" + d, onclick: () => {
          setSession(eid, { ...session(eid), at });
          location.hash = `#/e/${eid}/vote`;
        } }, t("changeThisBallot"), h("span", { class: "sr-only" }, ": " + title(dist?.name)))));
  }));
}

export async function receiptPage(eid, v) {
  const { election } = await loadElection(eid);
  const s = session(eid), all = { ...receipts(eid) };
  // a ballot cast before this tab (an earlier sign-in) has its tracker on the server
  for (const d of s?.districts?.length > 1 ? s.districts : []) {
    if (!all[d] && (s.voted || []).includes(d)) { const b = await myBallot(eid, d); if (b) all[d] = b.tracker; }
  }
  const tracker = receipt(eid) || Object.values(all)[0];
  if (!tracker) return v.go(`#/e/${eid}`, true);   // nothing to show (another voter's kiosk turn, a new tab)
  const cast = (s?.districts || []).filter((d) => all[d]);
  const several = cast.length > 1;
  const trackers = several ? cast.map((d) => { const dist = election.districts.find((x) => x.id === d);
    return { tracker: all[d], name: title(dist?.name), lang: titleLang(dist?.name) }; }) : [{ tracker }];
  const missing = (s?.districts?.length || 0) - cast.length;
  // a tracker of this tab's cast says thanks; ones read back after a new sign-in are the
  // voter's receipts, with the way to change a ballot
  const fresh = !!receipt(eid);
  const nodes = [h("h1", {}, fresh ? t("thanks") : t("receiptsTitle", { n: several ? cast.length : 1 })),
    fresh ? null : message(t("alreadyVoted")),
    several ? h("p", {}, t("trackersIntro")) : h("p", {}, t("trackerIntro")),
    several ? framesReceipt(eid, election, s, all) : h("p", { class: "tracker", id: "tracker" }, tracker),
    missing > 0 && s?.districts?.length > 1 ? message(t("ballotsMissing", { count: missing })) : null,
    receiptTools(eid, trackers, kiosk.on),
    several ? null : h("p", { class: "row no-print" }, h("a", { class: "button secondary", href: `#/e/${eid}/board?t=${tracker}` }, t("checkBoard")),
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
    // an empty box is not a receipt that was not found
    if (!x) { out.replaceChildren(message(t("trackerMissing"), true)); input.focus(); return; }
    const found = board.includes(x);
    out.replaceChildren(message(found ? t("found") : t("notFound"), !found));
  }
  const form = h("form", { novalidate: true, onsubmit: (ev) => { ev.preventDefault(); checkIt(); } },
    h("label", { for: "mine" }, t("trackerLabel")), input, h("p", {}, h("button", { type: "submit", id: "check" }, t("check"))));
  if (input.value) checkIt();
  v.show(h("h1", {}, t("board")), h("p", {}, t("boardIntro")), form, out,
    h("p", { class: "muted" }, t("boardCount", { n: board.length })));
}
