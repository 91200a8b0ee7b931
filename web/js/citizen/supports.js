// The supports phase on the election page: a signed-in citizen supports up to N proposals
// of their district with a toggle on each card (a button with aria-pressed), sees "n of N
// supports used" in a live region and the counts when the election shows them, and hears a
// refusal next to the button that was pressed. The server decides (limit, phase, district);
// the page only saves a round trip when the limit is plainly reached.
import { h } from "../api.js";
import { t, errorText } from "../i18n.js";
import { say } from "../page.js";
import { voterApi, SESSION_ENDED } from "./voter.js";
import { title } from "./ui.js";

// For the election page in the supports phase with a voter session: {status, control(p)},
// {intro, status, control(p)}: status is the sticky bar with the count used, control(p) the
// toggle for a proposal of the voter's district (null for others).
export async function supportControls(eid, election, s) {
  const mine = await voterApi(eid, "GET", "/supports");
  const held = new Set(mine.proposal_ids);
  let used = mine.used, max = mine.max_per_voter;
  const usedText = () => t("supportsUsed", { n: used, max });
  const usedLine = h("p", { id: "supports-used", class: "flush", role: "status" }, usedText());
  const status = h("div", { class: "sticky" }, usedLine);
  const intro = h("p", {}, t("supportsIntro", { n: max }));
  const notes = [];
  const made = new Map();   // one toggle per proposal, kept when the list is filtered again
  let sending = false;

  function control(p) {
    if (p.district_id !== s.district_id) return null;
    if (!made.has(p.id)) made.set(p.id, toggle(p));
    return made.get(p.id);
  }

  function toggle(p) {
    const note = h("p", { id: "snote-" + p.id, class: "msg error note", hidden: true });
    notes.push(note);
    const count = h("span", { class: "muted" });
    const state = h("span", { class: "muted" });
    // named with the proposal (the visible word starts the name), so a list of them can be told apart
    const button = h("button", { type: "button", class: "support", id: "support-" + p.id, "aria-describedby": "snote-" + p.id,
                                 "aria-label": `${t("support")}: ${title(p.title)}` }, t("support"));
    function draw(n) {
      const on = held.has(p.id);
      button.setAttribute("aria-pressed", String(on));
      state.textContent = on ? t("supported") : "";
      if (typeof n === "number") count.textContent = t("supportCount", { n });
    }
    function refuse(text) {
      for (const x of notes) { x.hidden = true; x.textContent = ""; }
      note.textContent = text;
      note.hidden = false;
      note.scrollIntoView({ block: "nearest" });
      say(text);
    }
    button.addEventListener("click", async () => {
      if (sending) return;
      const on = !held.has(p.id);
      if (on && used >= max) return refuse(t("supportLimit", { n: max }));
      sending = true;
      button.setAttribute("aria-busy", "true");
      try {
        const r = await voterApi(eid, on ? "PUT" : "DELETE", `/supports/${p.id}`);
        if (r.supported) held.add(p.id); else held.delete(p.id);
        used = r.used;
        max = r.max_per_voter;
        note.hidden = true;
        draw(r.supports);
        usedLine.textContent = usedText();
      } catch (e) {
        if (e !== SESSION_ENDED) refuse(errorText(e, "support"));
      } finally {
        sending = false;
        button.removeAttribute("aria-busy");
      }
    });
    draw(p.supports);
    return [h("div", { class: "row support-row" }, button, state, count), note];
  }
  return { intro, status, control };
}
