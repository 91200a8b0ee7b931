// The ideas phase for citizens: the way in from the election page ("Submit an idea", "My
// ideas", the map of the proposals that have a place) and the "My ideas" view (#/e/ID/ideas):
// each idea with its status, the moderator's reason once reviewed, its photos, Edit while
// it waits for review, and the (masked) address its decision will be sent to, with a way
// to stop that.
import { api, h } from "../api.js";
import { t, pick, errorText } from "../i18n.js";
import { say } from "../page.js";
import { loadElection, session, takeFlash } from "./state.js";
import { title, cost, categoryName, message } from "./ui.js";
import { voterApi } from "./voter.js";
import { proposalsMap } from "./map.js";

// The election page's ideas-phase actions: sign in first, then submit or look at one's ideas.
export function ideasActions(election, eid) {
  if (election.phase !== "proposals") return [];
  const s = session(eid);
  return [h("a", { class: "button", href: s ? `#/e/${eid}/idea` : `#/e/${eid}/signin` }, s ? t("submitIdea") : t("signInToSubmit")),
    s ? h("a", { class: "button secondary", href: `#/e/${eid}/ideas` }, t("myIdeas")) : null];
}

// The map of an election's proposals that have a place (null when none has).
export function electionMap(election, proposals) {
  return proposalsMap(proposals, (p) => pick(p.title, election.default_language), null);
}

const statusText = { submitted: "ideaSubmitted", accepted: "ideaAccepted", rejected: "ideaRejected", merged: "ideaMerged" };

// "We will tell you the decision at b***@example.dk" and the button that withdraws it.
function notifyLine(eid, p) {
  const line = h("div", { class: "row" }, h("p", {}, t("notifyKept", { to: p.notify.hint })),
    h("button", { type: "button", class: "secondary", id: `notify-stop-${p.id}`, "aria-label": `${t("notifyStop")}: ${title(p.title)}`,
      onclick: async () => {
        try {
          // signed out in another tab meanwhile: no token, and the server says 401
          await api("DELETE", `/proposals/${p.id}/notify`, undefined, session(eid)?.token);
          const text = t("notifyStopped", { title: title(p.title) });
          line.replaceChildren(message(text));
          say(text);
        } catch (e) { line.append(message(errorText(e), true)); }
      } }, t("notifyStop")));
  return line;
}

function ideaCard(eid, p, editable) {
  const cat = p.category ? categoryName(p.category) : null;
  return h("article", { class: "card" },
    (p.photos || []).map((ph) => h("img", { src: ph.url, alt: t("photoOf", { title: title(p.title) }), class: "photo thumb", width: ph.width, height: ph.height })),
    h("h2", { class: "flush" }, title(p.title)),
    h("p", {}, h("span", { class: "tag status-" + p.status }, t(statusText[p.status] || "ideaSubmitted"))),
    p.description && title(p.description) ? h("p", {}, title(p.description)) : null,
    h("p", { class: "row" }, p.cost ? h("span", { class: "cost" }, t("roughCostIs", { cost: cost(p.cost) })) : h("span", { class: "muted" }, t("noCostGiven")),
      cat ? h("span", { class: "tag" }, cat) : null),
    p.location?.address ? h("p", { class: "muted" }, p.location.address) : null,
    p.reason && p.status !== "submitted" ? h("div", { class: "msg" }, h("strong", {}, t("moderatorReason")), " ", p.reason) : null,
    p.notify ? notifyLine(eid, p) : null,
    editable && p.status === "submitted" ? h("p", {}, h("a", { class: "button secondary", href: `#/e/${eid}/idea?edit=${p.id}` }, t("editIdea", { title: title(p.title) }))) : null);
}

export async function myIdeasPage(eid, v) {
  const { election } = await loadElection(eid);
  const flash = takeFlash();
  const mine = (await voterApi(eid, "GET", "/my-proposals")).proposals;
  const open = election.phase === "proposals";
  v.show(h("h1", {}, t("myIdeas")), h("p", {}, title(election.title)), flash ? message(flash) : null,
    open ? h("p", {}, h("a", { class: "button", href: `#/e/${eid}/idea` }, t("submitIdea"))) : h("p", { class: "muted" }, t("ideasClosed")),
    mine.length ? mine.map((p) => ideaCard(eid, p, open)) : h("p", {}, t("noIdeasYet")),
    h("p", {}, h("a", { href: `#/e/${eid}` }, t("back"))));
}
