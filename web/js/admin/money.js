// Money fields of the staff pages, read the way of the interface language: Danish writes
// 1.000.000,50 and English 1,000,000.50; both may group thousands with spaces. Reading is
// strict (the rules of the server's lib/money.c, which reads CSV imports the same way), so
// that nothing ambiguous becomes an amount: "200.000" is two hundred thousand in Danish and
// refused in English, where a point starts decimals and an amount has at most two. The
// amount read is shown back in words of the currency under the field before anything is
// saved.
import { h } from "../api.js";
import { getLang, locale, t } from "../i18n.js";

const MAX_MINOR = 9007199254740991;
// the separator a "grouping" message names: the one typed, not the one the language uses
const MARK_NAMES = { ".": "_point", ",": "_comma" };

// {minor} or {problem}: "empty", "characters", "grouping", "decimals", "range". With
// "grouping": mark, the last separator typed, and decimalMark, whether the language's
// decimal mark was typed where it cannot be one ("1.000.000" in English, "1,000,000" in
// Danish: thousands written the other language's way), which is what the message then says.
// With "range": zero, whether the amount is 0 rather than too large.
export function readMoney(text, lang = getLang()) {
  const da = lang === "da";
  const s = String(text).trim();
  if (!s) return { problem: "empty" };
  let digits = "", group = 0, decimals = 0, grouping = "", firstGroup = true, afterDecimal = false, typed = "";
  const unclear = () => ({ problem: "grouping", mark: typed, decimalMark: s.includes(da ? "," : ".") });
  for (const c of s) {
    if (c >= "0" && c <= "9") {
      digits += c;
      if (afterDecimal) decimals++; else group++;
      continue;
    }
    const mark = c === "," ? (da ? "d" : ",") : c === "." ? (da ? "." : "d") : /[ \u00a0\u202f]/.test(c) ? " " : "";
    if (!mark) return { problem: "characters" };
    typed = c;
    if (afterDecimal || !group) return unclear();
    if (mark === "d") {
      if (!firstGroup && group !== 3) return unclear();
      afterDecimal = true;
    } else {
      if ((grouping && mark !== grouping) || (firstGroup ? group > 3 : group !== 3)) return unclear();
      grouping = mark;
      firstGroup = false;
    }
    group = 0;
  }
  if (!digits) return { problem: "characters" };
  if (afterDecimal && decimals === 0) return unclear();
  if (!afterDecimal && !firstGroup && group !== 3) return unclear();
  if (decimals > 2) return { problem: "decimals" };
  if (digits.length > 17) return { problem: "range" };
  const minor = Number(digits.slice(0, digits.length - decimals) + digits.slice(digits.length - decimals).padEnd(2, "0"));
  if (!(minor > 0) || minor > MAX_MINOR) return { problem: "range", zero: minor === 0 };
  return { minor };
}

// The message of a readMoney problem.
function problemKey(r) {
  if (r.problem === "grouping") return r.decimalMark ? "stMoney_decimalMark" : "stMoney_grouping" + (MARK_NAMES[r.mark] || "");
  if (r.problem === "range" && r.zero) return "stMoney_zero";
  return "stMoney_" + r.problem;
}

// The amount for a form field: plain digits with the language's decimal mark, which
// readMoney reads back ("250000", "95000,50").
export function writeMoney(minor, lang = getLang()) {
  const whole = Math.trunc(minor / 100), cents = minor % 100;
  return cents ? `${whole}${lang === "da" ? "," : "."}${String(cents).padStart(2, "0")}` : String(whole);
}

// The amount in words of the currency: "1.000.000,50 danske kroner", "1,000,000.50 Danish kroner".
export function moneyWords(minor, currency) {
  return new Intl.NumberFormat(locale(), { style: "currency", currency, currencyDisplay: "name",
    maximumFractionDigits: minor % 100 ? 2 : 0, minimumFractionDigits: minor % 100 ? 2 : 0 }).format(minor / 100);
}

// A labelled money field whose amount is read as it is typed and shown back in words under
// it; the problem is said at the field. value() gives the minor units, or undefined after
// saying what is wrong and focusing the field (an empty optional field gives null).
export function moneyField(id, label, currency, { value, required = true } = {}) {
  const input = h("input", { id, name: id, inputmode: "decimal", autocomplete: "off", required,
    "aria-describedby": id + "-said", value: value == null ? "" : writeMoney(value) });
  const said = h("p", { id: id + "-said", class: "muted money-said", "aria-live": "polite" });
  function read() {
    const r = readMoney(input.value);
    if (r.problem === "empty" && !required) { said.textContent = ""; input.removeAttribute("aria-invalid"); return { minor: null }; }
    said.classList.toggle("field-error", !!r.problem);
    if (r.problem) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    said.textContent = r.problem ? t(problemKey(r), { example: t("stMoneyExample") }) : t("stMoneyIs", { amount: moneyWords(r.minor, currency) });
    return r;
  }
  input.addEventListener("input", () => { if (input.value.trim()) read(); else { said.textContent = ""; input.removeAttribute("aria-invalid"); } });
  if (value != null) setTimeout(read, 0);
  return {
    nodes: [h("label", { for: id }, label), input, said],
    value() {
      const r = read();
      if (r.problem) { input.focus(); return undefined; }
      return r.minor;
    },
    clear() { input.value = ""; said.textContent = ""; input.removeAttribute("aria-invalid"); },
  };
}
