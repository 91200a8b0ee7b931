// The projector screen for voting days: turnout, refreshed every 10 seconds, and once the
// results are published, the funded projects.
import { api, h } from "./api.js";
import { pick, money, t, getLang, useLang } from "./i18n.js";

const main = document.getElementById("main");
useLang(getLang());
async function draw() {
  const eid = location.hash.split("/")[2];
  if (!eid) return;
  try {
    const e = await api("GET", `/elections/${eid}`);
    const name = (x) => pick(x, e.default_language);
    const tr = await api("GET", `/elections/${eid}/turnout`);
    const nodes = [h("h1", {}, name(e.title)), h("p", { class: "big", "aria-live": "polite" }, t("ballots", { n: tr.total })),
      h("ul", {}, tr.districts.map((d) => h("li", { class: "big" }, `${name((e.districts.find((x) => x.id === d.district_id) || {}).name)}: ${d.ballots}`)))];
    if (e.phase === "published") {
      const res = await api("GET", `/elections/${eid}/results`);
      const props = (await api("GET", `/elections/${eid}/proposals`)).proposals;
      for (const d of res.districts)
        nodes.push(h("h2", {}, name(e.districts.find((x) => x.id === d.district_id).name)),
          h("ol", {}, d.winners.map((id) => { const p = props.find((x) => x.id === id); return h("li", { class: "big" }, `${p ? name(p.title) : id} — ${money(p ? p.cost : 0, e.currency)}`); })));
    }
    main.replaceChildren(...nodes);
  } catch (err) { /* keep the last picture on a hiccup */ }
}
draw();
setInterval(draw, 10000);
window.addEventListener("hashchange", draw);
