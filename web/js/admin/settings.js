// The election's settings, for a new election and for one being set up: titles and texts in
// every language, languages, currency, categories with names per language, the ballot type
// and its limits, the counting rule and its parameters, the phase dates (the clock) and
// double entry of paper sheets. Once voting opens the ballot, rule, currency and categories
// are fixed (the form shows them read-only); texts and dates stay editable.
import { h } from "../api.js";
import { t } from "../i18n.js";
import { call, field, fieldError, note, once, staffError, val, votingOpened, langName, tickLabel } from "./common.js";

const LANGS = ["da", "en"];
export const BALLOT_TYPES = ["approval", "knapsack", "cumulative", "ordinal"];
export const RULES = ["greedy", "equal_shares", "phragmen"];
const LIMITS = ["min_selections", "max_selections", "points", "max_points_per_project", "max_ranks"];
const DATES = ["proposals", "supports", "review", "voting", "closed"];
// The form's control for a field the API names in an error.
const FIELD_OF = { slug: "slug", title: "title-da", currency: "currency", ballot: "btype", rule: "rule",
  rule_params: "rule", min_selections: "b-min_selections", max_selections: "b-max_selections", points: "b-points",
  max_points_per_project: "b-max_points_per_project", max_ranks: "b-max_ranks", default_language: "default-lang" };


// A category row: key, a name per language and the ballot's quota for it, removable.
function categoryRow(c, i, limit = {}) {
  const row = h("fieldset", { class: "category" }, h("legend", {}, t("stCategoryN", { n: i + 1 })),
    h("div", { class: "grid3" },
      h("div", {}, field(`cat-key-${i}`, t("stCategoryKey"), { value: c.key || "", pattern: "[a-z0-9_\\-]{1,64}", class: "cat-key" })),
      LANGS.map((l) => h("div", {}, field(`cat-${l}-${i}`, t("stCategoryName", { lang: langName(l) }), { value: (c.name || {})[l] || "" }))),
      h("div", {}, field(`cat-max-${i}`, t("stCategoryMax"), { type: "number", min: 0, value: limit.max_selections ?? "" })),
      h("div", {}, field(`cat-share-${i}`, t("stCategoryShare"), { type: "number", min: 0, max: 100,
        value: limit.max_share ? Math.round(limit.max_share * 100) : "" }))),
    h("p", {}, h("button", { type: "button", class: "secondary small", onclick: () => row.remove() }, t("stRemoveCategory"))));
  return row;
}

function numberOr(id) { const v = val(id); return v === "" ? undefined : Number(v); }

// The form's values as the API takes them; fixed: the parts voting has fixed are left out.
function collect(fixed, create) {
  const body = { title: {}, description: {} };
  const langs = LANGS.filter((l) => document.getElementById("lang-" + l).checked);
  for (const l of LANGS) {
    if (val("title-" + l)) body.title[l] = val("title-" + l);
    if (val("desc-" + l)) body.description[l] = val("desc-" + l);
  }
  if (!Object.keys(body.description).length) delete body.description;
  body.languages = langs;
  body.default_language = val("default-lang");
  if (create) body.slug = val("slug");
  const phases = {};
  for (const p of DATES) if (val("date-" + p)) phases[p] = new Date(val("date-" + p)).toISOString();
  if (Object.keys(phases).length) body.phases = phases;
  if (fixed) return body;
  body.currency = val("currency").toUpperCase();
  body.categories = [...document.querySelectorAll("fieldset.category")].map((fs) => {
    const i = fs.querySelector(".cat-key").id.split("-").pop();
    const name = {};
    for (const l of LANGS) if (val(`cat-${l}-${i}`)) name[l] = val(`cat-${l}-${i}`);
    return { key: val(`cat-key-${i}`), name };
  }).filter((c) => c.key);
  const ballot = { type: val("btype") };
  const quotas = [...document.querySelectorAll("fieldset.category")].map((fs) => {
    const i = fs.querySelector(".cat-key").id.split("-").pop();
    const q = { category: val(`cat-key-${i}`) };
    if (numberOr(`cat-max-${i}`)) q.max_selections = numberOr(`cat-max-${i}`);
    if (numberOr(`cat-share-${i}`)) q.max_share = numberOr(`cat-share-${i}`) / 100;
    return q;
  }).filter((q) => q.category && Object.keys(q).length > 1);
  if (quotas.length) ballot.category_limits = quotas;
  const shown = (k) => !document.getElementById(k.startsWith("r-") ? k : "b-" + k).closest("[hidden]");
  for (const k of LIMITS) if (shown(k) && numberOr("b-" + k)) ballot[k] = numberOr("b-" + k);
  if (shown("min_spend_share") && numberOr("b-min_spend_share")) ballot.min_spend_share = numberOr("b-min_spend_share") / 100;
  body.ballot = ballot;
  body.rule = val("rule");
  const params = {};
  if (shown("r-greedy_variant") && val("r-greedy_variant")) params.greedy_variant = val("r-greedy_variant");
  if (numberOr("r-threshold") !== undefined) params.min_project_score_threshold = numberOr("r-threshold");
  if (shown("r-completion") && val("r-completion")) params.completion = val("r-completion");
  if (shown("r-utilities") && val("r-utilities")) params.utilities = val("r-utilities");
  if (numberOr("r-min_vote_share") !== undefined) params.min_vote_share = numberOr("r-min_vote_share") / 100;
  body.rule_params = params;
  if (!create) body.paper_double_entry = document.getElementById("double-entry").checked;
  // the supports phase's settings are changed after the election exists (PATCH only)
  if (!create && numberOr("s-max") !== undefined)
    body.supports = { max_per_voter: numberOr("s-max"), show_counts: document.getElementById("s-show").checked };
  return body;
}

