// Citizen journeys several areas share, done as a citizen does them: from "/", by clicking.
// Every step goes through the Visitor, so every page on the way gets the strict check.
import { assert } from "./lib.mjs";
import { T } from "./texts.mjs";

// What the buttons and headings say, per language, as the tests look for them.
export const say = {
  en: { signIn: "Sign in to vote", code: "Voting code", continue: "Continue", ballot: "Your ballot", review: "Review your vote",
        reviewTitle: "Check your vote", cast: "Cast vote", thanks: "Thank you! Your vote has been received.",
        board: "Check on the bulletin board", found: "Found: your vote is counted", change: "Change your vote", back: "Back" },
  da: { signIn: "Log ind for at stemme", code: "Stemmekode", continue: "Fortsæt", ballot: "Din stemmeseddel", review: "Se din stemme",
        reviewTitle: "Tjek din stemme", cast: "Afgiv stemme", thanks: "Tak! Din stemme er modtaget.",
        board: "Tjek på opslagstavlen", found: "Fundet: din stemme er talt med", change: "Skift din stemme", back: "Tilbage" },
};
// the other languages, from their tables
for (const l of ["de", "uk", "ar"])
  say[l] = { signIn: T[l].signIn, code: T[l].code, continue: T[l].continue, ballot: T[l].yourBallot, review: T[l].review,
             reviewTitle: T[l].reviewTitle, cast: T[l].castVote, thanks: T[l].thanks, board: T[l].checkBoard,
             found: T[l].found.replace(/^✓ /, "").replace(/\.$/, ""), change: T[l].changeVote, back: T[l].back };

// "/" -> the election's page.
export async function openElection(v, e, lang = "en", query = "") {
  await v.start(query);
  await v.click(v.link(e.title[lang]), "open the election from the front page");
  await v.heading(e.title[lang]).first().waitFor();
}

// "/" -> election -> sign-in page.
export async function toSignIn(v, e, lang = "en", query = "") {
  await openElection(v, e, lang, query);
  await v.click(v.link(say[lang].signIn), "to sign-in");
  await v.page.getByRole("heading", { level: 1 }).waitFor();
}

// "/" -> election -> sign in with a voting code -> the ballot.
export async function signInWithCode(v, e, code, lang = "en", query = "") {
  await toSignIn(v, e, lang, query);
  await v.fill(v.page.getByLabel(say[lang].code, { exact: true }), code, "type the voting code");
  await v.click(v.button(say[lang].continue), "sign in");
  await v.heading(say[lang].ballot).waitFor();
}

// From the ballot: review and cast; returns the tracker on the receipt.
export async function reviewAndCast(v, lang = "en") {
  await v.click(v.button(say[lang].review), "review");
  await v.heading(say[lang].reviewTitle).waitFor();
  await v.click(v.button(say[lang].cast), "cast");
  await v.heading(say[lang].thanks).waitFor();
  const tracker = (await v.page.locator("#tracker").textContent()).trim();
  assert(/^[0-9a-f]{64}$/.test(tracker), "the receipt shows a tracker");
  return tracker;
}

// The voter token this tab holds (for setup steps that play "elsewhere", e.g. a sign-out).
export async function tokenOf(v, e) {
  return v.page.evaluate((id) => { try { return JSON.parse(sessionStorage.getItem("pb-voter-" + id)).token; } catch (x) { return null; } }, e.id);
}
