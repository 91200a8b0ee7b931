// Paper ballots: the clerk's form follows the ballot type (ticks for approval and knapsack,
// ranks for ordinal, points for cumulative) and is checked by the same rules as online
// ballots on the server; the result is said at the form and the form is emptied for the next
// sheet. Below it the sheets entered, with an admin's correction of a counted sheet (audited,
// with a reason) and the authoritative reading of a sheet held for review.
import { h } from "../api.js";
import { dateTime, money, pick, t } from "../i18n.js";
import { call, field, note, once, val, fieldError, tickLabel } from "./common.js";
import { frameBallot } from "../frames.js";

// The choices part of a form for the proposals of a district; read() gives the API's ballot
// or a text saying what is wrong. prefix keeps two forms on a page apart; chosen prefills.
function choices(e, props, prefix, chosen, districtId) {
  const b = frameBallot(e, districtId), type = b.type;
  const budget = e.districts.find((x) => x.id === districtId)?.budget;
  const name = (p) => `${pick(p.title, e.default_language)} (${money(p.cost, e.currency)})`;
  const pre = chosen || { items: [], points: null };
  // the sheet's own limits, said before anything is saved (the server checks them again)
  const limits = [type !== "ordinal" && b.max_selections ? t("stPaperAtMost", { n: b.max_selections }) : null,
    type === "knapsack" && budget ? t("stPaperWithin", { budget: money(budget, e.currency) }) : null].filter(Boolean);
  const box = h("fieldset", { class: "paper-choices" }, h("legend", {}, t("stPaperLegend_" + type, { n: b.max_ranks || props.length, points: b.points || 0 })),
    limits.length ? h("p", { class: "muted" }, limits.join(" ")) : null,
    props.map((p) => {
      const id = `${prefix}-${p.id}`;
      const at = pre.items.indexOf(p.id);
      if (type === "ordinal")
        return h("div", { class: "choice" }, h("input", { id, type: "number", min: 1, max: props.length, class: "rank", "data-id": p.id,
          value: at >= 0 ? at + 1 : "" }), h("label", { class: "inline", for: id }, name(p)));
      if (type === "cumulative")
        return h("div", { class: "choice" }, h("input", { id, type: "number", min: 0, max: b.points, class: "points", "data-id": p.id,
          value: at >= 0 && pre.points ? pre.points[at] : "" }), h("label", { class: "inline", for: id }, name(p)));
      // the box and its proposal side by side, the words wrapping beside the box (tickLabel)
      return h("div", { class: "choice" }, h("input", { id, type: "checkbox", class: "tick", "data-id": p.id, checked: at >= 0 }),
        h("label", { class: "inline", for: id }, name(p)));
    }));
  function read() {
    if (type === "ordinal") {
      const ranked = [...box.querySelectorAll(".rank")].filter((x) => x.value.trim() !== "")
        .map((x) => ({ id: Number(x.dataset.id), rank: Number(x.value) }));
      if (ranked.some((r) => !Number.isInteger(r.rank) || r.rank < 1)) return { problem: t("stRankInvalid") };
      const ranks = ranked.map((r) => r.rank);
      if (new Set(ranks).size !== ranks.length) return { problem: t("stRankTwice") };
      return { ballot: { ranking: ranked.sort((a, b) => a.rank - b.rank).map((r) => r.id) } };
    }
    if (type === "cumulative") {
      const given = [...box.querySelectorAll(".points")].filter((x) => x.value.trim() !== "" && Number(x.value) !== 0)
        .map((x) => [x.dataset.id, Number(x.value)]);
      if (given.some(([, v]) => !Number.isInteger(v) || v < 0)) return { problem: t("stPointsInvalid") };
      return { ballot: { points: Object.fromEntries(given) } };
    }
    return { ballot: { approvals: [...box.querySelectorAll(".tick:checked")].map((x) => Number(x.dataset.id)) } };
  }
  return { box, read };
}

function entryText(e, props, x, districtId) {
  const title = (id) => { const p = props.find((q) => q.id === id); return p ? pick(p.title, e.default_language) : t("stUnknownProposal"); };
  if (!x.items.length) return t("stEmptyBallot");
  return x.items.map((id, i) => frameBallot(e, districtId).type === "ordinal" ? `${i + 1}. ${title(id)}`
    : x.points ? `${title(id)}: ${t("points", { n: x.points[i] })}` : title(id)).join(", ");
}

