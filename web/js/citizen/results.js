// The published results, for a phone and for the projector: the counting rule in one
// sentence, then per district the money spent against the budget and a bar chart of the
// proposals by support (the bars are drawn beside the numbers they stand for, so the list is
// its own text alternative; they grow from the line's start, so they mirror in Arabic), the
// funded ones marked, the line where the budget ran out (greedy), and at the end where the
// voter's share went (citizen/share.js).
import { api, h } from "../api.js";
import { t } from "../i18n.js";
import { loadElection } from "./state.js";
import { title, titleLang, cost, proposalHref } from "./ui.js";
import { scoreText, ruleText, resultRule } from "./outcome.js";
import { shareSection } from "./share.js";

// A bar of share (0..1) of its track; the text beside it says the same in words.
export function bar(share, cls) {
  const fill = h("span", {});
  fill.style.inlineSize = Math.max(0, Math.min(100, Math.round(100 * share))) + "%";
  return h("div", { class: "bar " + (cls || ""), "aria-hidden": "true" }, fill);
}

// ownRule: the frames were counted by different rules, so each says its own.
function districtChart(election, proposals, res, d, ownRule) {
  const dist = election.districts.find((x) => x.id === d.district_id);
  const name = dist ? title(dist.name) : t("district");
  const ps = [...d.projects].sort((a, b) => b.score - a.score || a.cost - b.cost);
  const most = Math.max(1, ...ps.map((p) => p.score));
  // greedy funds in score order: the line goes under the last funded project in that order
  const rule = resultRule(res, d);
  const lastFunded = rule === "greedy" && d.winners.length ? ps.findIndex((p) => p.id === d.winners[d.winners.length - 1]) : -1;
  const rows = [];
  ps.forEach((p, i) => {
    const prop = proposals.find((x) => x.id === p.id);
    const name = prop ? title(prop.title) : t("proposalNo", { id: String(p.id) });
    rows.push(h("li", { class: "card result" + (p.selected ? " funded" : "") },
      h("div", { class: "row" }, h("strong", { class: "grow", lang: prop ? titleLang(prop.title) : null }, prop ? h("a", { href: proposalHref(prop) }, name) : name),
        h("span", { class: "cost" }, cost(p.cost))),
      h("div", { class: "row nowrap" }, bar(p.score / most, "grow"), h("span", { class: "score" }, scoreText(election, p.score, d.district_id))),
      h("p", { class: "status" }, p.selected ? `✓ ${t("funded")}` : `✗ ${t("notFunded")}`)));
    if (i === lastFunded && i < ps.length - 1) rows.push(h("li", { class: "funded-line" }, t("fundedLine")));
  });
  const id = "d-" + d.district_id;
  return h("section", { class: "district-result", "aria-labelledby": id },
    h("h2", { id, lang: dist ? titleLang(dist.name) : null }, name),
    ownRule && ruleText(rule) ? h("p", { class: "rule" }, ruleText(rule)) : null,
    h("p", { class: "flush" }, t("spentOf", { spent: cost(d.spent), budget: cost(d.budget) })),
    bar(d.budget ? d.spent / d.budget : 0, "money"),
    h("p", { class: "muted" }, t("ballots", { n: d.ballots })),
    h("ol", { class: "results", "aria-label": t("chartLabel", { district: name }) }, rows));
}

export async function resultsPage(eid, v) {
  const { election, proposals } = await loadElection(eid);
  const res = await api("GET", `/elections/${eid}/results`);
  // one sentence on top where every frame was counted by the same rule, else one per frame
  const rules = new Set(res.districts.map((d) => resultRule(res, d)));
  const rule = rules.size <= 1 ? ruleText(rules.size ? [...rules][0] : res.rule) : null;
  v.show(h("div", { class: "results-page" },
    h("h1", {}, `${t("results")}: `, h("span", { lang: titleLang(election.title) }, title(election.title))),
    rule ? h("p", { class: "rule" }, rule) : null,
    res.districts.map((d) => districtChart(election, proposals, res, d, rules.size > 1)),
    shareSection(eid, election, proposals, res)));
}
