// The header's sign-out button, shown on every citizen page while this tab holds a signed-in
// voter. It ends the session on the server (DELETE .../voter-sessions/current) and forgets
// everything of the voter in this tab (token, draft, receipt): the browser may be shared.
import { t } from "../i18n.js";
import { say } from "../page.js";
import { signedIn, setFlash } from "./state.js";
import { signOutAll } from "./voter.js";
import { kiosk, kioskReset } from "./kiosk.js";
import { go } from "./ui.js";

const button = document.getElementById("signout");

async function signOut() {
  const m = location.hash.match(/^#\/e\/(\d+)/);
  const eid = m && m[1];
  if (kiosk.on) return kioskReset(eid);
  await signOutAll();
  button.hidden = true;
  setFlash(t("signedOut"));
  say(t("signedOut"));
  go(eid ? `#/e/${eid}` : "#/");
}

// In the page's language; called when it changes.
export function signOutButton() {
  button.textContent = t("signOut");
  if (!button.dataset.wired) { button.dataset.wired = "1"; button.addEventListener("click", signOut); }
}

// Before every view: shown exactly while someone is signed in.
export function showSignOut() { button.hidden = !signedIn(); }
