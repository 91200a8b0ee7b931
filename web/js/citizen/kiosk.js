// The voting-day kiosk (/?kiosk=1): one screen, one voter after another. After a ballot, or
// when nobody has touched the screen for the idle time (?idle=SECONDS, default 60), the voter
// is signed out on the server and everything of theirs is cleared from the page. In the last
// seconds a countdown says so, and any touch or key keeps the ballot open.
import { h } from "../api.js";
import { t } from "../i18n.js";
import { say } from "../page.js";
import { setFlash } from "./state.js";
import { go } from "./ui.js";
import { signOutAll } from "./voter.js";

const params = new URLSearchParams(location.search);
const idle = Number.parseInt(params.get("idle"), 10);
export const kiosk = { on: params.get("kiosk") === "1", idle: Number.isFinite(idle) ? Math.min(3600, Math.max(5, idle)) : 60 };
const warnFor = Math.min(15, Math.floor(kiosk.idle / 2));   // seconds of visible countdown

let last = Date.now(), panel = null, resetting = false;

// Signs out every voter this tab holds, on the server too, clears the tab's storage and goes
// to the election's sign-in page (or the front page). why: a notice for that page.
export async function kioskReset(eid, why) {
  if (resetting) return;
  resetting = true;
  try {
    hidePanel();
    await signOutAll();
    if (why) setFlash(why);
    go(eid ? `#/e/${eid}/signin` : "#/", true);
  } finally {
    resetting = false;
    last = Date.now();
  }
}

function activity() { last = Date.now(); hidePanel(); }
function hidePanel() { if (panel) { panel.remove(); panel = null; } }

// Whether a voter left anything: a session, a draft, a receipt, or text typed into a field.
function somethingToClear() {
  return sessionStorage.length > 0 ||
    [...document.querySelectorAll("main input:not([type=checkbox]):not([type=radio])")].some((i) => i.value.trim() !== "");
}

function tick() {
  if (resetting) return;
  if (!somethingToClear()) { activity(); return; }
  const left = Math.ceil(kiosk.idle - (Date.now() - last) / 1000);
  if (left <= 0) {
    const m = location.hash.match(/^#\/e\/(\d+)/);
    kioskReset(m && m[1], t("kioskCleared"));
  } else if (left <= warnFor) {
    if (!panel) {
      panel = h("section", { class: "idle-warning", "aria-labelledby": "idle-title" },
        h("h2", { id: "idle-title" }, t("idleTitle")), h("p", { id: "idle-left", role: "timer" }),
        h("button", { type: "button", onclick: activity }, t("stillHere")));
      document.body.append(panel);
      say(`${t("idleTitle")} ${t("idleCountdown", { n: left })}`);
    }
    panel.querySelector("#idle-left").textContent = t("idleCountdown", { n: left });
  }
}

export function startKiosk() {
  if (!kiosk.on) return;
  document.body.classList.add("kiosk");
  for (const ev of ["pointerdown", "keydown", "input", "wheel", "touchstart"])
    document.addEventListener(ev, activity, { capture: true, passive: true });
  setInterval(tick, 250);
}
