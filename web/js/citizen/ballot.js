// The ballot, with each type's own way of choosing: tick boxes (approval, knapsack with the
// budget bar), points with + and − (cumulative), a ranking with Add, ↑, ↓ and Remove
// (ordinal). The choices are saved in the draft at every change. A rule that stops a choice
// is said next to the control that was used and in the live region, and the keyboard focus
// stays on (or next to) the control that was pressed.
import { h } from "../api.js";
import { t } from "../i18n.js";
import { say } from "../page.js";
import { loadElection, session, setSession, draft, saveDraft, emptyDraft, frameOf, takeFlash } from "./state.js";
import { voterApi } from "./voter.js";
import { message, title, titleLang, cost, proposalCard } from "./ui.js";
import { reminderBox } from "./reminder.js";
import { frameBallot } from "../frames.js";

export function maxChoices(r) { return r.type === "ordinal" ? (r.max_ranks || r.max_selections) : r.max_selections; }

// The voter's counted ballot in a district ({tracker, approvals|ranking|points}), or null
// before the first.
export async function myBallot(eid, district) {
  try { return await voterApi(eid, "GET", district ? `/ballot?district_id=${district}` : "/ballot"); }
  catch (e) { if (e.status === 404) return null; throw e; }
}

function fromBallot(b, districtId) {
  const d = emptyDraft(districtId);
  if (b.points) {
    for (const [k, n] of Object.entries(b.points)) d.points[Number(k)] = n;
    d.chosen = Object.keys(d.points).map(Number);
  } else d.chosen = (b.approvals || b.ranking || []).slice();
  return d;
}

