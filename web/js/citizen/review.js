// The review: the choices once more, the rules the server will check, and Cast. One review
// has one Idempotency-Key (kept in the draft, so a reload keeps it too): whatever reaches the
// server twice — a double click, a resend after a lost answer — is one ballot with one tracker.
import { h } from "../api.js";
import { t, errorText } from "../i18n.js";
import { loadElection, session, setSession, draft, saveDraft, setReceipt, newKey, setFlash } from "./state.js";
import { voterApi, SESSION_ENDED } from "./voter.js";
import { frameBallot } from "../frames.js";
import { message, title, titleLang, cost } from "./ui.js";

// What the server would refuse, said before it is sent; null when the ballot is fine.
function problem(r, d, budget, byId) {
  const n = d.chosen.length, spent = d.chosen.reduce((a, id) => a + byId(id).cost, 0);
  if (r.type === "knapsack" && spent > budget) return t("overBudget");
  if (r.min_selections && n < r.min_selections) return t("minSelections", { n: r.min_selections });
  if (r.type === "knapsack" && r.min_spend_share && spent < r.min_spend_share * budget)
    return t("minSpend", { n: cost(Math.ceil(r.min_spend_share * budget)) });
  return null;
}

function body(r, d) {
  const b = { district_id: d.district_id };
  if (r.type === "cumulative") b.points = Object.fromEntries(Object.entries(d.points).map(([k, n]) => [String(k), n]));
  else if (r.type === "ordinal") b.ranking = d.chosen;
  else b.approvals = d.chosen;
  return b;
}

export async function reviewPage(eid, v) {
  const { election, proposals } = await loadElection(eid);
  const s = session(eid), d = draft(eid);
  if (!s) return v.go(`#/e/${eid}/signin`, true);
  if (!d) return v.go(`#/e/${eid}/vote`, true);
  if (election.phase !== "voting") return v.show(h("h1", {}, title(election.title)), message(t("votingClosed"), true));
  if (!d.key) { d.key = newKey(); saveDraft(eid, d); }
  const r = frameBallot(election, d.district_id);
  const byId = (id) => proposals.find((p) => p.id === id);
  const items = d.chosen.map(byId).filter(Boolean);
  const wrong = problem(r, d, election.districts.find((x) => x.id === d.district_id).budget, byId);
  const out = h("div", {});
  const list = items.length ? h(r.type === "ordinal" ? "ol" : "ul", {}, items.map((p) =>
      h("li", {}, h("span", { lang: titleLang(p.title) }, title(p.title)),
        [cost(p.cost), r.type === "cumulative" ? t("points", { n: d.points[p.id] }) : null].filter(Boolean).map((x) => " — " + x).join(""))))
    : h("p", {}, t("nothingChosen"));

  let sending = false;
  const castButton = h("button", { type: "button", id: "cast", disabled: !!wrong }, t("castVote"));
  castButton.addEventListener("click", async () => {
    // aria-disabled, not disabled, while sending: a disabled button would throw the focus away
    if (sending || wrong) return;
    sending = true;
    castButton.setAttribute("aria-disabled", "true");
    castButton.textContent = t("sending");
    out.replaceChildren();
    try {
      const res = await voterApi(eid, "PUT", "/ballot", body(r, d), { "Idempotency-Key": d.key });
      setReceipt(eid, res.tracker, d.district_id);
      saveDraft(eid, null);
      // one ballot per district (frame): on to the next, or the receipt after the last
      const now = session(eid), frames = now.districts?.length || 1, at = now.at || 0;
      const voted = [...new Set([...(now.voted || []), d.district_id])];
      const next = at + 1 < frames && now.districts[at] === d.district_id && !voted.includes(now.districts[at + 1]);
      setSession(eid, { ...now, voted, has_voted: voted.length >= frames, at: next ? at + 1 : at });
      if (next) setFlash(t("ballotCastNext", { k: at + 1, total: frames }));
      v.go(next ? `#/e/${eid}/vote` : `#/e/${eid}/receipt`, true);
    } catch (e) {
      if (e === SESSION_ENDED) return;
      sending = false;
      castButton.removeAttribute("aria-disabled");
      castButton.textContent = t("castVote");
      out.replaceChildren(message(errorText(e), true));
    }
  });
  const s2 = session(eid), district = election.districts.find((x) => x.id === d.district_id);
  v.show(h("h1", {}, t("reviewTitle")),
    (s2.districts?.length || 1) > 1 && district ? h("p", { class: "step" }, t("yourBallotOf", { k: (s2.at || 0) + 1, total: s2.districts.length }),
      " · ", h("strong", { lang: titleLang(district.name) }, title(district.name))) : null,
    list, wrong ? message(wrong, true) : null, out,
    h("p", { class: "row" }, castButton, h("a", { class: "button secondary", href: `#/e/${eid}/vote` }, t("back"))));
}
