// A bar chart that is also its own text alternative: a table whose rows carry the label, a
// bar drawn to scale (hidden from screen readers, which read the figure next to it) and the
// figure. Rows wrap nothing sideways on a phone; the bars grow with the projector's width.
import { h } from "../api.js";
import { number } from "../i18n.js";

// rows: [{label, value, extra: [cells before the figure], shown: the figure's text (default:
// value)}]; heads: column headings.
export function barTable(caption, heads, rows) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return h("table", { class: "bars" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, heads.map((x, i) => h("th", { scope: "col", class: i === 1 ? "chart" : null }, x)))),
    h("tbody", {}, rows.map((r) => {
      const fill = h("span", {});
      fill.style.width = Math.round(100 * r.value / max) + "%";
      return h("tr", { class: r.total ? "total" : null }, h("th", { scope: "row" }, r.label),
        h("td", { class: "chart" }, r.total ? null : h("div", { class: "bar", "aria-hidden": "true" }, fill)),
        (r.extra || []).map((x) => h("td", { class: "num" }, x)),
        h("td", { class: "num" }, r.shown !== undefined ? r.shown : number(r.value)));
    })));
}
