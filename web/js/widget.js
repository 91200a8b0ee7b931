// The embeddable widget (/embed/ID?view=...&lang=..., framed by the organisation's own site):
// an election's proposals, its published results, or its live turnout, in the site's
// language. Read-only and anonymous; links open the full pages in a new tab. The frame's
// height goes to the embedding page (embed.js) whenever the content changes.
import { api, h } from "./api.js";
import { t, tables, useLang } from "./i18n.js";
import { loadElection } from "./citizen/state.js";
import { title, cost, proposalCard, message } from "./citizen/ui.js";

const main = document.getElementById("main");
const eid = location.pathname.split("/")[2];
const params = new URLSearchParams(location.search);
const view = params.get("view") || "proposals";
const TURNOUT_EVERY_MS = 30000;

function fullPage(hash) {
  return h("p", {}, h("a", { href: "/#/e/" + eid + (hash || ""), target: "_blank", rel: "noopener" }, t("widgetOpen")));
}

function proposalsView(election, proposals) {
  const parts = [h("h1", {}, title(election.title)), h("p", {}, t("phase_" + election.phase))];
  for (const d of election.districts) {
    const mine = proposals.filter((p) => p.district_id === d.id);
    if (!mine.length) continue;
    parts.push(h("h2", {}, title(d.name)), h("ul", { class: "plain" }, mine.map((p) => h("li", {}, proposalCard(p, 3)))));
  }
  if (!proposals.length) parts.push(message(t("noProposals")));
  return parts.concat(fullPage());
}

async function resultsView(election, proposals) {
  const parts = [h("h1", {}, `${t("results")}: ${title(election.title)}`)];
  if (election.phase !== "published") return parts.concat(message(t("widgetNoResults")), fullPage());
  const res = await api("GET", `/elections/${eid}/results`);
  // one rule sentence, or one per district where the frames were counted by different rules
  const rules = new Set(res.districts.map((d) => d.rule || res.rule));
  const one = rules.size ? [...rules][0] : res.rule;
  if (rules.size <= 1 && ["greedy", "equal_shares", "phragmen"].includes(one)) parts.push(h("p", {}, t("rule_" + one)));
  for (const d of res.districts) {
    const dist = election.districts.find((x) => x.id === d.district_id);
    const won = d.winners.map((id) => proposals.find((p) => p.id === id)).filter(Boolean);
    parts.push(h("h2", {}, dist ? title(dist.name) : ""),
      rules.size > 1 ? h("p", {}, t("rule_" + (d.rule || res.rule))) : null,
      h("p", {}, t("spentOf", { spent: cost(d.spent), budget: cost(d.budget) })),
      h("ul", { class: "plain results" }, won.map((p) => h("li", { class: "card result funded" },
        h("div", { class: "row" }, h("strong", { class: "grow" }, title(p.title)), h("span", { class: "cost" }, cost(p.cost))),
        h("p", { class: "status" }, `✓ ${t("funded")}`)))));
  }
  return parts.concat(fullPage("/results"));
}

let lastTurnout = null;
async function turnoutView(election) {
  const parts = [h("h1", {}, title(election.title))];
  let stale = false;
  try {
    lastTurnout = { data: await api("GET", `/elections/${eid}/turnout`), at: new Date() };
  } catch (e) {
    stale = true;
  }
  if (!lastTurnout) return parts.concat(message(t("widgetOffline"), true));
  const tr = lastTurnout.data;
  parts.push(h("p", { class: "big" }, t("ballots", { n: tr.total })),
    h("ul", {}, tr.districts.map((d) => {
      const dist = election.districts.find((x) => x.id === d.district_id);
      return h("li", {}, `${dist ? title(dist.name) : ""}: ${t("ballots", { n: d.ballots })}`);
    })),
    h("p", { class: "muted" }, t("widgetUpdated", { time: lastTurnout.at.toLocaleTimeString(document.documentElement.lang) })));
  if (stale) parts.push(message(t("widgetOffline"), true));
  return parts.concat(fullPage());
}

// The content's own height (the document's would never shrink below the frame's size).
function tellHeight() {
  if (window.parent !== window)
    window.parent.postMessage({ type: "borgerbudget:height", height: Math.ceil(main.getBoundingClientRect().bottom + window.scrollY) + 16 }, "*");
}

async function draw() {
  try {
    const { election, proposals } = await loadElection(eid);
    const lang = params.get("lang");
    useLang(tables[lang] ? lang : tables[election.default_language] ? election.default_language : "da");
    document.title = `${title(election.title)} – ${t("app")}`;
    const parts = view === "results" ? await resultsView(election, proposals)
      : view === "turnout" ? await turnoutView(election) : proposalsView(election, proposals);
    main.replaceChildren(...parts);
  } catch (e) {
    main.replaceChildren(message(e.status === 404 ? t("widgetUnknown") : t("widgetOffline"), true));
  }
}

new ResizeObserver(tellHeight).observe(main);
await draw();
if (view === "turnout") setInterval(draw, TURNOUT_EVERY_MS);
