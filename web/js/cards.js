// The voting-cards page (/cards.html#/e/ID): an administrator of the election makes codes for
// a district and gets them as print-ready cards, 8 to an A4 sheet, to print at once or save as
// a self-contained file. The staff page links here; the staff sign-in is shared through
// sessionStorage. Codes are shown this once only (the server keeps only their hashes).
import { api, h } from "./api.js";
import { t, pick, errorText, staffLang, useLang } from "./i18n.js";
import { show as draw, say } from "./page.js";
import { cardSheets, cardsFile, cardsFileName } from "./cards-sheet.js";
import { save } from "./observer/exports.js";

useLang(staffLang());
const token = () => sessionStorage.getItem("pb-staff");
function show(...n) { draw(t("cards_app"), ...n); }
function msg(text, error) { return h("div", { class: "msg" + (error ? " error" : ""), role: error ? "alert" : "status" }, text); }
const staffLink = () => h("p", {}, h("a", { href: "/admin.html" }, t("cards_staffPage")));

async function page() {
  document.querySelector("a.skip").textContent = t("skip");
  const m = /^#\/e\/(\d+)/.exec(location.hash);
  if (!m) return show(h("h1", {}, t("cards_title")), msg(t("live_missingId"), true), staffLink());
  if (!token()) return show(h("h1", {}, t("cards_title")), msg(t("cards_signIn"), true), staffLink());
  let e;
  try { e = await api("GET", `/elections/${m[1]}`, undefined, token()); }
  catch (err) {
    if (err.status === 401) { sessionStorage.removeItem("pb-staff"); return show(h("h1", {}, t("cards_title")), msg(t("obs_expired"), true), staffLink()); }
    return show(h("h1", {}, t("cards_title")), msg(err.status === 404 ? t("obs_noSuchElection") : errorText(err), true), staffLink());
  }
  const name = (x) => pick(x, e.default_language);
  const out = h("div", { id: "cards-result", class: "no-print" });
  // on a narrow screen the A4 sheets scroll inside their own region (keyboard too)
  const sheets = h("div", { class: "sheets-view", tabindex: "0", role: "region", "aria-label": t("cards_title") });
  const select = h("select", { id: "c-district", name: "district" }, e.districts.map((d) => h("option", { value: d.id }, name(d.name))));
  const count = h("input", { id: "c-count", name: "count", type: "number", min: 1, max: 20000, step: 1, value: 8, required: true, inputmode: "numeric" });
  const make = h("button", { type: "submit", id: "make-cards" }, t("cards_make"));
  const form = h("form", { id: "cards-form", class: "no-print", novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    if (make.disabled) return;   // a double click makes one batch, not two
    const n = Number(count.value);
    if (!Number.isInteger(n) || n < 1 || n > 20000) { out.replaceChildren(msg(t("cards_countInvalid"), true)); count.focus(); return; }
    const districtId = Number(select.value);
    make.disabled = true;
    try {
      const r = await api("POST", `/elections/${e.id}/codes`, { district_id: districtId, count: n }, token());
      const dname = name((e.districts.find((d) => d.id === districtId) || {}).name);
      sheets.replaceChildren(cardSheets(e, districtId, r.codes));
      const done = msg(t("cards_made", { n: r.codes.length, district: dname }));
      out.replaceChildren(done, h("p", { class: "row no-print" },
        h("button", { type: "button", id: "print-cards", onclick: () => window.print() }, t("cards_print")),
        h("button", { type: "button", class: "secondary", id: "save-cards", onclick: async () =>
          save(await cardsFile(e, districtId, r.codes), cardsFileName(e, districtId)) }, t("cards_save"))));
      say(done.textContent);
      out.querySelector("#print-cards").focus();
    } catch (err) {
      if (err.status === 401) sessionStorage.removeItem("pb-staff");
      out.replaceChildren(msg(err.status === 401 ? t("obs_expired") : errorText(err), true));
    } finally { make.disabled = false; }
  } },
    h("div", { class: "grid2" }, h("div", {}, h("label", { for: "c-district" }, t("cards_district")), select),
      h("div", {}, h("label", { for: "c-count" }, t("cards_count")), count)),
    h("p", {}, make));
  show(h("h1", { class: "no-print" }, `${t("cards_title")}: ${name(e.title)}`), h("p", { class: "no-print" }, t("cards_intro")), form, out, sheets);
}

window.addEventListener("hashchange", page);
page();
