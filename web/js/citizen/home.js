// The front page (the elections) and an election's page (its proposals, filtered and sorted,
// and the way on: sign in, the bulletin board, the results).
import { api, h } from "../api.js";
import { t, pick, locale, langOf } from "../i18n.js";
import { loadElection, session, takeFlash } from "./state.js";
import { title, titleLang, categoryName, proposalCard, message } from "./ui.js";
import { supportControls } from "./supports.js";
import { ideasActions, electionMap } from "./ideas.js";

export async function homePage(v) {
  const list = (await api("GET", "/elections")).elections.filter((e) => e.phase !== "draft");
  const flash = takeFlash();   // "you are signed out"
  v.show(h("h1", {}, t("elections")), flash ? message(flash) : null,
    list.length ? h("ul", { class: "plain" }, list.map((e) => h("li", { class: "card" },
      h("h2", { class: "flush", lang: langOf(e.title, e.default_language) }, h("a", { href: `#/e/${e.id}` }, pick(e.title, e.default_language))),
      h("p", { class: "muted" }, t("phase_" + e.phase)))))
      : h("p", {}, t("noElections")));
}

export async function electionPage(eid, v) {
  const { election, proposals } = await loadElection(eid);
  const s = session(eid);
  const flash = takeFlash();   // "you are signed out"
  function select(id, label, options) {
    const el = h("select", { id }, options.map(([value, text]) => h("option", { value }, text)));
    return { el, field: h("div", { class: "grow" }, h("label", { for: id }, label), el) };
  }
  const districts = election.districts.length > 1
    ? select("f-district", t("district"), [["", t("allDistricts")], ...election.districts.map((d) => [String(d.id), title(d.name)])]) : null;
  // only categories the election names: a key without a name means nothing to a citizen
  const used = new Set(proposals.map((p) => p.category));
  const cats = (election.categories || []).filter((c) => used.has(c.key));
  const categories = cats.length ? select("f-cat", t("category"), [["", t("allCategories")], ...cats.map((c) => [c.key, categoryName(c.key)])]) : null;
  const sort = select("f-sort", t("sort"), [["cost", t("sortCost")], ["-cost", t("sortCostDesc")], ["title", t("sortTitle")]]);
  // the supports phase: a signed-in citizen's toggles, else the counts where they are shown
  const supports = election.phase === "supports" && s ? await supportControls(eid, election, s) : null;
  const supportsOf = (p) => supports ? supports.control(p)
    : election.phase === "supports" && typeof p.supports === "number" ? h("p", { class: "muted" }, t("supportCount", { n: p.supports })) : null;
  if (supports && districts) districts.el.value = String(s.district_id);
  const list = h("div", {});
  const collator = new Intl.Collator(locale());
  function render() {
    const d = districts ? districts.el.value : "", c = categories ? categories.el.value : "", k = sort.el.value;
    const ps = proposals.filter((p) => (!d || String(p.district_id) === d) && (!c || p.category === c));
    ps.sort((a, b) => k === "title" ? collator.compare(title(a.title), title(b.title)) : (k === "-cost" ? b.cost - a.cost : a.cost - b.cost));
    list.replaceChildren(...(ps.length ? ps.map((p) => proposalCard(p, 3, supportsOf(p))) : [h("p", {}, t("noProposals"))]));
  }
  const actions = h("p", { class: "row" }, ideasActions(election, eid),
    election.phase === "voting" ? h("a", { class: "button", href: s ? `#/e/${eid}/vote` : `#/e/${eid}/signin` }, s ? t("yourBallot") : t("signIn")) : null,
    election.phase === "supports" && !s ? h("a", { class: "button", href: `#/e/${eid}/signin` }, t("signInSupport")) : null,
    election.phase === "published" ? h("a", { class: "button", href: `#/e/${eid}/results` }, t("results")) : null,
    ["voting", "closed", "published"].includes(election.phase) ? h("a", { class: "button secondary", href: `#/e/${eid}/board` }, t("board")) : null);
  const filters = h("div", { class: "row filters" }, [districts, categories, sort].filter(Boolean).map((f) => f.field));
  filters.addEventListener("change", render);
  render();
  v.show(h("h1", { lang: titleLang(election.title) }, title(election.title)), flash ? message(flash) : null,
    election.description ? h("p", { lang: titleLang(election.description) }, title(election.description)) : null,
    h("p", { class: "muted" }, t("phase_" + election.phase)), actions,
    supports && supports.intro, h("h2", {}, t("proposals")), filters, list, supports && supports.status, electionMap(election, proposals));
}