export async function ballotPage(eid, v) {
  const { election, proposals } = await loadElection(eid);
  const s = session(eid);
  if (!s) return v.go(`#/e/${eid}/signin`, true);
  // a sign-in in the ideas phase (the OpenID return lands here) leads to the citizen's ideas
  if (election.phase === "proposals") return v.go(`#/e/${eid}/ideas`, true);
  if (election.phase !== "voting") return v.show(h("h1", {}, title(election.title)), message(t("votingClosed"), true));
  // the session as it stands: it still holds (else back to sign-in), and the ballots cast on
  // any device since this tab signed in
  const now = await voterApi(eid, "GET", "/voter-sessions/current");
  s.voted = now.voted_districts;
  s.has_voted = now.has_voted;
  setSession(eid, s);
  // a district to choose first, where the municipality lets voters choose
  if (s.choices?.length) return v.go(`#/e/${eid}/choose`, true);
  const flash = takeFlash();   // ballot 1 of 2 is cast
  // one ballot per district (frame) the voter votes in: this is ballot at + 1 of them
  const frame = frameOf(s), frames = s.districts?.length || 1, at = (s.at || 0) + 1;
  // the counted ballot, where the voter has one here (a frame not voted in has none: no
  // request, so no 404)
  const counted = s.voted.includes(frame) ? await myBallot(eid, frame) : null;
  const r = frameBallot(election, frame), max = maxChoices(r);
  const district = election.districts.find((x) => x.id === frame);
  const mine = proposals.filter((p) => p.district_id === frame);
  let d = draft(eid);
  if (!d || d.district_id !== frame) d = counted ? fromBallot(counted, frame) : emptyDraft(frame);
  // only what is on this ballot now
  const onBallot = new Set(mine.map((p) => p.id));
  d.chosen = d.chosen.filter((id) => onBallot.has(id));
  for (const k of Object.keys(d.points)) if (!onBallot.has(Number(k))) delete d.points[k];
  saveDraft(eid, d);

  const byId = (id) => mine.find((p) => p.id === id);
  const spent = () => d.chosen.reduce((a, id) => a + byId(id).cost, 0);
  const pointsUsed = () => Object.values(d.points).reduce((a, n) => a + n, 0);
  const notes = new Map(mine.map((p) => [p.id, h("p", { id: "note-" + p.id, class: "msg error note", hidden: true })]));

  // --- the bar at the bottom: how far the voter is, and the way on ---
  const summary = h("p", { class: "flush" });
  const fill = h("span", {});
  const bar = r.type === "knapsack" ? h("div", { class: "bar", role: "progressbar", "aria-label": t("budgetLabel"),
    "aria-valuemin": 0, "aria-valuemax": district.budget }, fill) : null;
  function statusText() {
    if (r.type === "knapsack") return t("budgetUsed", { used: cost(spent()), budget: cost(district.budget) });
    if (r.type === "cumulative") return t("pointsLeft", { n: r.points - pointsUsed(), total: r.points });
    return max ? t("chosenOf", { n: d.chosen.length, max }) : t("chosenCount", { n: d.chosen.length });
  }
  function updateStatus() {
    summary.textContent = statusText();
    if (bar) {
      bar.setAttribute("aria-valuenow", spent());
      bar.setAttribute("aria-valuetext", cost(spent()));
      fill.style.width = Math.min(100, Math.round(100 * spent() / district.budget)) + "%";
    }
  }
  const status = h("div", { class: "sticky" }, summary, bar,
    h("p", { class: "row flush-bottom" }, h("button", { type: "button", id: "review", onclick: () => v.go(`#/e/${eid}/review`) }, t("review"))));

  // --- saying things ---
  function clearNotes() { for (const n of notes.values()) { n.hidden = true; n.textContent = ""; } }
  function refuse(p, text) {
    clearNotes();
    const n = notes.get(p.id);
    n.textContent = text;
    n.hidden = false;
    n.scrollIntoView({ block: "nearest" });
    say(text);
  }
  // After every change: a new review key, the draft saved, the bar brought up to date.
  function changed(spoken) {
    d.key = null;
    saveDraft(eid, d);
    clearNotes();
    updateStatus();
    say(spoken || statusText());
  }

  // --- the controls of each type ---
  function tickBox(p) {
    const box = h("input", { type: "checkbox", id: "p-" + p.id, checked: d.chosen.includes(p.id), "aria-describedby": "note-" + p.id });
    box.addEventListener("change", () => {
      if (box.checked) {
        const why = max && d.chosen.length >= max ? t("maxReached", { n: max })
          : r.type === "knapsack" && spent() + p.cost > district.budget ? t("overBudget") : null;
        if (why) { box.checked = false; return refuse(p, why); }
        d.chosen.push(p.id);
      } else d.chosen = d.chosen.filter((x) => x !== p.id);
      changed();
    });
    return h("label", { for: "p-" + p.id, class: "choose" }, box, h("span", {}, t("choose"), h("span", { class: "sr-only" }, ": " + title(p.title))));
  }

  function stepper(p) {
    const n = () => d.points[p.id] || 0;
    const most = r.max_points_per_project || r.points;
    const out = h("output", { id: "pts-" + p.id }, String(n()));
    const minus = h("button", { type: "button", class: "small secondary", id: "minus-" + p.id, "aria-label": `− ${title(p.title)}`,
                                "aria-describedby": "note-" + p.id, disabled: n() === 0 }, "−");
    const plus = h("button", { type: "button", class: "small", id: "plus-" + p.id, "aria-label": `+ ${title(p.title)}`,
                               "aria-describedby": "note-" + p.id }, "+");
    function set(x) {
      if (x) d.points[p.id] = x; else delete d.points[p.id];
      d.chosen = Object.keys(d.points).map(Number);
      out.textContent = String(x);
      if (x === 0 && document.activeElement === minus) plus.focus();   // a disabled button would drop the focus
      minus.disabled = x === 0;
      changed(t("pointsFor", { title: title(p.title), n: x }));
    }
    plus.addEventListener("click", () => {
      if (n() >= most) return refuse(p, t("maxPerProject", { n: most }));
      if (pointsUsed() >= r.points) return refuse(p, t("maxPoints"));
      set(n() + 1);
    });
    minus.addEventListener("click", () => { if (n() > 0) set(n() - 1); });
    return h("div", { class: "stepper", role: "group", "aria-label": title(p.title) }, minus, out, plus);
  }

  // Ordinal: the ranking and the list are drawn again after each change; then the focus goes
  // to the control that stands where the pressed one was.
  const rankingBox = h("div", {});
  const list = h("div", {});
  function rankAction(fn, focusIds, spoken) {
    fn();
    changed(spoken());
    drawOrdinal();
    const target = focusIds().map((id) => document.getElementById(id)).find((el) => el && !el.disabled);
    if (target) target.focus();
  }
  function drawOrdinal() {
    const unranked = mine.filter((p) => !d.chosen.includes(p.id));
    const last = d.chosen.length - 1;
    rankingBox.replaceChildren(...(d.chosen.length ? [h("h2", {}, t("ranking")), h("ol", { class: "ranking" }, d.chosen.map((id, i) => {
      const p = byId(id), name = title(p.title);
      const swap = (j) => { [d.chosen[i], d.chosen[j]] = [d.chosen[j], d.chosen[i]]; };
      return h("li", { class: "card" }, h("div", { class: "row" }, h("strong", { class: "grow" }, name), h("span", { class: "cost" }, cost(p.cost))),
        h("div", { class: "row" },
          h("button", { type: "button", class: "small secondary", id: "up-" + id, disabled: i === 0, "aria-label": `${t("moveUp")}: ${name}`,
            onclick: () => rankAction(() => swap(i - 1), () => i - 1 === 0 ? ["down-" + id] : ["up-" + id], () => t("rankedAt", { title: name, n: i })) }, "↑"),
          h("button", { type: "button", class: "small secondary", id: "down-" + id, disabled: i === last, "aria-label": `${t("moveDown")}: ${name}`,
            onclick: () => rankAction(() => swap(i + 1), () => i + 1 === last ? ["up-" + id] : ["down-" + id], () => t("rankedAt", { title: name, n: i + 2 })) }, "↓"),
          h("button", { type: "button", class: "small secondary", id: "rm-" + id, "aria-label": `${t("remove")}: ${name}`,
            onclick: () => rankAction(() => d.chosen.splice(i, 1),
              () => [d.chosen[i], d.chosen[i - 1]].filter((x) => x !== undefined).map((x) => "rm-" + x).concat("add-" + id),
              () => t("removedFrom", { title: name })) }, t("remove"))));
    }))] : []));
    list.replaceChildren(...unranked.map((p, k) => proposalCard(p, 3, h("button", { type: "button", class: "secondary", id: "add-" + p.id,
      "aria-label": `${t("add")}: ${title(p.title)}`, "aria-describedby": "note-" + p.id,
      onclick: () => {
        if (max && d.chosen.length >= max) return refuse(p, t("maxReached", { n: max }));
        rankAction(() => d.chosen.push(p.id), () => [unranked[k + 1], unranked[k - 1]].filter(Boolean).map((x) => "add-" + x.id).concat("rm-" + p.id),
          () => t("rankedAt", { title: title(p.title), n: d.chosen.length }));
      } }, t("add")), notes.get(p.id))));
  }

  if (r.type === "ordinal") drawOrdinal();
  else list.replaceChildren(...mine.map((p) => proposalCard(p, 3, r.type === "cumulative" ? stepper(p) : tickBox(p), notes.get(p.id))));
  updateStatus();
  v.show(h("h1", {}, frames > 1 ? t("yourBallotOf", { k: at, total: frames }) : t("yourBallot")),
    frames > 1 ? h("p", { class: "step", id: "step" }, t("ballotStepIntro"), " ",
      h("strong", { lang: titleLang(district.name) }, title(district.name))) : null,
    h("p", { lang: titleLang(election.title) }, `${title(election.title)} · ${title(district.name)}`),
    flash ? message(flash) : null, counted ? message(t("alreadyVoted")) : null,
    // back after a new sign-in, with some of several ballots cast: say so (the flash does
    // right after a cast)
    !flash && !counted && frames > 1 && s.voted.length ? message(t("earlierBallotsCast", { k: s.voted.length, total: frames })) : null, reminderBox(eid, election, s.token, counted), rankingBox,
    h("h2", {}, t("proposals")), list, status);
}
