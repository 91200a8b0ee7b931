// Districts and their budgets: added, renamed, given another budget or group, or deleted
// until voting opens (the server refuses a delete once anything belongs to a district, and
// says what). Budgets are typed the way of the interface language and shown back in words.
// Groups of districts: a voter votes in one district of each group (a city-wide budget and a
// district budget in one vote); the districts without a group form one group.
import { h } from "../api.js";
import { money, pick, t } from "../i18n.js";
import { call, field, note, once, sure, val, votingOpened, langName, fieldError, tickLabel } from "./common.js";
import { moneyField } from "./money.js";
import { groupRulesText, groupRulesButton } from "./group-rules.js";

// The name typed in a form's Danish and English fields, the one given standing for both
// when only one is (as titles do); null when neither is.
function names(daId, enId) {
  const da = val(daId), en = val(enId);
  return da || en ? { da: da || en, en: en || da } : null;
}

// The election's groups in a voter's order, the ungrouped districts first (key 0, no name):
// [{key, name, chooses, districts}], only groups that hold districts.
export function districtGroups(e) {
  const groups = [{ key: 0, name: null, chooses: false }, ...(e.district_groups || []).map((g) =>
    ({ key: g.id, name: g.name, chooses: g.voter_chooses }))];
  return groups.map((g) => ({ ...g, districts: e.districts.filter((d) => (d.group_id || 0) === g.key) }))
    .filter((g) => g.districts.length);
}

// The groups: what each is, whether voters choose their district in it, added and deleted
// until voting opens.
function groupsPart(e, reload, fixed) {
  const n = note();
  const gname = (g) => pick(g.name, e.default_language);
  const rows = (e.district_groups || []).map((g) => { const rules = h("td", {}, groupRulesText(g)); return h("tr", {}, h("td", {}, gname(g)),
    h("td", {}, g.voter_chooses ? t("stVoterChooses") : t("stAssigned")),
    h("td", {}, String(e.districts.filter((d) => d.group_id === g.id).length)),
    rules,
    h("td", {}, fixed ? "" : h("span", { class: "row" }, groupRulesButton(e, g, rules, reload), h("button", { type: "button", class: "secondary small", id: `delete-group-${g.id}`,
      "aria-label": t("stDeleteGroup", { name: gname(g) }), onclick: once(async () => {
        if (!sure(t("stConfirmDeleteGroup", { name: gname(g) }))) return;
        await call("DELETE", `/elections/${e.id}/district-groups/${g.id}`);
        await reload(t("stGroupDeleted", { name: gname(g) }));
      }, n) }, t("stDelete"))))); });
  const add = fixed ? null : h("form", { id: "add-group", novalidate: true, onsubmit: once(async () => {
    const name = names("g-da", "g-en");
    if (!name) return fieldError("g-da", t("stGroupNameMissing"));
    const g = await call("POST", `/elections/${e.id}/district-groups`, { name,
      voter_chooses: document.getElementById("g-chooses").checked, position: (e.district_groups || []).length + 1 });
    await reload(t("stGroupAdded", { name: pick(g.name, e.default_language) }));
  }, n) },
  h("h4", {}, t("stAddGroupTitle")),
  h("div", { class: "grid2" }, h("div", {}, field("g-da", t("stGroupName", { lang: langName("da") }), { required: true })),
    h("div", {}, field("g-en", t("stGroupName", { lang: langName("en") })))),
  tickLabel(h("input", { type: "checkbox", id: "g-chooses" }), t("stGroupChooses")),
  h("p", {}, h("button", { type: "submit", id: "add-group-btn" }, t("stAddGroup"))));
  return h("div", { id: "groups-part" }, h("h3", {}, t("stGroups")), h("p", { class: "muted" }, t("stGroupsHelp")),
    rows.length ? h("table", { id: "groups" }, h("thead", {}, h("tr", {}, [t("stGroup"), t("stWhichDistrict"), t("stGroupDistricts"), t("stGroupRules"), t("stActions")]
      .map((x) => h("th", { scope: "col" }, x)))), h("tbody", {}, rows)) : null,
    n.box, add);
}

// A select of the election's groups for a district ("" for none).
function groupSelect(e, id, value) {
  return field(id, t("stGroup"), { tag: "select", value: value || "",
    options: [["", t("stNoGroup")], ...(e.district_groups || []).map((g) => [g.id, pick(g.name, e.default_language)])] });
}
const groupValue = (id) => (val(id) ? Number(val(id)) : null);

