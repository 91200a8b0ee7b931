// Proposals: the moderation queue (citizens' ideas waiting: accept, reject with a reason,
// merge into another), full editing (texts per language, district, category, cost with a
// costing note, picture, location, exclusive group, photos), a proposal's history, new
// proposals, and export as CSV. Editing stops once voting opens. The CSV import is in
// import.js, the photos in photos.js.
import { h } from "../api.js";
import { dateTime, money, pick, t } from "../i18n.js";
import { call, download, fetchRaw, field, note, once, sure, val, votingOpened, langName, fieldError } from "./common.js";
import { moneyField } from "./money.js";
import { importForm } from "./import.js";
import { photosBox } from "./photos.js";

const LANGS = ["da", "en"];

function texts(prefix) {
  const o = {};
  for (const l of LANGS) if (val(`${prefix}-${l}`)) o[l] = val(`${prefix}-${l}`);
  return o;
}

// The form for a new proposal (p undefined) or for changing one.
function proposalForm(e, p, done) {
  const n = note();
  const id = (k) => `pf-${p ? p.id : "new"}-${k}`;
  const cur = p || { title: {}, summary: {}, description: {}, district_id: e.districts[0] && e.districts[0].id };
  const cost = moneyField(id("cost"), t("stCostIn", { currency: e.currency }), e.currency, { value: cur.cost, required: !p });
  const langs = (k, label, attrs) => LANGS.map((l) => h("div", {}, field(id(`${k}-${l}`), t(label, { lang: langName(l) }),
    { ...attrs, value: (cur[k] || {})[l] || "" })));
  const f = h("form", { id: p ? `proposal-form-${p.id}` : "add-proposal", novalidate: true, onsubmit: once(async () => {
    const title = texts(id("title"));
    if (!title.da && !title.en) return fieldError(id("title-da"), t("stTitleMissing"));
    const minor = cost.value();
    if (minor === undefined) return;
    const body = { title, district_id: Number(val(id("district"))) };
    for (const k of ["summary", "description"]) {
      const x = texts(id(k));
      if (Object.keys(x).length || (p && Object.keys(p[k] || {}).length)) body[k] = x;
    }
    if (minor !== null) body.cost = minor;
    if (val(id("category"))) body.category = val(id("category"));
    body.cost_note = val(id("note"));
    if (val(id("image"))) body.image_url = val(id("image"));
    const lat = val(id("lat")), lng = val(id("lng"));
    if (lat || lng) {
      if (!(Math.abs(Number(lat)) <= 90 && Math.abs(Number(lng)) <= 180) || !lat || !lng) {
        return fieldError(id("lat"), t("stLocationInvalid"));
      }
      body.location = { lat: Number(lat), lng: Number(lng) };
    }
    if (p) body.exclusive_group = Number(val(id("group")) || 0);
    else if (Number(val(id("group")))) body.exclusive_group = Number(val(id("group")));
    if (!p) {
      if (!body.cost_note) delete body.cost_note;
      delete body.exclusive_group;
      const made = await call("POST", `/elections/${e.id}/proposals`, body);
      if (Number(val(id("group")))) await call("PATCH", `/proposals/${made.id}`, { exclusive_group: Number(val(id("group"))) });
    } else await call("PATCH", `/proposals/${p.id}`, body);
    await done(t(p ? "stProposalSaved" : "stProposalAdded", { title: pick(title, e.default_language) }));
  }, n) },
  h("div", { class: "grid2" }, langs("title", "stTitleIn", { required: true }), langs("summary", "stSummaryIn", {}),
    langs("description", "stDescriptionIn", { tag: "textarea", rows: "3" }),
    h("div", {}, field(id("district"), t("stDistrict"), { tag: "select", value: cur.district_id,
      options: e.districts.map((d) => [d.id, pick(d.name, e.default_language)]) })),
    h("div", {}, field(id("category"), t("stCategory"), { tag: "select", value: cur.category || "",
      options: [["", t("stNoCategory")], ...e.categories.map((c) => [c.key, pick(c.name, e.default_language)])] })),
    h("div", {}, cost.nodes),
    h("div", {}, field(id("note"), t("stCostNote"), { value: cur.cost_note || "" })),
    h("div", {}, field(id("image"), t("stImage"), { value: cur.image_url || "", type: "url" })),
    h("div", {}, field(id("group"), t("stExclusiveGroup"), { type: "number", min: 0, value: cur.exclusive_group || "" })),
    h("div", {}, field(id("lat"), t("stLatitude"), { inputmode: "decimal", value: cur.location ? cur.location.lat : "" })),
    h("div", {}, field(id("lng"), t("stLongitude"), { inputmode: "decimal", value: cur.location ? cur.location.lng : "" }))),
  // photos change at once (not with Save); the first one becomes the picture
  p ? photosBox(p, pick(p.title, e.default_language), (fresh) => {
    const img = document.getElementById(id("image"));
    if (img) img.value = fresh.image_url || "";
  }) : null,
  n.box, h("p", { class: "row" }, h("button", { type: "submit", id: p ? `save-proposal-${p.id}` : "add-proposal-btn" },
    t(p ? "stSave" : "stAddProposal")), p ? h("button", { type: "button", class: "secondary", onclick: () => done() }, t("stCancel")) : null));
  return f;
}

