// The ballot of every type: what it shows, the rules said where the finger is, and the
// keyboard focus that stays on the control the voter used.
import { test, visitor, assert, PHONE, NARROW } from "../lib.mjs";
import { election } from "../fixtures.mjs";
import { openElection, signInWithCode, reviewAndCast, say } from "../steps.mjs";

const ballots = {
  approval: { type: "approval", max_selections: 2 },
  knapsack: { type: "knapsack" },
  cumulative: { type: "cumulative", points: 5, max_points_per_project: 3 },
  ordinal: { type: "ordinal", max_ranks: 3 },
};
const four = [{ cost: 4000000 }, { cost: 3000000 }, { cost: 5000000 }, { cost: 2000000 }];

// Where an element is on the screen (null when it is not shown).
const box = (loc) => loc.boundingBox();

test("citizen on a phone votes with a knapsack ballot, is stopped over budget, changes the vote and finds the tracker (English)", async () => {
  const e = await election({ title: { da: "Borgerbudget Park", en: "Park budget" }, proposals: four, codes: 3,
    description: { da: "Stem på parken.", en: "Vote for the park." } });
  const v = await visitor({ lang: "en" });
  await openElection(v, e);
  await v.shot("citizen-proposals.png");
  await v.click(v.link("Sign in to vote"));
  await v.fill(v.page.getByLabel("Voting code", { exact: true }), e.codes[0][0].toLowerCase());
  await v.click(v.button("Continue"));
  await v.heading("Your ballot").waitFor();
  await v.click(v.page.locator(`#p-${e.props[0].id}`));
  await v.click(v.page.locator(`#p-${e.props[1].id}`));
  await v.click(v.page.locator(`#p-${e.props[2].id}`), "a choice over the budget"); // 40k + 30k + 50k > 100k
  await v.see("That is over the budget");
  assert(!(await v.page.locator(`#p-${e.props[2].id}`).isChecked()), "the over-budget choice is not kept");
  await v.shot("citizen-ballot.png");
  const first = await reviewAndCast(v);
  await v.shot("citizen-receipt.png");
  await v.click(v.link("Change your vote"));
  await v.see("You have voted already");
  await v.click(v.page.locator(`#p-${e.props[0].id}`));
  await v.click(v.page.locator(`#p-${e.props[3].id}`));
  const second = await reviewAndCast(v);
  assert(second !== first, "a new tracker for the new ballot");
  await v.click(v.link("Check on the bulletin board"));
  await v.see("Found: your vote is counted");
  await v.shot("citizen-board.png");
  await v.fill(v.page.getByLabel("Your receipt (tracker)"), first);
  await v.click(v.button("Check"));
  await v.see("Not found");
  // an empty box asks for a receipt; it does not say one was not found
  await v.fill(v.page.getByLabel("Your receipt (tracker)"), "");
  await v.click(v.button("Check"));
  await v.see("Type or paste your receipt first.");
});

test("every ballot type shows no stray text on the ballot and the review (320 px)", async () => {
  for (const [type, ballot] of Object.entries(ballots)) {
    const lang = type === "cumulative" || type === "approval" ? "da" : "en";
    const e = await election({ title: { da: `Stemmeseddel ${type}`, en: `Ballot ${type}` }, ballot, proposals: four, codes: 1 });
    const v = await visitor({ lang, size: NARROW });
    await signInWithCode(v, e, e.codes[0][0], lang);
    const p = e.props[1];
    if (type === "cumulative") await v.click(v.page.locator(`#plus-${p.id}`), "a point");
    else if (type === "ordinal") await v.click(v.page.locator(`#add-${p.id}`), "rank one");
    else await v.click(v.page.locator(`#p-${p.id}`), "choose one");
    await reviewAndCast(v, lang);
  }
});

