// Voters: voting codes made per district and downloaded once (CSV for a mail merge, or
// printed as cards on the cards page, /cards.html), how many are issued, used and revoked per district, revoking one code
// (a lost letter), and the voter register uploaded after a dry run.
import { h } from "../api.js";
import { pick, t } from "../i18n.js";
import { call, download, fetchRaw, field, note, once, sure, val, fieldError } from "./common.js";
import { importForm } from "./import.js";
import { districtGroups } from "./districts.js";

export async function votersSection(e, reload, flash) {
  const stats = (await call("GET", `/elections/${e.id}/codes`)).districts;
  const n = note(flash), rn = note();
  const dname = (id) => { const d = e.districts.find((x) => x.id === id); return d ? pick(d.name, e.default_language) : ""; };
  const make = (fmt, label) => h("button", { type: "button", id: "codes-" + fmt, onclick: once(async () => {
    const count = Number(val("c-count"));
    if (!(count >= 1 && count <= 100000 && Number.isInteger(count))) return fieldError("c-count", t("stCountInvalid"));
    // a code names one district per group where the group has several (a one-district group,
    // such as a city-wide budget, comes with every code)
    const ids = pickGroups.map((g) => val("c-district-" + g.key)).filter(Boolean).map(Number);
    if (!ids.length) return fieldError("c-district-" + pickGroups[0].key, t("stChooseDistrict"));
    const district = ids[0];
    const res = await fetchRaw("POST", `/elections/${e.id}/codes?format=${fmt}`, JSON.stringify({ district_ids: ids, count }), "application/json");
    await download(res, `election-${e.id}-district-${district}-codes.${fmt === "csv" ? "csv" : "html"}`);
    await reload(t("stCodesMade", { n: count, name: dname(district) }));
  }, n) }, label);
  const groups = districtGroups(e);
  const pickGroups = groups.filter((g) => g.districts.length > 1 || g.chooses).length
    ? groups.filter((g) => g.districts.length > 1 || g.chooses) : groups.slice(0, 1);
  const gname = (g) => (g.name ? pick(g.name, e.default_language) : t("stDistrict"));
  const selects = pickGroups.map((g) => h("div", {}, field("c-district-" + g.key, groups.length > 1 ? gname(g) : t("stDistrict"), { tag: "select",
    options: [...(g.chooses || pickGroups.length > 1 ? [["", g.chooses ? t("stVoterPicks") : t("stNone")]] : []),
      ...g.districts.map((d) => [d.id, pick(d.name, e.default_language)])] })));
  return h("section", {},
    h("h2", {}, t("stCodesPerDistrict")),
    h("table", { id: "code-stats" }, h("thead", {}, h("tr", {}, [t("stDistrict"), t("stIssued"), t("stUsed"), t("stRevoked")].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, stats.map((s) => h("tr", {}, h("td", {}, dname(s.district_id)), h("td", {}, String(s.issued)), h("td", {}, String(s.used)), h("td", {}, String(s.revoked)))))),
    h("h2", {}, t("stMakeCodes")),
    e.districts.length ? h("form", { id: "codes", onsubmit: (ev) => ev.preventDefault() },
      h("p", { class: "muted" }, t("stCodesOnce")),
      h("div", { class: "grid2" },
        ...selects,
        h("div", {}, field("c-count", t("stHowManyCodes"), { type: "number", min: 1, max: 100000, value: 100 }))),
      n.box, h("p", { class: "row" }, make("csv", t("stDownloadCsv")),
        h("a", { class: "button secondary", id: "print-cards", href: `/cards.html#/e/${e.id}` }, t("stPrintableCards")))) : h("p", {}, t("stAddDistrictFirst")),
    h("h2", {}, t("stRevokeCode")),
    h("form", { id: "revoke", novalidate: true, onsubmit: once(async () => {
      if (!val("revoke-code")) return fieldError("revoke-code", t("stCodeMissing"));
      if (!sure(t("stConfirmRevoke"))) return;
      await call("POST", `/elections/${e.id}/codes/revoke`, { code: val("revoke-code") });
      document.getElementById("revoke-code").value = "";
      rn.say(t("stCodeRevoked"));
    }, rn) }, h("p", { class: "muted" }, t("stRevokeHelp")),
    field("revoke-code", t("stCodeToRevoke"), { autocomplete: "off", required: true, "data-field": "code" }), rn.box,
    h("p", {}, h("button", { type: "submit", id: "revoke-btn" }, t("stRevoke")))),
    h("h2", {}, t("stRegister")), importForm(e, reload, "register"));
}
