// Pieces the citizen views share: the view handle a route draws through, messages, texts of
// the election in the page's language, money, categories and the proposal card.
import { h } from "../api.js";
import { t, pick, money, langOf } from "../i18n.js";
import { show } from "../page.js";
import { current } from "./state.js";

let seq = 0;

// A handle for one route's view. When the voter has moved on (another route started while
// this one was still fetching), its show() and go() do nothing, so a slow answer never
// overwrites the newer view.
export function view() {
  const mine = ++seq;
  const live = () => mine === seq;
  return {
    live,
    show: (...kids) => { if (live()) show(t("app"), ...kids); },
    // Goes to a route; replace: instead of adding to the history (redirects, after a cast).
    go: (hash, replace) => { if (live()) go(hash, replace); },
  };
}

export function go(hash, replace) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else if (replace) location.replace(hash);
  else location.hash = hash;
}

export function message(text, error) {
  return h("div", { class: "msg" + (error ? " error" : ""), role: error ? "alert" : "status" }, text);
}

// A text of the current election (title, name...) in the page's language.
export function title(x) { return pick(x, current()?.election.default_language); }
// Its language, where that is not the page's (for a lang attribute; null otherwise).
export function titleLang(x) { return langOf(x, current()?.election.default_language); }
export function cost(c) { return money(c, current()?.election.currency); }

// The election's name for a category key, or null where the election names no such category:
// a key is an identifier, not something to show a citizen.
export function categoryName(key) {
  const c = (current()?.election.categories || []).find((x) => x.key === key);
  return c ? title(c.name) : null;
}

// The proposal's own page (citizen/proposal.js).
export function proposalHref(p) { return `#/e/${p.election_id}/p/${p.id}`; }

// A proposal as a card; level: its heading level under the view's headings.
export function proposalCard(p, level, ...extra) {
  const cat = p.category ? categoryName(p.category) : null;
  return h("article", { class: "card" },
    p.image_url ? h("img", { src: p.image_url, alt: "", class: "photo" }) : null,
    h("h" + level, { lang: titleLang(p.title) }, h("a", { href: proposalHref(p) }, title(p.title))),
    p.summary ? h("p", { lang: titleLang(p.summary) }, title(p.summary)) : null,
    h("p", { class: "row" }, h("span", { class: "cost" }, cost(p.cost)), cat ? h("span", { class: "tag" }, cat) : null),
    extra);
}