// A datetime-local value for an ISO time.
function localTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (isNaN(d)) return "";
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// The form; e is the election (undefined for a new one). saved(election) runs after a new
// election is made.
export function settingsForm(e, saved) {
  const create = !e;
  const cur = e || { languages: ["da", "en"], default_language: "da", currency: "DKK", categories: [], ballot: { type: "approval" },
                     rule: "greedy", rule_params: {}, phases: {}, title: {}, description: {} };
  const fixed = !create && votingOpened(cur);
  const n = note();
  const b = cur.ballot, rp = cur.rule_params || {};
  const limits = b.category_limits || [];
  const cats = h("div", {}, cur.categories.map((c, i) => categoryRow(c, i, limits.find((q) => q.category === c.key))));
  let catCount = cur.categories.length;
  // limits only the ballot type takes are shown (and sent) only for it
  const only = { points: "cumulative", max_points_per_project: "cumulative", max_ranks: "ordinal", min_spend_share: "knapsack" };
  const limit = (k) => h("div", { "data-only": only[k] || false }, field("b-" + k, t("stLimit_" + k), { type: "number", min: 0, value: b[k] ?? "" }));
  const opts = (list, prefix) => list.map((x) => [x, t(prefix + x)]);
  const structure = h("fieldset", { disabled: fixed },
    h("legend", {}, t("stBallotAndRule")),
    fixed ? h("p", { class: "muted" }, t("stFixedAfterVoting")) : null,
    h("div", { class: "grid2" },
      h("div", {}, field("currency", t("stCurrency"), { value: cur.currency, maxlength: 3, pattern: "[A-Za-z]{3}", required: true })),
      h("div", {}, field("btype", t("stBallotType"), { tag: "select", value: b.type, options: opts(BALLOT_TYPES, "stBallot_") })),
      LIMITS.map(limit),
      h("div", { "data-only": "knapsack" }, field("b-min_spend_share", t("stLimit_min_spend_share"), { type: "number", min: 0, max: 100,
        value: b.min_spend_share ? Math.round(b.min_spend_share * 100) : "" })),
      h("div", {}, field("rule", t("stRule"), { tag: "select", value: cur.rule, options: opts(RULES, "stRule_") })),
      h("div", {}, field("r-threshold", t("stThreshold"), { type: "number", min: 0, value: rp.min_project_score_threshold ?? "" })),
      h("div", {}, field("r-min_vote_share", t("stMinVoteShare"), { type: "number", min: 0, max: 100, step: "0.1",
        value: rp.min_vote_share ? rp.min_vote_share * 100 : "" })),
      h("div", { "data-rule": "equal_shares" }, field("r-completion", t("stCompletion"), { tag: "select", value: rp.completion || "",
        options: [["", t("stDefault")], ...opts(["none", "add1", "add1-comparison"], "stCompletion_")] })),
      h("div", { "data-rule": "equal_shares" }, field("r-utilities", t("stUtilities"), { tag: "select", value: rp.utilities || "",
        options: [["", t("stDefault")], ...opts(["cost", "cardinality"], "stUtilities_")] })),
      h("div", { "data-rule": "greedy" }, field("r-greedy_variant", t("stGreedyVariant"), { tag: "select", value: rp.greedy_variant || "",
        options: [["", t("stDefault")], ...opts(["skip", "no-skip"], "stGreedy_")] }))),
    h("h3", {}, t("stCategories")), cats,
    h("p", {}, h("button", { type: "button", class: "secondary", id: "add-category",
      onclick: () => { cats.append(categoryRow({}, catCount++)); cats.lastChild.querySelector("input").focus(); } }, t("stAddCategory"))));
  // limits only the ballot type takes, and parameters only the rule takes, are shown for it
  const fit = () => {
    for (const el of structure.querySelectorAll("[data-only]")) el.hidden = el.dataset.only !== structure.querySelector("#btype").value;
    for (const el of structure.querySelectorAll("[data-rule]")) el.hidden = el.dataset.rule !== structure.querySelector("#rule").value;
  };
  structure.querySelector("#btype").addEventListener("change", fit);
  structure.querySelector("#rule").addEventListener("change", fit);
  fit();
  const texts = h("fieldset", {}, h("legend", {}, t("stTitlesAndTexts")),
    create ? h("div", {}, field("slug", t("stSlug"), { required: true, pattern: "[a-z0-9][a-z0-9\\-]*", autocomplete: "off" })) : null,
    h("div", { class: "row" }, LANGS.map((l) =>
      tickLabel(h("input", { type: "checkbox", id: "lang-" + l, checked: cur.languages.includes(l) }), t("stOffered", { lang: langName(l) })))),
    h("div", {}, field("default-lang", t("stDefaultLang"), { tag: "select", value: cur.default_language, options: LANGS.map((l) => [l, langName(l)]) })),
    h("div", { class: "grid2" }, LANGS.map((l) => [
      h("div", {}, field("title-" + l, t("stTitleIn", { lang: langName(l) }), { value: cur.title[l] || "", required: l === "da" })),
      h("div", {}, field("desc-" + l, t("stTextIn", { lang: langName(l) }), { tag: "textarea", rows: "3", value: cur.description[l] || "" }))])));
  const dates = h("fieldset", {}, h("legend", {}, t("stPhaseDates")), h("p", { class: "muted" }, t("stPhaseDatesHelp")),
    h("div", { class: "grid2" }, DATES.map((p) => h("div", {}, field("date-" + p, t("stDateOf", { phase: t("phase_" + p) }),
      { type: "datetime-local", value: localTime(cur.phases && cur.phases[p]) })))),
    create ? null : tickLabel(h("input", { type: "checkbox", id: "double-entry", checked: !!cur.paper_double_entry, disabled: fixed }),
      t("stDoubleEntry")),
    create ? null : h("div", { class: "grid2" },
      h("div", {}, field("s-max", t("stSupportsMax"), { type: "number", min: 1, max: 1000, value: (cur.supports || {}).max_per_voter || 10, disabled: fixed })),
      tickLabel(h("input", { type: "checkbox", id: "s-show", checked: (cur.supports || {}).show_counts !== false, disabled: fixed }),
        t("stSupportsShow"))));
  return h("form", { id: create ? "new-election" : "settings", novalidate: true, onsubmit: once(async () => {
    n.clear();
    if (!val("title-da") && !val("title-en")) return fieldError("title-da", t("stTitleMissing"));
    if (create && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(val("slug"))) return fieldError("slug", t("stSlugInvalid"));
    const body = collect(fixed, create);
    let r;
    try { r = create ? await call("POST", "/elections", body) : await call("PATCH", `/elections/${e.id}`, body); }
    catch (err) {
      // the server's word on one field goes under that field
      const at = FIELD_OF[String(err.field || "").split(".")[0]];
      if (err.status === 401 || !at || !fieldError(at, staffError(err))) throw err;
      return;
    }
    if (create) saved(r); else n.say(t("stSettingsSaved"));
  }, n) }, texts, structure, dates, n.box,
  h("p", {}, h("button", { type: "submit", id: create ? "create" : "save-settings" }, t(create ? "stCreateElection" : "stSaveSettings"))));
}
