// The count per district with the projects by name: score, cost, funded or not, and the money
// spent against the budget. Staff see it once counted; everyone once published.
import { h } from "../api.js";
import { t, number, money } from "../i18n.js";

// perFrame: the frames were counted by different rules, so each district says its own.
export function resultsSection(e, res, proposals, name, perFrame) {
  const cost = (c) => money(c, e.currency);
  const out = [h("h2", { id: "results" }, t("obs_results")),
    h("p", {}, res.published ? t("obs_resultsPublished") : t("obs_resultsPreview"))];
  for (const d of res.districts) {
    const dist = e.districts.find((x) => x.id === d.district_id);
    const title = (id) => { const p = proposals.find((x) => x.id === id); return p ? name(p.title) : "—"; };
    const fill = h("span", {});
    fill.style.width = Math.min(100, Math.round(100 * d.spent / Math.max(1, d.budget))) + "%";
    const rows = [...d.projects].sort((a, b) => b.score - a.score || a.cost - b.cost);
    const rule = d.rule || res.rule;
    out.push(h("h3", {}, dist ? name(dist.name) : "—"),
      perFrame && rule ? h("p", {}, t("obs_rule", { rule: t("rule_" + rule) })) : null,
      h("p", {}, t("obs_spentOf", { spent: cost(d.spent), budget: cost(d.budget), left: cost(d.budget - d.spent) })),
      h("div", { class: "bar", "aria-hidden": "true" }, fill),
      h("table", { class: "results-table" },
        h("caption", { class: "sr-only" }, dist ? name(dist.name) : ""),
        h("thead", {}, h("tr", {}, [t("obs_colProject"), t("obs_colCost"), t("obs_colScore"), t("obs_colFunded")].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", {}, rows.map((p) => h("tr", { class: p.selected ? "funded" : null },
          h("th", { scope: "row" }, title(p.id)), h("td", { class: "num" }, cost(p.cost)), h("td", { class: "num" }, number(p.score)),
          h("td", {}, p.selected ? `✓ ${t("funded")}` : `✗ ${t("notFunded")}`))))));
  }
  return out;
}
