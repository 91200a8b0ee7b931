// Turnout by district and by hour: what observers follow while voting is open (the only
// figures anyone gets before it closes).
import { h } from "../api.js";
import { t, number, locale } from "../i18n.js";
import { barTable } from "./chart.js";

export function turnoutSection(e, tr, name) {
  const districtName = (id) => name((e.districts.find((x) => x.id === id) || {}).name);
  const staffFigures = tr.districts.some((d) => d.codes !== undefined);
  const heads = [t("obs_colDistrict"), "", ...(staffFigures ? [t("obs_colCodes"), t("obs_colVoters")] : []), t("obs_colBallots")];
  heads[1] = h("span", { class: "sr-only" }, t("obs_colBallots"));
  const rows = tr.districts.map((d) => ({ label: districtName(d.district_id), value: d.ballots,
    extra: staffFigures ? [number(d.codes ?? 0), number(d.voters ?? 0)] : [] }));
  if (tr.districts.length > 1)
    rows.push({ label: t("obs_total"), value: tr.total, total: true,
      extra: staffFigures ? [number(sum(tr.districts, "codes")), number(sum(tr.districts, "voters"))] : [] });
  const hours = new Map();
  for (const x of tr.over_time) hours.set(x.hour, (hours.get(x.hour) || 0) + x.ballots);
  const fmt = new Intl.DateTimeFormat(locale(), { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  const hourRows = [...hours.entries()].sort(([a], [b]) => Date.parse(a) - Date.parse(b))
    .map(([hour, n]) => ({ label: fmt.format(new Date(hour)), value: n }));
  return [h("h2", { id: "turnout" }, t("obs_turnout")), h("p", { class: "big-figure" }, t("ballots", { n: tr.total })),
    barTable(t("obs_byDistrict"), heads, rows),
    hourRows.length ? [barTable(t("obs_byHour"), [t("obs_colHour"), h("span", { class: "sr-only" }, t("obs_colBallots")), t("obs_colBallots")], hourRows),
      h("p", { class: "muted" }, t("obs_byHourNote"))]
      : h("p", {}, t("obs_noBallotsYet"))];
}

// Turnout by age band (on the day voting opened) and by area, from the register: each cell as
// a share of the eligible; cells of fewer than ten voters are hidden by the server and said so.
export function demographicsSection(d) {
  const pct = new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 });
  const rows = (cells, label) => cells.map((c) => ({ label: label(c.key),
    value: c.suppressed ? 0 : Math.round(1000 * c.share),
    extra: c.suppressed ? [t("obs_suppressed"), ""] : [number(c.eligible), number(c.voted)],
    shown: c.suppressed ? t("obs_suppressed") : pct.format(c.share) }));
  const heads = (first) => [first, h("span", { class: "sr-only" }, t("obs_colShare")), t("obs_colEligible"), t("obs_colVoted"), t("obs_colShare")];
  return [h("h3", {}, t("obs_demographics")),
    h("p", { class: "muted" }, t("obs_demographicsNote", { date: new Intl.DateTimeFormat(locale(), { dateStyle: "long" }).format(new Date(d.age_on)), n: d.min_cell })),
    d.by_age.length ? barTable(t("obs_byAge"), heads(t("obs_colAge")), rows(d.by_age, (k) => k === "under 18" ? t("obs_under18") : k)) : null,
    d.by_area.length ? barTable(t("obs_byArea"), heads(t("obs_colArea")), rows(d.by_area, (k) => k)) : null];
}

function sum(list, key) { return list.reduce((s, x) => s + (x[key] || 0), 0); }
