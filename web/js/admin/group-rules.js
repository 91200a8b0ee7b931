// A group's own ballot and counting rule, on the Districts page: a city-wide knapsack counted
// greedily beside district approval ballots counted by Equal Shares, say. "Same as the
// election" follows the election's settings; otherwise the group's frames take this ballot
// type with its limits and this rule. Fixed once voting opens, as the election's.
import { h } from "../api.js";
import { pick, t } from "../i18n.js";
import { call, field, note, once } from "./common.js";
import { BALLOT_TYPES, RULES } from "./settings.js";

// Limits each ballot type takes (the server checks them as for the election's ballot).
const LIMITS = { approval: ["max_selections"], knapsack: ["max_selections"], ordinal: ["max_ranks"],
  cumulative: ["points", "max_points_per_project"] };

// What the group's frames are voted and counted by, in words.
export function groupRulesText(g) {
  return g.ballot ? `${t("stBallot_" + g.ballot.type)} · ${t("stRule_" + g.rule)}` : t("stSameAsElection");
}

// The button that opens the group's rules form in cell; reload(message) draws the page again.
export function groupRulesButton(e, g, cell, reload) {
  const gname = pick(g.name, e.default_language);
  return h("button", { type: "button", class: "secondary small", id: `group-rules-${g.id}`,
    "aria-label": t("stEditGroupRules", { name: gname }), onclick: () => {
      cell.replaceChildren(groupRulesForm(e, g, reload));
      cell.querySelector("select").focus();
    } }, t("stEdit"));
}

function groupRulesForm(e, g, reload) {
  const n = note();
  const id = (k) => `gr-${k}-${g.id}`;
  const b = g.ballot || {}, rp = g.rule_params || {};
  let form = null;
  const get = (k) => (form.querySelector("#" + id(k))?.value || "").trim();
  const limits = h("div", { class: "grid2" });
  const completion = h("div", {}, field(id("completion"), t("stCompletion"), { tag: "select", value: rp.completion || "",
    options: [["", t("stDefault")], ...["none", "add1", "add1-comparison"].map((x) => [x, t("stCompletion_" + x)])] }));
  const own = h("div", {}, limits,
    h("div", { class: "grid2" },
      h("div", {}, field(id("rule"), t("stRule"), { tag: "select", value: g.rule || "greedy", options: RULES.map((x) => [x, t("stRule_" + x)]) })),
      completion));
  const typeSel = field(id("type"), t("stBallotType"), { tag: "select", value: b.type || "",
    options: [["", t("stSameAsElection")], ...BALLOT_TYPES.map((x) => [x, t("stBallot_" + x)])] });
  let drawn = null;   // the type whose limit fields are drawn: typing a limit keeps them
  function fit() {
    const type = get("type");
    own.hidden = !type;
    if (type !== drawn) limits.replaceChildren(...(LIMITS[type] || []).map((k) =>
      h("div", {}, field(id(k), t("stLimit_" + k), { type: "number", min: 0, value: b.type === type ? b[k] ?? "" : "" }))));
    drawn = type;
    completion.hidden = get("rule") !== "equal_shares";
  }
  form = h("form", { id: `group-rules-form-${g.id}`, novalidate: true, onsubmit: once(async () => {
    const type = get("type");
    let body = { ballot: null };
    if (type) {
      const ballot = { type };
      for (const k of LIMITS[type]) if (get(k) !== "") ballot[k] = Number(get(k));
      const params = {};
      if (get("rule") === "equal_shares" && get("completion")) params.completion = get("completion");
      body = { ballot, rule: get("rule"), rule_params: params };
    }
    await call("PATCH", `/elections/${e.id}/district-groups/${g.id}`, body);
    await reload(t("stGroupRulesSaved", { name: pick(g.name, e.default_language) }));
  }, n) },
  h("fieldset", {}, h("legend", {}, t("stGroupRulesOf", { name: pick(g.name, e.default_language) })),
    h("div", {}, typeSel), own),
  n.box,
  h("p", { class: "row" }, h("button", { type: "submit" }, t("stSave")),
    h("button", { type: "button", class: "secondary", onclick: () => reload() }, t("stCancel"))));
  form.addEventListener("change", fit);
  fit();
  return form;
}
