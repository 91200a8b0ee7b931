// The citizen pages: read proposals, sign in, vote with the ballot type's own interaction,
// review, cast, keep the receipt, check it on the bulletin board, see the results.
// Routes live in the URL hash: #/e/ID, #/e/ID/signin, #/e/ID/vote, #/e/ID/review,
// #/e/ID/receipt, #/e/ID/board, #/e/ID/results, #/e/ID/p/PID (a proposal); in the ideas
// phase #/e/ID/ideas (my ideas) and #/e/ID/idea (the idea form, ?edit=PID); #/accessibility
// is the accessibility statement. ?kiosk=1 (and &idle=SECONDS) is the
// voting-day kiosk (citizen/kiosk.js).
import { h } from "./api.js";
import { t, errorText, getLang, setLang, useLang, languages } from "./i18n.js";
import { isRoute, busy } from "./page.js";
import { view, message } from "./citizen/ui.js";
import { SESSION_ENDED } from "./citizen/voter.js";
import { homePage, electionPage } from "./citizen/home.js";
import { signInPage } from "./citizen/signin.js";
import { ballotPage } from "./citizen/ballot.js";
import { reviewPage } from "./citizen/review.js";
import { receiptPage, boardPage } from "./citizen/receipt.js";
import { resultsPage } from "./citizen/results.js";
import { startKiosk } from "./citizen/kiosk.js";
import { myIdeasPage } from "./citizen/ideas.js";
import { ideaFormPage } from "./citizen/idea-form.js";
import { oidcReturn } from "./oidc.js";
import { proposalPage } from "./citizen/proposal.js";
import { choosePage } from "./citizen/choose.js";
import { statementPage } from "./citizen/statement.js";
import { signOutButton, showSignOut } from "./citizen/signout.js";

const pages = { signin: signInPage, vote: ballotPage, review: reviewPage, receipt: receiptPage, board: boardPage, results: resultsPage,
                ideas: myIdeasPage, idea: ideaFormPage, p: proposalPage, choose: choosePage };
let routed = false;

async function route() {
  // an in-page anchor (the skip link's #main) is not a route: stay on the view
  if (routed && !isRoute(location.hash)) return;
  routed = true;
  const [path, query] = location.hash.slice(1).split("?");
  const parts = (path || "/").split("/").filter(Boolean);
  const v = view();
  showSignOut();
  await busy(async () => {
    try {
      if (parts[0] === "accessibility") return await statementPage(v);
      if (parts[0] !== "e" || !/^\d+$/.test(parts[1] || "")) return await homePage(v);
      const page = pages[parts[2]] || electionPage;
      await page(parts[1], v, query, parts[3]);
    } catch (e) {
      if (e === SESSION_ENDED) return;
      v.show(h("h1", {}, t("app")), message(errorText(e), true), h("p", {}, h("a", { href: "#/" }, t("back"))));
    }
  });
}

// The header and footer: the name, the skip link, the language menu, sign-out and the
// accessibility statement, in the page's language.
function chrome() {
  document.getElementById("brand").textContent = t("app");
  document.getElementById("lang-label").textContent = t("language");
  for (const a of document.querySelectorAll("a.skip")) a.textContent = t("skip");
  document.getElementById("a11y-link").textContent = t("a11yTitle");
  signOutButton();
}

useLang(getLang());
const langSel = document.getElementById("lang");
langSel.replaceChildren(...languages.map(([code, name]) => h("option", { value: code, lang: code }, name)));
langSel.value = getLang();
langSel.addEventListener("change", () => { setLang(langSel.value); chrome(); route(); });
chrome();
startKiosk();
window.addEventListener("hashchange", route);
// the return from an OpenID provider (/oidc/callback) finishes the sign-in; else the route
if (!(await oidcReturn(document.getElementById("main")))) route();
