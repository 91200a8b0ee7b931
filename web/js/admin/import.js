// CSV uploads with a dry run first: proposals in bulk and the voter register. "Check the
// file" sends it with ?dry_run=true and lists every row's problem (line, column, what is
// wrong); only a file without problems can then be stored, all of it or nothing.
import { h } from "../api.js";
import { getLang, pick, t, tables } from "../i18n.js";
import { fetchRaw, note, once, staffError } from "./common.js";

const KINDS = {
  proposals: { path: (e) => `/elections/${e.id}/proposals/import?lang=${getLang()}`, columns: "district;title_da;title_en;summary_da;summary_en;category;cost;cost_note;status;lat;lng" },
  register: { path: (e) => `/elections/${e.id}/register`, columns: "personal_id;birth_date;postcode;district;contact" },
};

// A row problem in the interface language: the server's text on English pages, one chosen by
// the column on Danish pages.
function rowProblem(x) {
  if (getLang() === "en") return x.message;
  const key = "stRowErr_" + x.field;
  return t(tables.da[key] !== undefined ? key : "stRowErr");
}

export function importForm(e, reload, kind = "proposals") {
  const k = KINDS[kind];
  const n = note();
  const id = (x) => `${kind}-${x}`;
  const input = h("input", { id: id("file"), type: "file", accept: ".csv,text/csv,text/plain" });
  const findings = h("div", { id: id("findings") });
  let checked = null; // the text that passed the dry run
  async function send(dry) {
    const file = input.files[0];
    if (!file) { n.fail(t("stChooseFile")); input.focus(); return null; }
    const text = await file.text();
    const res = await fetchRaw("POST", k.path(e) + (dry ? (k.path(e).includes("?") ? "&" : "?") + "dry_run=true" : ""), text, "text/csv");
    return { text, json: await res.json() };
  }
  const storeBtn = h("button", { type: "button", id: id("store"), hidden: true, onclick: once(async () => {
    const file = input.files[0];
    if (!file || (await file.text()) !== checked) { storeBtn.hidden = true; n.fail(t("stCheckAgain")); return; }
    try {
      const r = await send(false);
      if (!r) return;
      await reload(kind === "proposals" ? t("stImported", { n: r.json.imported }) : t("stRegisterStored", { n: r.json.rows }));
    } catch (err) { n.fail(staffError(err)); }
  }, n) }, t(kind === "proposals" ? "stImportNow" : "stStoreRegister"));
  const checkBtn = h("button", { type: "button", id: id("check"), class: "secondary", onclick: once(async () => {
    storeBtn.hidden = true;
    findings.replaceChildren();
    const r = await send(true);
    if (!r) return;
    const d = r.json;
    const perDistrict = d.districts ? h("ul", {}, d.districts.map((x) => {
      const dist = e.districts.find((y) => y.id === x.district_id);
      return h("li", {}, t("stRowsInDistrict", { name: dist ? pick(dist.name, e.default_language) : "", n: x.rows }));
    })) : null;
    if (d.valid) {
      checked = r.text;
      findings.replaceChildren(perDistrict || "");
      n.say(t("stFileGood", { n: d.rows }));
      storeBtn.textContent = kind === "proposals" ? t("stImportN", { n: d.rows }) : t("stStoreN", { n: d.rows });
      storeBtn.hidden = false;
      return;
    }
    findings.replaceChildren(
      h("table", { class: "row-errors" }, h("caption", {}, t("stRowErrors", { n: d.error_count })),
        h("thead", {}, h("tr", {}, [t("stLine"), t("stColumn"), t("stProblem")].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", {}, d.errors.map((x) => h("tr", {}, h("td", {}, String(x.line)), h("td", {}, h("code", {}, x.field)), h("td", {}, rowProblem(x)))))),
      perDistrict || "");
    n.fail(t("stFileHasProblems", { n: d.error_count }));
  }, n) }, t("stCheckFile"));
  return h("div", { id: id("upload") },
    h("p", {}, t(kind === "proposals" ? "stImportHelp" : "stRegisterHelp"), " ", h("code", {}, k.columns)),
    h("label", { for: id("file") }, t(kind === "proposals" ? "stProposalsFile" : "stRegisterFile")), input,
    n.box, h("p", { class: "row" }, checkBtn, storeBtn), findings);
}