export async function paperSection(e, reload, flash, me) {
  const props = (await call("GET", `/elections/${e.id}/proposals`)).proposals.filter((p) => p.status === "accepted");
  const admin = me.admin;
  const districtName = (id) => pick(e.districts.find((d) => d.id === id)?.name, e.default_language);
  const n = note(flash);
  const open = e.phase === "voting" || e.phase === "closed";
  let district = e.districts[0] ? e.districts[0].id : 0;
  const holder = h("div", {});
  let current = null;
  function drawChoices() {
    current = choices(e, props.filter((p) => p.district_id === district), "pc", null, district);
    holder.replaceChildren(current.box);
  }
  drawChoices();
  const form = h("form", { id: "paper", novalidate: true, onsubmit: once(async () => {
    if (!val("sheet")) return fieldError("sheet", t("stSheetMissing"));
    const body = { sheet: val("sheet") };
    if (val("paper-code")) body.code = val("paper-code");
    else if (val("paper-pid") && val("paper-birth")) body.register = { personal_id: val("paper-pid"), birth_date: val("paper-birth") };
    else return fieldError("paper-code", t("stVoterMissing"));
    const r = current.read();
    if (r.problem) { n.fail(r.problem); return; }
    // the sheet is one frame's ballot: a voter with a city-wide and a district ballot has two sheets
    body.ballot = { district_id: district, ...r.ballot };
    if (admin && document.getElementById("paper-resolve").checked) body.resolve = true;
    const res = await call("POST", `/elections/${e.id}/paper-ballots`, body);
    form.reset();
    // the next sheet is most likely of the same district: keep it chosen
    document.getElementById("paper-district").value = String(district);
    drawChoices();
    n.say(t("stSheet_" + res.status, { sheet: res.sheet }) + (res.replaced_online ? " " + t("stReplacedOnline") : ""));
    listBox.replaceChildren(await sheetList());
  }, n) },
  h("div", { class: "grid2" },
    h("div", {}, field("sheet", t("stSheetNumber"), { required: true, autocomplete: "off" })),
    h("div", {}, field("paper-district", t("stDistrictOfSheet"), { tag: "select", options: e.districts.map((d) => [d.id, pick(d.name, e.default_language)]),
      onchange: (ev) => { district = Number(ev.target.value); drawChoices(); } })),
    h("div", {}, field("paper-code", t("stVotersCode"), { autocomplete: "off" })),
    h("div", {}, field("paper-pid", t("stOrPersonalId"), { autocomplete: "off" })),
    h("div", {}, field("paper-birth", t("stBirthDate"), { autocomplete: "off", placeholder: "1990-05-17" }))),
  holder,
  admin ? tickLabel(h("input", { type: "checkbox", id: "paper-resolve" }), t("stResolve")) : null,
  n.box, h("p", {}, h("button", { type: "submit", id: "paper-save" }, t("stEnterSheet"))));

  async function sheetList() {
    const sheets = (await call("GET", `/elections/${e.id}/paper-ballots`)).sheets;
    if (!sheets.length) return h("p", {}, t("stNoSheets"));
    return h("table", { id: "sheets" }, h("thead", {}, h("tr", {}, [t("stSheet"), t("stStatus"), t("stEntries"), t("stActions")].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, sheets.map((s) => {
        const cell = h("td", {});
        const entries = s.entries || [];
        const last = entries[entries.length - 1];
        const fix = admin && s.status === "counted" && open ? h("button", { type: "button", class: "secondary small", id: `correct-${s.sheet}`,
          "aria-label": t("stCorrectSheet", { sheet: s.sheet }), onclick: () => {
            const cn = note();
            const c = choices(e, props.filter((p) => p.district_id === last.district_id), `cc-${s.sheet}`, last, last.district_id);
            cell.replaceChildren(h("form", { id: `correct-form-${s.sheet}`, novalidate: true, onsubmit: once(async () => {
              if (!val(`reason-${s.sheet}`)) return fieldError(`reason-${s.sheet}`, t("stReasonMissing"));
              const r = c.read();
              if (r.problem) { cn.fail(r.problem); return; }
              await call("POST", `/elections/${e.id}/paper-ballots/corrections`, { sheet: s.sheet, ballot: r.ballot, reason: val(`reason-${s.sheet}`) });
              await reload(t("stSheetCorrected", { sheet: s.sheet }));
            }, cn) }, c.box, field(`reason-${s.sheet}`, t("stCorrectionReason"), { required: true }), cn.box,
            h("p", {}, h("button", { type: "submit" }, t("stSaveCorrection")))));
            cell.querySelector("input").focus();
          } }, t("stCorrect")) : "";
        cell.append(fix);
        return h("tr", {}, h("td", { class: "sheet-no" }, s.sheet), h("td", {}, t("stSheetStatus_" + s.status) + (s.corrected ? " · " + t("stCorrected") : "")),
          h("td", {}, h("ul", {}, entries.map((x) => h("li", {}, `${x.clerk} · ${dateTime(x.at)} · ${districtName(x.district_id)}: ${entryText(e, props, x, x.district_id)}`)))), cell);
      })));
  }
  const listBox = h("div", {}, await sheetList());
  return h("section", {}, h("h2", {}, t("stEnterPaper")),
    open ? form : h("p", { class: "muted" }, t("stPaperWhen")),
    h("h2", {}, t("stSheetsEntered")), listBox);
}
