// The published results: per district the proposals by support, a bar each, what was funded,
// the line where the budget ran out (greedy), and the counting rule in one sentence.
import { api, h } from "../api.js";
import { t } from "../i18n.js";
import { loadElection } from "./state.js";
import { title, cost } from "./ui.js";
import { rulesOf } from "./ballot.js";

export async function resultsPage(eid, v) {
  const { election, proposals } = await loadElection(eid);
  const res = await api("GET", `/elections/${eid}/results`);
  // a cumulative ballot's score is points; the others count votes
  const score = (n) => t(rulesOf(election).type === "cumulative" ? "points" : "votes", { n });
  const parts = [h("h1", {}, `${t("results")}: ${title(election.title)}`)];
  const rule = "rule_" + res.rule;
  if (["rule_greedy", "rule_equal_shares", "rule_phragmen"].includes(rule)) parts.push(h("p", {}, t(rule)));
  for (const d of res.districts) {
    const dist = election.districts.find((x) => x.id === d.district_id);
    const ps = [...d.projects].sort((a, b) => b.score - a.score || a.cost - b.cost);
    const most = Math.max(1, ...ps.map((p) => p.score));
    // the funded line: after the last funded project in score order (greedy funds in that order)
    const lastFunded = res.rule === "greedy" && d.winners.length ? ps.findIndex((p) => p.id === d.winners[d.winners.length - 1]) : -1;
    const rows = [];
    ps.forEach((p, i) => {
      const prop = proposals.find((x) => x.id === p.id);
      const fill = h("span", {});
      fill.style.width = Math.round(100 * p.score / most) + "%";
      rows.push(h("li", { class: "card result" + (p.selected ? " funded" : "") },
        h("div", { class: "row" }, h("strong", { class: "grow" }, prop ? title(prop.title) : "#" + p.id), h("span", { class: "cost" }, cost(p.cost))),
        h("div", { class: "row" }, h("div", { class: "bar grow", "aria-hidden": "true" }, fill), h("span", {}, score(p.score))),
        h("p", { class: "status" }, p.selected ? `✓ ${t("funded")}` : `✗ ${t("notFunded")}`)));
      if (i === lastFunded) rows.push(h("li", { class: "funded-line" }, t("fundedLine")));
    });
    parts.push(h("h2", {}, dist ? title(dist.name) : ""), h("p", {}, t("spentOf", { spent: cost(d.spent), budget: cost(d.budget) })),
      h("ol", { class: "results" }, rows));
  }
  v.show(...parts);
}