async function historyBox(p) {
  const list = (await call("GET", `/proposals/${p.id}/history`)).history;
  // a proposal loaded with the demo or a database import has no recorded changes
  if (!list.length) return h("p", { class: "muted" }, t("stNoHistory"));
  return h("ol", { class: "history" }, list.map((x) => h("li", {},
    `${dateTime(x.at)} · ${x.staff || t("stCitizen")} · ${t(x.action === "proposal.create" ? "stCreated" : "stChanged")}` +
    (x.after ? ` · ${t("status_" + x.after.status)}` : ""))));
}

// reload(message) draws the section again.
export async function proposalsSection(e, reload, flash) {
  const props = (await call("GET", `/elections/${e.id}/proposals`)).proposals;
  const fixed = votingOpened(e);
  const n = note(flash);
  const name = (p) => pick(p.title, e.default_language);
  const dname = (id) => { const d = e.districts.find((x) => x.id === id); return d ? pick(d.name, e.default_language) : ""; };
  const row = (p) => {
    const detail = h("td", { colspan: String(counted ? 6 : 5) });
    const more = h("tr", { hidden: true }, detail);
    const open = (node) => { detail.replaceChildren(node); more.hidden = false; const f = detail.querySelector("input, select, textarea, button"); if (f) f.focus(); };
    const act = (label, idp, fn) => h("button", { type: "button", class: "secondary small", id: `${idp}-${p.id}`,
      "aria-label": `${label}: ${name(p)}`, onclick: fn }, label);
    const actions = [];
    if (!fixed) {
      actions.push(act(t("stEdit"), "edit", () => open(proposalForm(e, p, async (m) => m ? reload(m) : (more.hidden = true)))));
      if (p.status !== "accepted" && p.status !== "merged")
        actions.push(act(t("stAccept"), "accept", once(async () => {
          await call("PATCH", `/proposals/${p.id}`, { status: "accepted" });
          await reload(t("stAccepted", { title: name(p) }));
        }, n)));
      if (p.status !== "rejected" && p.status !== "merged")
        actions.push(act(t("stReject"), "reject", () => {
          const rn = note();
          open(h("form", { id: `reject-form-${p.id}`, novalidate: true, onsubmit: once(async () => {
            if (!val(`reason-${p.id}`)) return fieldError(`reason-${p.id}`, t("stReasonMissing"));
            await call("PATCH", `/proposals/${p.id}`, { status: "rejected", reason: val(`reason-${p.id}`) });
            await reload(t("stRejected", { title: name(p) }));
          }, rn) }, field(`reason-${p.id}`, t("stReasonForAuthor"), { required: true }), rn.box,
          h("p", {}, h("button", { type: "submit" }, t("stRejectProposal")))));
        }));
      if (p.status !== "merged")
        actions.push(act(t("stMerge"), "merge", () => {
          const mn = note();
          const others = props.filter((x) => x.id !== p.id && x.status !== "merged");
          open(h("form", { id: `merge-form-${p.id}`, onsubmit: once(async () => {
            const into = others.find((x) => x.id === Number(val(`merge-into-${p.id}`)));
            if (!sure(t("stConfirmMerge", { title: name(p), into: name(into) }))) return;
            await call("PATCH", `/proposals/${p.id}`, { merged_into: into.id });
            await reload(t("stMerged", { title: name(p), into: name(into) }));
          }, mn) }, field(`merge-into-${p.id}`, t("stMergeInto"), { tag: "select", options: others.map((x) => [x.id, name(x)]) }), mn.box,
          h("p", {}, h("button", { type: "submit" }, t("stMergeProposal")))));
        }));
    }
    actions.push(act(t("stHistory"), "history", once(async () => open(await historyBox(p)), n)));
    return [h("tr", {}, h("td", {}, name(p)), h("td", {}, dname(p.district_id)),
      h("td", {}, p.cost == null ? t("stNotCosted") : money(p.cost, e.currency)), h("td", {}, t("status_" + p.status)),
      counted ? h("td", {}, String(p.supports)) : null,
      h("td", {}, h("span", { class: "row" }, actions))), more];
  };
  const waiting = props.filter((p) => p.status === "submitted");
  // from the supports phase on staff get each proposal's supports: most supported first (the ranking)
  const counted = props.some((p) => typeof p.supports === "number");
  if (counted) props.sort((a, b) => b.supports - a.supports || a.id - b.id);
  const table = (list, id) => h("table", { id }, h("thead", {}, h("tr", {},
    [t("stProposal"), t("stDistrict"), t("stCost"), t("stStatus"), counted ? t("stSupports") : null, t("stActions")]
      .filter(Boolean).map((x) => h("th", { scope: "col" }, x)))), h("tbody", {}, list.map(row)));
  const exportBtn = h("button", { type: "button", class: "secondary", id: "export-proposals", onclick: once(async () => {
    const res = await fetchRaw("GET", `/elections/${e.id}/proposals/export?lang=${document.documentElement.lang}`);
    await download(res, `election-${e.id}-proposals.csv`);
    n.say(t("stExported"));
  }, n) }, t("stExportCsv"));
  return h("section", {},
    h("h2", {}, t("stModeration", { n: waiting.length })),
    waiting.length ? table(waiting, "queue") : h("p", {}, t("stQueueEmpty")),
    h("h2", {}, t("stAllProposals")), props.length ? table(props, "proposals") : h("p", {}, t("stNoProposalsYet")),
    n.box, h("p", {}, exportBtn),
    fixed ? h("p", { class: "muted" }, t("stProposalsFixed")) : [
      h("h2", {}, t("stNewProposal")), e.districts.length ? proposalForm(e, undefined, reload) : h("p", {}, t("stAddDistrictFirst")),
      h("h2", {}, t("stImportTitle")), importForm(e, reload)]);
}
