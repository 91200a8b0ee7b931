// Voting cards as print-ready A4 sheets: 8 cards a sheet, each with the election's title, the
// district, the code, the full address to vote at, how to sign in, and the deadline, in every
// language of the election the interface has texts for. The staff page can use these after it
// made codes (POST /elections/{id}/codes): cardSheets() for the page, cardsFile() for a
// self-contained HTML file (the style inlined) that prints the same when opened from disk.
import { h } from "./api.js";
import { tables, staffLanguages } from "./i18n.js";

const PER_SHEET = 8;
const locales = { da: "da-DK", en: "en-GB" };

// A text of one language's table, holes filled (card texts have no plural forms).
function text(lang, key, vars) {
  let s = tables[lang][key] ?? tables.en[key];
  for (const [k, v] of Object.entries(vars || {})) s = s.replaceAll(`{${k}}`, v);
  return s;
}
const pickIn = (x, lang, fallback) => (x && typeof x === "object" ? x[lang] || x[fallback] || Object.values(x)[0] || "" : x || "");

// The election's languages the cards can be written in, its default first.
export function cardLanguages(e) {
  const all = [e.default_language, ...(e.languages || [])].filter((l, i, a) => staffLanguages.some(([c]) => c === l) && a.indexOf(l) === i);
  return all.length ? all : ["da"];
}

// Where citizens vote: this server's address of the election.
export function voteUrl(e) { return `${location.origin}/#/e/${e.id}`; }

function deadline(e, lang) {
  const at = e.phases && e.phases.closed ? new Date(e.phases.closed) : null;
  if (!at || isNaN(at)) return text(lang, "cards_noDeadline");
  return text(lang, "cards_deadline", { date: new Intl.DateTimeFormat(locales[lang], { dateStyle: "long", timeStyle: "short" }).format(at) });
}

function card(e, district, code) {
  const langs = cardLanguages(e);
  const first = langs[0];
  return h("div", { class: "vcard", lang: first },
    h("h2", {}, text(first, "cards_heading", { title: pickIn(e.title, first, e.default_language) })),
    h("p", { class: "vdistrict" }, text(first, "cards_districtLine", { name: pickIn(district.name, first, e.default_language) })),
    h("p", { class: "vcode" }, code),
    langs.map((l, i) => h("div", { class: "vlang", lang: l },
      i > 0 ? [h("p", {}, h("strong", {}, text(l, "cards_heading", { title: pickIn(e.title, l, e.default_language) }))),
        h("p", {}, text(l, "cards_districtLine", { name: pickIn(district.name, l, e.default_language) }))] : null,
      h("p", {}, howWithUrl(l, voteUrl(e))),
      h("p", {}, deadline(e, l)), h("p", {}, text(l, "cards_rules")))));
}

// "Go to {url} and sign in…" with the address in bold, so it stands out on paper.
function howWithUrl(lang, url) {
  const [before, after] = text(lang, "cards_how").split("{url}");
  return [before, h("span", { class: "vurl" }, url), after];
}

// The sheets for these codes of one district, as DOM.
export function cardSheets(e, districtId, codes) {
  const district = e.districts.find((d) => d.id === districtId) || { name: "" };
  const sheets = [];
  for (let i = 0; i < codes.length; i += PER_SHEET)
    sheets.push(h("section", { class: "sheet" }, codes.slice(i, i + PER_SHEET).map((c) => card(e, district, c))));
  return h("div", { class: "sheets" }, sheets);
}

// A self-contained HTML file of the sheets: the print style inlined, no script.
export async function cardsFile(e, districtId, codes) {
  const css = await (await fetch("/print-cards.css")).text();
  const lang = cardLanguages(e)[0];
  const title = `${text(lang, "cards_title")} – ${pickIn(e.title, lang, e.default_language)}`;
  // written as text: a <style> built in a DOM document would fall under this page's CSP
  const esc = (x) => x.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const html = `<!doctype html>\n<html lang="${esc(lang)}"><head><meta charset="utf-8"><title>${esc(title)}</title>\n<style>\n${css}\n` +
    "body { margin: 0; background: #eee; } @media screen { .sheets { padding: 8mm 0; } }\n</style></head><body>\n" +
    cardSheets(e, districtId, codes).outerHTML + "\n</body></html>\n";
  return new Blob([html], { type: "text/html;charset=utf-8" });
}

// The file's name: the election's and the district's names in a form every disk accepts.
export function cardsFileName(e, districtId) {
  const d = e.districts.find((x) => x.id === districtId);
  const slug = (s) => String(s).normalize("NFKD").replace(/[^\w-]+/g, "-").replace(/^-+|-+$/g, "").toLowerCase();
  return `voting-cards-${slug(e.slug || e.id)}-${slug(d ? pickIn(d.name, e.default_language) : districtId)}.html`;
}