test("over budget and at most N are said next to the box the finger touched and in the live region (390 px)", async () => {
  const costs = [1000000, 1500000, 1200000, 900000, 1100000, 1300000, 6000000, 5000000];
  const e = await election({ title: { da: "Budget ved fingeren", en: "Budget at the finger" }, codes: 1,
    proposals: costs.map((cost) => ({ cost, summary: { da: "En længere beskrivelse af forslaget, så listen bliver lang på en telefon.", en: "A longer description of the proposal, so that the list is long on a phone." } })) });
  const v = await visitor({ lang: "en", size: PHONE });
  await signInWithCode(v, e, e.codes[0][0]);
  await v.tap(v.page.locator(`#p-${e.props[6].id}`), "choose the big one far down the list");
  const over = v.page.locator(`#p-${e.props[7].id}`);
  await v.tap(over, "a choice over the budget");
  const msg = v.page.getByText("That is over the budget").first();
  await msg.waitFor();
  const [m, b] = [await box(msg), await box(over)];
  assert(m && m.y >= 0 && m.y + m.height <= PHONE.height, "the message is on the screen where the finger is: " + JSON.stringify(m));
  assert(Math.abs(m.y - b.y) < 250, `the message is next to the box (message at ${m.y}, box at ${b.y})`);
  assert((await v.live()).includes("That is over the budget"), "the live region says it too");
  assert(await over.getAttribute("aria-describedby"), "the box points at the message");

  const a = await election({ title: { da: "Højst to", en: "At most two" }, ballot: ballots.approval, codes: 1,
    proposals: costs.map((cost) => ({ cost, summary: { da: "En længere beskrivelse af forslaget, så listen bliver lang på en telefon.", en: "A longer description of the proposal, so that the list is long on a phone." } })) });
  const w = await visitor({ lang: "da", size: PHONE });
  await signInWithCode(w, a, a.codes[0][0], "da");
  await w.tap(w.page.locator(`#p-${a.props[5].id}`));
  await w.tap(w.page.locator(`#p-${a.props[6].id}`));
  const third = w.page.locator(`#p-${a.props[7].id}`);
  await w.tap(third, "a third choice where two is the most");
  const most = w.page.getByText("Du kan højst vælge 2.").first();
  await most.waitFor();
  const [m2, b2] = [await box(most), await box(third)];
  assert(m2 && m2.y >= 0 && m2.y + m2.height <= PHONE.height && Math.abs(m2.y - b2.y) < 250, "at most 2 is said by the third box");
  assert((await w.live()).includes("Du kan højst vælge 2."), "and in the live region");
  assert(!(await third.isChecked()), "the third box is not ticked");
});

test("ordinal ballot by keyboard: the focus stays on the control after Add, up, down and Remove", async () => {
  const e = await election({ title: { da: "Rangorden med tastatur", en: "Ranking by keyboard" }, ballot: ballots.ordinal, proposals: four, codes: 1 });
  const v = await visitor({ lang: "en" });
  await signInWithCode(v, e, e.codes[0][0]);
  const focusIs = async (name, what) => assert((await v.focused()) === name, `${what}: the focus is on "${name}" (it is on "${await v.focused()}")`);
  await v.tabTo(v.button("Add: Project 1"));
  await v.press("Enter", "Add");
  await focusIs("Add: Project 2", "after Add");
  assert((await v.live()).includes("Project 1"), "the live region says where it went");
  await v.press("Enter", "Add");
  await focusIs("Add: Project 3", "after the second Add");
  await v.shot("citizen-ranking.png");
  await v.tabTo(v.button("Move up: Project 2"));
  await v.press("Enter", "Move up");
  await focusIs("Move down: Project 2", "after moving to the top");
  assert((await v.page.locator("ol.ranking li strong").allTextContents()).join() === "Project 2,Project 1", "the order changed");
  await v.press("Enter", "Move down");
  await focusIs("Move up: Project 2", "after moving to the bottom");
  await v.tabTo(v.button("Remove: Project 1"));
  await v.press("Enter", "Remove");
  await focusIs("Remove: Project 2", "after Remove");
  await v.press("Enter", "Remove the last");
  await focusIs("Add: Project 2", "after removing the last ranked");
});

test("cumulative ballot by keyboard: the focus stays on + and −, and the limit is said by the button", async () => {
  const e = await election({ title: { da: "Point med tastatur", en: "Points by keyboard" }, ballot: ballots.cumulative, proposals: four, codes: 1 });
  const v = await visitor({ lang: "en" });
  await signInWithCode(v, e, e.codes[0][0]);
  const plus = `+ Project 2`, minus = `− Project 2`;
  await v.tabTo(v.button(plus));
  for (let i = 1; i <= 3; i++) {
    await v.press("Enter", "+");
    assert((await v.focused()) === plus, `the focus stays on + (it is on "${await v.focused()}")`);
  }
  await v.press("Enter", "+ beyond the most per proposal");
  const msg = v.page.getByText("At most 3 points per proposal.").first();
  await msg.waitFor();
  const [m, b] = [await box(msg), await box(v.button(plus))];
  assert(Math.abs(m.y - b.y) < 250, "the limit is said next to the button");
  assert((await v.focused()) === plus, "the focus is still on +");
  await v.tabTo(v.button(minus));
  for (let i = 1; i <= 3; i++) await v.press("Enter", "−");
  assert((await v.focused()) === plus, `at 0 points − is off and the focus moves to + (it is on "${await v.focused()}")`);
  assert((await v.page.locator(`#pts-${e.props[1].id}`).textContent()).trim() === "0", "no points left on it");
});
