// The projector screen for voting days: turnout by district, refreshed every 10 seconds, and
// once the results are published, the funded projects. It always says how fresh the figures
// are ("last updated 14:03:27") and, when the server cannot be reached, says so in large
// letters instead of showing old turnout as live. One timer at a time: each refresh schedules
// the next, and a new address (hashchange) cancels the old schedule before starting its own.
import { api, h } from "./api.js";
import { pick, money, t, staffLang, useLang, locale } from "./i18n.js";
import { barTable } from "./observer/chart.js";

const EVERY = 10000;
const main = document.getElementById("main");
let timer = null;
let run = 0;          // the current address's refresh loop; older loops stop drawing
let lastGood = null;  // when the figures on screen were fetched

useLang(staffLang());
const clock = (d) => new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }).format(d);

function message(text) {
  document.title = t("app");
  main.replaceChildren(h("h1", {}, t("app")), h("p", { class: "msg error big-figure", role: "alert" }, text));
}

async function figures(eid) {
  const e = await api("GET", `/elections/${eid}`);
  const name = (x) => pick(x, e.default_language);
  const tr = await api("GET", `/elections/${eid}/turnout`);
  const nodes = [h("h1", {}, name(e.title)), h("p", { class: "big" }, t("ballots", { n: tr.total })),
    barTable(t("obs_byDistrict"), [t("obs_colDistrict"), h("span", { class: "sr-only" }, t("obs_colBallots")), t("obs_colBallots")],
      tr.districts.map((d) => ({ label: name((e.districts.find((x) => x.id === d.district_id) || {}).name), value: d.ballots })))];
  if (e.phase === "published") {
    const res = await api("GET", `/elections/${eid}/results`);
    const props = (await api("GET", `/elections/${eid}/proposals`)).proposals;
    nodes.push(h("h2", {}, t("live_funded")));
    for (const d of res.districts) {
      const winners = d.winners.map((id) => props.find((x) => x.id === id)).filter(Boolean);
      nodes.push(h("h3", {}, name((e.districts.find((x) => x.id === d.district_id) || {}).name)),
        winners.length ? h("ol", {}, winners.map((p) => h("li", { class: "big" }, `${name(p.title)} — ${money(p.cost, e.currency)}`)))
          : h("p", {}, t("live_noneFunded")));
    }
  }
  return { title: name(e.title), nodes };
}

async function refresh(mine, eid) {
  let status;
  try {
    const { title, nodes } = await figures(eid);
    if (mine !== run) return;
    lastGood = new Date();
    document.body.classList.remove("stale");
    document.title = `${title} – ${t("app")}`;
    status = h("p", { class: "stamp", id: "stamp" }, t("live_updated", { time: clock(lastGood) }));
    main.replaceChildren(h("div", { class: "figures" }, nodes), status);
  } catch (err) {
    if (mine !== run) return;
    if (err.status === 404 || err.status === 400) { message(t("live_unknown", { id: eid })); return; }   // no retry: the address is wrong
    if (!lastGood) main.replaceChildren(h("h1", {}, t("app")), h("p", { class: "stamp" }, t("live_loading")));
    document.body.classList.add("stale");
    const old = main.querySelector("#offline");
    const warning = h("p", { class: "offline", id: "offline", role: "alert" },
      lastGood ? t("live_offline", { time: clock(lastGood) }) : t("live_offlineFirst"));
    if (old) old.replaceWith(warning); else main.prepend(warning);
  }
  if (mine === run) timer = setTimeout(() => refresh(mine, eid), EVERY);
}

function start() {
  clearTimeout(timer);
  timer = null;
  const mine = ++run;
  lastGood = null;
  document.body.classList.remove("stale");
  const m = /^#\/e\/(\d+)\/?$/.exec(location.hash);
  if (!m) { message(location.hash.startsWith("#/e/") && location.hash.length > 4 ? t("live_unknown", { id: location.hash.slice(4) }) : t("live_missingId")); return; }
  main.replaceChildren(h("h1", {}, t("app")), h("p", { class: "stamp" }, t("live_loading")));
  refresh(mine, m[1]);
}

window.addEventListener("hashchange", start);
start();
