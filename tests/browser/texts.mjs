// The interface texts of every language, read from the page's own tables (web/js/lang/), so a
// test finds a button by what it says in the language under test.
import da from "../../web/js/lang/da.js";
import en from "../../web/js/lang/en.js";
import de from "../../web/js/lang/de.js";
import uk from "../../web/js/lang/uk.js";
import ar from "../../web/js/lang/ar.js";

export const T = { da, en, de, uk, ar };

// A text with its {holes} filled as given (plural texts: the "other" form).
export function tr(lang, key, vars = {}) {
  let s = T[lang][key];
  if (typeof s === "object") s = s.other;
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, v);
  return s;
}
