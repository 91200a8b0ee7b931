// Phases, count and publish. Every step that cannot be undone asks first (opening voting
// warns about ideas still waiting for review, which would not be on the ballot); counting
// shows its progress (GET .../tally) and then a preview of the winners per district, which
// is what publishing makes final and public.
import { h } from "../api.js";
import { money, pick, t } from "../i18n.js";
import { call, note, once, PHASES, sure } from "./common.js";

// The phase changes staff make by hand, each with what it means.
const STEPS = ["proposals", "supports", "review", "voting", "closed"];

function preview(e, props, result) {
  const title = (id) => { const p = props.find((x) => x.id === id); return p ? pick(p.title, e.default_language) : t("stUnknownProposal"); };
  return h("div", { id: "preview" }, h("h3", {}, t(result.published ? "stResultPublished" : "stPreview")),
    result.districts.map((d) => {
      const dist = e.districts.find((x) => x.id === d.district_id);
      return h("section", {}, h("h4", {}, dist ? pick(dist.name, e.default_language) : ""),
        h("p", {}, t("stBallotsCounted", { n: d.ballots }), " · ", t("spentOf", { spent: money(d.spent, e.currency), budget: money(d.budget, e.currency) }),
          " · ", t("stCountedBy", { rule: t("stRule_" + (d.rule || result.rule)) })),
        d.winners.length ? h("ol", {}, d.winners.map((id) => h("li", {}, title(id)))) : h("p", {}, t("stNoWinners")));
    }));
}

export async function countSection(e, reload, flash) {
  const n = note(flash);
  const at = PHASES.indexOf(e.phase);
  const props = (await call("GET", `/elections/${e.id}/proposals`)).proposals;
  const waiting = props.filter((p) => p.status === "submitted").length;
  const phaseBtn = (p) => h("button", { type: "button", id: "phase-" + p, class: p === "closed" ? "" : "secondary", onclick: once(async () => {
    let ask = t("stConfirmPhase_" + p);
    if (p === "voting" && waiting) ask = t("stWaitingIdeas", { n: waiting }) + "\n\n" + ask;
    if (!sure(ask)) return;
    await call("POST", `/elections/${e.id}/phase`, { phase: p });
    await reload(t("stPhaseNow", { phase: t("phase_" + p) }));
  }, n) }, t("stGoTo_" + p));
  const steps = STEPS.filter((p) => PHASES.indexOf(p) > at && at < PHASES.indexOf("closed"));
  const progress = h("progress", { id: "tally-progress", max: 100, value: 0, hidden: true, "aria-label": t("stCounting") });
  const out = h("div", {});
  const tally = await call("GET", `/elections/${e.id}/tally`);
  async function showResult() {
    const r = await call("GET", `/elections/${e.id}/results`);
    out.replaceChildren(preview(e, props, r), e.phase === "closed" ? h("p", {}, publishBtn) : "");
  }
  const publishBtn = h("button", { type: "button", id: "publish", onclick: once(async () => {
    if (!sure(t("stConfirmPublish"))) return;
    await call("POST", `/elections/${e.id}/publish`);
    await reload(t("stPublished"));
  }, n) }, t("stPublish"));
  const tallyBtn = h("button", { type: "button", id: "tally", onclick: once(async () => {
    if (!sure(t(tally.finished_at ? "stConfirmRecount" : "stConfirmCount"))) return;
    progress.hidden = false;
    progress.value = 0;
    n.say(t("stCounting"));
    let done = false;
    const poll = async () => {
      while (!done) {
        await new Promise((r) => setTimeout(r, 400));
        if (done) return;
        try { const s = await call("GET", `/elections/${e.id}/tally`); progress.value = s.percent; } catch (x) { return; }
      }
    };
    poll();
    try { await call("POST", `/elections/${e.id}/tally`); }
    finally { done = true; progress.hidden = true; }
    tally.finished_at = new Date().toISOString();
    tallyBtn.textContent = t("stRecount");
    await showResult();
    n.say(t("stCounted"));
  }, n) }, t(tally.finished_at ? "stRecount" : "stCount"));
  if (tally.finished_at && (e.phase === "closed" || e.phase === "published")) await showResult();
  return h("section", {},
    h("h2", {}, t("stPhases")),
    h("ol", { class: "phases" }, PHASES.filter((p) => p !== "supports" || e.phase === "supports" || (e.phases && e.phases.supports)).map((p) => h("li", { "aria-current": p === e.phase ? "step" : false },
      p === e.phase ? h("strong", {}, t("phase_" + p)) : t("phase_" + p)))),
    n.box,
    steps.length ? h("p", { class: "row" }, steps.map(phaseBtn)) : null,
    e.phase === "closed" ? [h("h2", {}, t("stCountTitle")), h("p", { class: "muted" }, t("stCountHelp")), h("p", {}, tallyBtn), progress] : null,
    tally.error ? h("p", { class: "msg error" }, t("stCountFailed")) : null,
    e.phase === "published" ? h("p", {}, t("stFinished")) : null,
    out);
}
