// A proposal's own page (#/e/ID/p/PID): what it is, what it costs, where, and, once the
// results are published, whether it was funded and with how much support. Every proposal in
// the lists and in the results links here; Back is the browser's (the route is in the hash).
import { api, h } from "../api.js";
import { t } from "../i18n.js";
import { loadElection } from "./state.js";
import { title, titleLang, cost, categoryName, message } from "./ui.js";
import { scoreText } from "./outcome.js";

// The proposal from the election's list, else from the API (one not on the list any more).
async function findProposal(eid, pid, proposals) {
  const p = proposals.find((x) => String(x.id) === pid);
  if (p) return p;
  const one = await api("GET", `/proposals/${pid}`);
  if (String(one.election_id) !== String(eid)) throw { status: 404, code: "not_found" };
  return one;
}

// Its line in the published results, or null before publication.
async function resultOf(election, pid) {
  if (election.phase !== "published") return null;
  const res = await api("GET", `/elections/${election.id}/results`);
  for (const d of res.districts) {
    const p = d.projects.find((x) => String(x.id) === pid);
    if (p) return p;
  }
  return null;
}

export async function proposalPage(eid, v, query, pid) {
  if (!/^\d+$/.test(pid || "")) throw { status: 404, code: "not_found" };
  const { election, proposals } = await loadElection(eid);
  const p = await findProposal(eid, pid, proposals);
  const result = await resultOf(election, pid);
  const district = election.districts.find((d) => d.id === p.district_id);
  const cat = p.category ? categoryName(p.category) : null;
  const photos = [p.image_url, ...(Array.isArray(p.images) ? p.images.map((i) => i.url || i) : [])]
    .filter((u, i, all) => typeof u === "string" && u && all.indexOf(u) === i);
  const facts = [
    [t("cost"), h("span", { class: "cost" }, cost(p.cost))],
    district ? [t("district"), h("span", { lang: titleLang(district.name) }, title(district.name))] : null,
    cat ? [t("category"), cat] : null,
    p.location && p.location.address ? [t("place"), p.location.address] : null,
  ].filter(Boolean);
  v.show(
    h("p", { class: "flush", lang: titleLang(election.title) }, h("a", { href: `#/e/${eid}` }, title(election.title))),
    h("h1", { lang: titleLang(p.title) }, title(p.title)),
    photos.map((u) => h("img", { src: u, alt: t("photoOf", { title: title(p.title) }), class: "photo" })),
    p.summary ? h("p", { class: "lead", lang: titleLang(p.summary) }, title(p.summary)) : null,
    p.description ? h("p", { class: "prose", lang: titleLang(p.description) }, title(p.description)) : null,
    h("dl", { class: "facts" }, facts.map(([k, val]) => [h("dt", {}, k), h("dd", {}, val)])),
    result ? h("section", { "aria-labelledby": "outcome" },
      h("h2", { id: "outcome" }, t("results")),
      message(result.selected ? `✓ ${t("funded")}` : `✗ ${t("notFunded")}`, false),
      h("p", {}, scoreText(election, result.score, p.district_id))) : null,
    h("p", { class: "row" }, h("a", { class: "button secondary", href: `#/e/${eid}` }, t("allProposals")),
      result ? h("a", { class: "button secondary", href: `#/e/${eid}/results` }, t("results")) : null));
}
