// Districts and their budgets: added, renamed, given another budget or deleted until voting
// opens (the server refuses a delete once anything belongs to a district, and says what).
// Budgets are typed the way of the interface language and shown back in words.
import { h } from "../api.js";
import { money, pick, t } from "../i18n.js";
import { call, field, note, once, sure, val, votingOpened, langName } from "./common.js";
import { moneyField } from "./money.js";

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
        if (!val(`dn-da-${d.id}`)) { en.fail(t("stNameMissing")); document.getElementById(`dn-da-${d.id}`).focus(); return; }
        await call("PATCH", `/elections/${e.id}/districts/${d.id}`,
          { name: { da: val(`dn-da-${d.id}`), en: val(`dn-en-${d.id}`) || val(`dn-da-${d.id}`) }, budget: minor });
        await reload(t("stDistrictSaved", { name: val(`dn-da-${d.id}`) }));
      }, en) },
      h("div", { class: "grid2" }, h("div", {}, field(`dn-da-${d.id}`, t("stDistrictName", { lang: langName("da") }), { value: d.name.da || "" })),
        h("div", {}, field(`dn-en-${d.id}`, t("stDistrictName", { lang: langName("en") }), { value: d.name.en || "" })),
        h("div", {}, budget.nodes)), en.box,
      h("p", { class: "row" }, h("button", { type: "submit" }, t("stSave")),
        h("button", { type: "button", class: "secondary", onclick: () => reload() }, t("stCancel")))));
      cell.querySelector("input").focus();
    }
    cell.append(fixed ? "" : h("span", { class: "row" }, editBtn, delBtn));
    return h("tr", {}, h("td", {}, name(d)), h("td", {}, money(d.budget, e.currency)), cell);
  });
  const budget = moneyField("d-budget", t("stBudgetIn", { currency: e.currency }), e.currency);
  const add = fixed ? h("p", { class: "muted" }, t("stDistrictsFixed")) : h("form", { id: "add-district", novalidate: true, onsubmit: once(async () => {
    if (!val("d-da")) { n.fail(t("stNameMissing")); document.getElementById("d-da").focus(); return; }
    const minor = budget.value();
    if (minor === undefined) return;
    await call("POST", `/elections/${e.id}/districts`, { name: { da: val("d-da"), en: val("d-en") || val("d-da") }, budget: minor });
    await reload(t("stDistrictAdded", { name: val("d-da") }));
  }, n) },
  h("h3", {}, t("stAddDistrictTitle")),
  h("div", { class: "grid2" }, h("div", {}, field("d-da", t("stDistrictName", { lang: langName("da") }), { required: true })),
    h("div", {}, field("d-en", t("stDistrictName", { lang: langName("en") }))), h("div", {}, budget.nodes)),
  h("p", {}, h("button", { type: "submit", id: "add-district-btn" }, t("stAddDistrict"))));
  return h("section", { "aria-labelledby": "districts-h" }, h("h2", { id: "districts-h" }, t("stDistricts")),
    e.districts.length ? h("table", { id: "districts" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("stDistrict")),
      h("th", { scope: "col" }, t("stBudget")), h("th", { scope: "col" }, t("stActions")))), h("tbody", {}, rows))
      : h("p", {}, t("stNoDistricts")),
    n.box, add);
}