// reload(message): draws the page again with the election as it is now, the message at the
// form (flash: that message, this time).
export function districtsSection(e, reload, flash) {
  const fixed = votingOpened(e);
  const n = note(flash);
  const name = (d) => pick(d.name, e.default_language);
  const rows = e.districts.map((d) => {
    const cell = h("td", {});
    const editBtn = h("button", { type: "button", class: "secondary small", id: `edit-district-${d.id}`,
      "aria-label": t("stEditDistrict", { name: name(d) }), onclick: () => edit() }, t("stEdit"));
    const delBtn = h("button", { type: "button", class: "secondary small", id: `delete-district-${d.id}`,
      "aria-label": t("stDeleteDistrict", { name: name(d) }), onclick: once(async () => {
        if (!sure(t("stConfirmDeleteDistrict", { name: name(d) }))) return;
        await call("DELETE", `/elections/${e.id}/districts/${d.id}`);
        await reload(t("stDistrictDeleted", { name: name(d) }));
      }, n) }, t("stDelete"));
    function edit() {
      const en = note();
      const budget = moneyField(`db-${d.id}`, t("stBudgetIn", { currency: e.currency }), e.currency, { value: d.budget });
      cell.replaceChildren(h("form", { id: `district-form-${d.id}`, novalidate: true, onsubmit: once(async () => {
        const minor = budget.value();
        if (minor === undefined) return;
        const name = names(`dn-da-${d.id}`, `dn-en-${d.id}`);
        if (!name) return fieldError(`dn-da-${d.id}`, t("stNameMissing"));
        const saved = await call("PATCH", `/elections/${e.id}/districts/${d.id}`,
          { name, budget: minor,
            group_id: groupValue(`dg-${d.id}`) });
        await reload(t("stDistrictSaved", { name: pick(saved.name, e.default_language) }));
      }, en) },
      h("div", { class: "grid2" }, h("div", {}, field(`dn-da-${d.id}`, t("stDistrictName", { lang: langName("da") }), { value: d.name.da || "" })),
        h("div", {}, field(`dn-en-${d.id}`, t("stDistrictName", { lang: langName("en") }), { value: d.name.en || "" })),
        h("div", {}, budget.nodes), h("div", {}, groupSelect(e, `dg-${d.id}`, d.group_id))), en.box,
      h("p", { class: "row" }, h("button", { type: "submit" }, t("stSave")),
        h("button", { type: "button", class: "secondary", onclick: () => reload() }, t("stCancel")))));
      cell.querySelector("input").focus();
    }
    cell.append(fixed ? "" : h("span", { class: "row" }, editBtn, delBtn));
    const g = (e.district_groups || []).find((x) => x.id === d.group_id);
    return h("tr", {}, h("td", {}, name(d)), h("td", {}, money(d.budget, e.currency)),
      h("td", {}, g ? pick(g.name, e.default_language) : t("stNoGroup")), cell);
  });
  const budget = moneyField("d-budget", t("stBudgetIn", { currency: e.currency }), e.currency);
  const add = fixed ? h("p", { class: "muted" }, t("stDistrictsFixed")) : h("form", { id: "add-district", novalidate: true, onsubmit: once(async () => {
    const name = names("d-da", "d-en");
    if (!name) return fieldError("d-da", t("stNameMissing"));
    const minor = budget.value();
    if (minor === undefined) return;
    const made = await call("POST", `/elections/${e.id}/districts`, { name, budget: minor,
      group_id: groupValue("d-group") });
    await reload(t("stDistrictAdded", { name: pick(made.name, e.default_language) }));
  }, n) },
  h("h3", {}, t("stAddDistrictTitle")),
  h("div", { class: "grid2" }, h("div", {}, field("d-da", t("stDistrictName", { lang: langName("da") }), { required: true })),
    h("div", {}, field("d-en", t("stDistrictName", { lang: langName("en") }))), h("div", {}, budget.nodes),
    (e.district_groups || []).length ? h("div", {}, groupSelect(e, "d-group", "")) : null),
  h("p", {}, h("button", { type: "submit", id: "add-district-btn" }, t("stAddDistrict"))));
  return h("section", { "aria-labelledby": "districts-h" }, h("h2", { id: "districts-h" }, t("stDistricts")),
    e.districts.length ? h("table", { id: "districts" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("stDistrict")),
      h("th", { scope: "col" }, t("stBudget")), h("th", { scope: "col" }, t("stGroup")), h("th", { scope: "col" }, t("stActions")))),
      h("tbody", {}, rows))
      : h("p", {}, t("stNoDistricts")),
    n.box, add, groupsPart(e, reload, fixed));
}
