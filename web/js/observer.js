// Observer pages: turnout per district and over time, the audit log and its verification,
// the bulletin board, results with the rule explained, and every export with its signature.
// Public data needs no sign-in; staff observers sign in on the staff page first (the token
// is shared through sessionStorage) to see turnout, audit and exports before publication.
import { api, h } from "./api.js";
import { pick, money, t, useLang } from "./i18n.js";
import { show as draw, isRoute } from "./page.js";

let routed = false;
useLang("en");   // the observer pages are written in English
const token = sessionStorage.getItem("pb-staff");
function show(...n) { draw("Borgerbudget · observer", ...n); }
async function get(path) { return api("GET", path, undefined, token || undefined); }

async function home() {
  const list = (await get("/elections")).elections;
  show(h("h1", {}, "Elections"), h("ul", {}, list.map((e) => h("li", {}, h("a", { href: `#/e/${e.id}` }, pick(e.title, e.default_language)), ` — ${e.phase}`))));
}

function bars(rows) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return h("table", {}, h("tbody", {}, rows.map((r) => h("tr", {}, h("th", { scope: "row" }, r.label),
    h("td", { class: "chart", style: "width:60%" }, h("div", { class: "bar", "aria-hidden": "true" }, h("span", { style: `width:${Math.round(100 * r.value / max)}%` }))),
    h("td", {}, String(r.value))))));
}

async function download(eid, url, name) {
  const res = await fetch(url, { headers: token ? { "Authorization": "Bearer " + token } : {} });
  const blob = await res.blob();
  const a = h("a", { href: URL.createObjectURL(blob), download: name }, "");
  document.body.append(a); a.click(); a.remove();
  return res.headers.get("X-Signature");
}

async function electionPage(eid) {
  const e = await get(`/elections/${eid}`);
  const name = (x) => pick(x, e.default_language);
  const sections = [h("h1", {}, name(e.title)), h("p", {}, `Phase: ${e.phase}. Counting rule: ${t("rule_" + e.rule)}`)];
  try {
    const tr = await get(`/elections/${eid}/turnout`);
    const byHour = {};
    for (const x of tr.over_time) byHour[x.hour] = (byHour[x.hour] || 0) + x.ballots;
    sections.push(h("h2", {}, `Turnout: ${tr.total} ballots`),
      bars(tr.districts.map((d) => ({ label: name((e.districts.find((x) => x.id === d.district_id) || {}).name), value: d.ballots }))),
      h("h3", {}, "Over time (new voters per hour, UTC)"),
      bars(Object.entries(byHour).map(([k, v]) => ({ label: k.slice(0, 16).replace("T", " "), value: v }))));
  } catch (err) { sections.push(h("p", {}, "Turnout: " + err.message)); }
  try {
    const res = await get(`/elections/${eid}/results`);
    sections.push(h("h2", {}, `Results (${res.published ? "published" : "not yet published"})`));
    for (const d of res.districts) {
      const dist = e.districts.find((x) => x.id === d.district_id);
      sections.push(h("h3", {}, `${name(dist.name)}: spent ${money(d.spent, e.currency)} of ${money(d.budget, e.currency)}`),
        h("p", {}, `Winners in the order chosen: ${d.winners.join(", ")}`),
        bars(d.projects.map((p) => ({ label: `#${p.id} ${p.selected ? "✓ funded" : "✗"}`, value: p.score }))));
    }
    sections.push(h("p", {}, "Signature (Ed25519, base64): ", h("code", { class: "tracker" }, res.signature)));
  } catch (err) { sections.push(h("p", {}, "Results: " + err.message)); }
  const board = await get(`/elections/${eid}/trackers`);
  sections.push(h("h2", {}, `Bulletin board: ${board.trackers.length} counted ballots`),
    h("details", {}, h("summary", {}, "All trackers"), h("pre", { class: "tracker" }, board.trackers.join("\n"))));
  if (token) {
    try {
      const audit = await get(`/elections/${eid}/audit`);
      const verify = await get(`/elections/${eid}/audit/verify`);
      sections.push(h("h2", {}, "Audit log"), h("p", { role: "status" }, verify.valid ? `✓ The chain of ${verify.entries} entries verifies.` : `✗ Broken at entry ${verify.first_broken_seq}: ${verify.reason}`),
        h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "When"), h("th", {}, "Staff"), h("th", {}, "Action"))),
          h("tbody", {}, audit.entries.map((a) => h("tr", {}, h("td", {}, a.seq), h("td", {}, String(a.at).slice(0, 19)), h("td", {}, a.staff_id ?? "—"), h("td", {}, a.action))))));
    } catch (err) { /* not staff of this election */ }
  }
  const key = await get(`/elections/${eid}/public-key`).catch(() => null);
  const downloads = h("ul", {});
  try {
    const manifest = await get(`/elections/${eid}/export?format=manifest`);
    for (const f of manifest.files) {
      const fname = f.url.split("?")[1].replace(/[=&]/g, "-") + ".txt";
      downloads.append(h("li", {}, h("button", { type: "button", class: "secondary small", "data-url": f.url,
        onclick: () => download(eid, f.url, fname) }, "Download"), ` ${f.url.split("?")[1]} — ${f.bytes} bytes, sha256 ${f.sha256.slice(0, 16)}…`));
    }
    downloads.append(h("li", {}, h("button", { type: "button", class: "secondary small", id: "dl-manifest",
      onclick: () => download(eid, `/api/v1/elections/${eid}/export?format=manifest`, "manifest.json") }, "Download"), " the signed manifest"));
  } catch (err) { downloads.append(h("li", {}, "Exports: " + err.message)); }
  sections.push(h("h2", {}, "Exports"), h("p", {}, "Each file is signed with the election's key (X-Signature header). Recount any pabulib file with build/pbtally --verify KEY.pem --signature SIG FILE.pb."),
    key ? h("details", {}, h("summary", {}, "Public key (PEM)"), h("pre", {}, key.pem)) : null, downloads);
  show(...sections);
}

async function route() {
  if (routed && !isRoute(location.hash)) return;   // the skip link's #main is not a route
  routed = true;
  const parts = location.hash.slice(1).split("/").filter(Boolean);
  try { if (parts[0] === "e") await electionPage(parts[1]); else await home(); }
  catch (e) { show(h("h1", {}, "Error"), h("div", { class: "msg error", role: "alert" }, e.message || String(e.code))); }
}
window.addEventListener("hashchange", route);
route();
