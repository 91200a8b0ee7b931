// The interface language: one text table per language (lang/*.js), plural forms chosen with
// Intl.PluralRules, numbers and money with Intl.NumberFormat. The choice is remembered in
// localStorage; texts that come from the API ({da, en} objects) are picked with pick().
import da from "./lang/da.js";
import en from "./lang/en.js";
import de from "./lang/de.js";
import uk from "./lang/uk.js";
import ar from "./lang/ar.js";

// A new language: a table in lang/, a line in each of these three (docs/LANGUAGES.md).
export const tables = { da, en, de, uk, ar };
// Each language by its own name, for the language menu.
export const languages = [["da", "Dansk"], ["en", "English"], ["de", "Deutsch"], ["uk", "Українська"], ["ar", "العربية"]];
const locales = { da: "da-DK", en: "en-GB", de: "de-DE", uk: "uk-UA", ar: "ar" };
// Languages written from right to left: the page is mirrored (dir="rtl" on <html>; the
// stylesheet uses logical properties, so margins, bars and borders follow).
const rtl = new Set(["ar"]);

let lang = localStorage.getItem("pb-lang") || (navigator.language || "da").slice(0, 2);
if (!tables[lang]) lang = "da";

export function getLang() { return lang; }

// The staff, observer, projector and voting-card pages are written in Danish and English
// only: their texts (the keys staffOnly names) are in da.js and en.js alone, while citizens'
// pages use every table. A staff page opens in the remembered language if it has it.
export const staffLanguages = languages.filter(([code]) => code === "da" || code === "en");
export function staffOnly(key) { return /^(st[A-Z_]|obs_|cards_|live_|embed[A-Z_]|dl[A-Z_])/.test(key); }
export function staffLang() { return staffLanguages.some(([code]) => code === lang) ? lang : "en"; }
export function locale() { return locales[lang]; }
// The citizen's choice: used on this page, marked on <html>, remembered for the next visit.
export function setLang(l) {
  if (!tables[l]) return;
  useLang(l);
  localStorage.setItem("pb-lang", l);
}
// The language of this page only (the observer page is in English whatever the citizen chose).
export function useLang(l) {
  if (!tables[l]) return;
  lang = l;
  document.documentElement.lang = l;
  document.documentElement.dir = rtl.has(l) ? "rtl" : "ltr";
}

export function number(n) { return new Intl.NumberFormat(locale()).format(n); }
// A moment in the page's language (not the browser's: a Danish page says 1.12.2026 05.54).
export function dateTime(iso) { return new Date(iso).toLocaleString(locale()); }

// The text for key in the page's language. vars fill {name} holes; numbers are written the
// language's way, and vars.n chooses the plural form where the text has several.
export function t(key, vars) {
  let s = tables[lang][key] ?? tables.en[key];
  if (s === undefined) {
    console.error("missing text: " + key);
    return key;
  }
  if (typeof s === "object") s = s[new Intl.PluralRules(locale()).select(vars?.n ?? 0)] ?? s.other;
  for (const [k, v] of Object.entries(vars || {})) {
    const text = typeof v === "number" ? number(v) : String(v);
    // a value ending in an abbreviation's point ("1.500.000 kr.") takes the sentence's full
    // stop: "koste 1.500.000 kr.", never "kr.."
    if (text.endsWith(".")) s = s.replaceAll(`{${k}}.`, text);
    s = s.replaceAll(`{${k}}`, text);
  }
  return s;
}

// A language-keyed text from the API, with the election's default as fallback.
// The language pick() takes a text in when it is not the page's (content the election has
// only in its own language): for a lang attribute, so screen readers say it right (WCAG
// 3.1.2). null when the text is in the page's language.
export function langOf(text, fallback) {
  if (!text || typeof text !== "object" || text[lang]) return null;
  return text[fallback] ? fallback : Object.keys(text)[0] || null;
}

export function pick(text, fallback) {
  if (!text || typeof text !== "object") return text || "";
  return text[lang] || text[fallback] || Object.values(text)[0] || "";
}

// An API error in the user's language, chosen by its code (and where it happened: "register",
// "otp"...), never the server's message, which is written for developers in English.
export function errorText(err, where) {
  const code = (err && err.code) || "generic";
  for (const key of [`err_${code}_${where}`, `err_${code}_${err && err.field}`, `err_${code}`])
    if (tables[lang][key] !== undefined) return t(key);
  return t("err_generic");
}

export function money(minor, currency) {
  return new Intl.NumberFormat(locale(), { style: "currency", currency: currency || "DKK",
    maximumFractionDigits: minor % 100 ? 2 : 0 }).format(minor / 100);
}
