// Several budgets in one vote (issue 17): a city-wide budget and the voter's own district.
// The voter signs in once and casts one ballot per budget, told where they are ("1 of 2"),
// and gets one receipt per ballot; where the municipality lets voters choose their district,
// they choose it once, and the page says the choice is final.
import { test, visitor, assert, PHONE } from "../lib.mjs";
import { api, admin, election, closeCountPublish } from "../fixtures.mjs";
import { signInWithCode, toSignIn, openElection, say } from "../steps.mjs";
import { T } from "../texts.mjs";

// A city-wide frame (no group: everyone votes there; the election's knapsack ballot) and a
// group of two districts with its own ballot: approval of at most one proposal.
async function cityAndDistricts(title, chooses) {
  const t = await admin();
  const e = await election({ title, districts: [{ name: { da: "Hele byen", en: "The whole town" }, budget: 50000000 }],
                             proposals: [{ cost: 20000000, title: { da: "Svømmehal", en: "Swimming pool" } }], phase: null, codes: 0 });
  const g = await api("POST", `/elections/${e.id}/district-groups`,
                      { name: { da: "Bydele", en: "Districts" }, voter_chooses: chooses,
                        ballot: { type: "approval", max_selections: 1 }, rule: "equal_shares" }, t);
  for (const name of ["Nord", "Syd"]) {
    const d = await api("POST", `/elections/${e.id}/districts`, { name: { da: name, en: name }, budget: 10000000, group_id: g.id }, t);
    e.districts.push(d);
    e.props.push(await api("POST", `/elections/${e.id}/proposals`,
      { district_id: d.id, title: { da: `Bænke i ${name}`, en: `Benches in ${name}` }, summary: { da: "Kort.", en: "Short." }, cost: 3000000 }, t));
  }
  await api("POST", `/elections/${e.id}/phase`, { phase: "voting" }, t);
  e.code = (await api("POST", `/elections/${e.id}/codes`, { district_id: chooses ? e.districts[0].id : e.districts[1].id, count: 1 }, t)).codes[0];
  return e;
}

async function castThis(v, lang) {
  await v.click(v.button(say[lang].review), "review");
  await v.heading(say[lang].reviewTitle).waitFor();
  await v.click(v.button(say[lang].cast), "cast");
}

test("a voter casts a city-wide and a district ballot, one after the other, and gets a receipt for each", async () => {
  const e = await cityAndDistricts({ da: "To budgetter", en: "Two budgets" }, false);
  const v = await visitor({ lang: "en", size: PHONE });
  await signInWithCode(v, e, e.code);
  await v.heading("Your ballot 1 of 2").waitFor();
  await v.see("The whole town");
  assert(await v.page.getByText("Benches in Nord").count() === 0, "the first ballot shows only the city-wide proposals");
  await v.see("Budget used");   // the city-wide ballot is a knapsack
  await v.click(v.page.locator(`#p-${e.props[0].id}`), "choose the swimming pool");
  await v.shot("citizen-frames-1-of-2.png");
  await castThis(v, "en");
  await v.heading("Your ballot 2 of 2").waitFor();
  await v.see("Ballot 1 of 2 is cast");
  await v.see("Benches in Nord");
  assert(await v.page.getByText("Swimming pool").count() === 0, "the second ballot shows only the district's proposals");
  // the district's own ballot: approval of at most one, no budget bar
  await v.see("0 of 1 chosen");
  assert(await v.page.locator('[role="progressbar"]').count() === 0, "no budget bar on the district's approval ballot");
  await v.reload();   // a reload keeps the place in the walk
  await v.heading("Your ballot 2 of 2").waitFor();
  await v.click(v.page.locator(`#p-${e.props[1].id}`), "choose the benches");
  await castThis(v, "en");
  await v.heading(say.en.thanks).waitFor();
  const first = (await v.page.locator("#tracker").textContent()).trim();
  const second = (await v.page.locator("#tracker-2").textContent()).trim();
  assert(/^[0-9a-f]{64}$/.test(first) && /^[0-9a-f]{64}$/.test(second) && first !== second, "one tracker per ballot");
  assert(await v.page.locator("figure.qr-box").count() === 2, "a QR code per receipt");
  await v.shot("citizen-frames-receipts.png");
  // both are on the bulletin board
  for (const tr of [first, second]) {
    const board = await api("GET", `/elections/${e.id}/trackers`);
    assert(board.trackers.includes(tr), "the tracker is on the board");
  }
  // change the district ballot only: back to ballot 2 of 2, with the earlier choice kept
  const change = v.page.locator(`#change-${e.districts[1].id}`);
  assert((await change.textContent()).includes("Change this ballot: Nord"), "the button names its district");
  await v.click(change, "change the district ballot");
  await v.heading("Your ballot 2 of 2").waitFor();
  assert(await v.page.locator(`#p-${e.props[1].id}`).isChecked(), "the counted choice is shown");
  await v.click(v.page.locator(`#p-${e.props[1].id}`), "untick the benches");
  await castThis(v, "en");
  await v.heading(say.en.thanks).waitFor();
  assert((await v.page.locator("#tracker").textContent()).trim() === first, "the city-wide ballot is unchanged");
  assert((await v.page.locator("#tracker-2").textContent()).trim() !== second, "the district ballot is replaced");
});

test("a voter chooses their district once, in Danish, and then votes in both budgets", async () => {
  const e = await cityAndDistricts({ da: "Vælg dit område", en: "Choose your district" }, true);
  const v = await visitor({ lang: "da", size: PHONE });
  await toSignIn(v, e, "da");
  await v.fill(v.page.getByLabel(say.da.code, { exact: true }), e.code, "type the voting code");
  await v.click(v.button(say.da.continue), "sign in");
  await v.heading("Vælg dit område").waitFor();
  await v.see("Dit valg er endeligt");
  await v.click(v.button("Vælg dette område"), "choose without picking");
  await v.see("Vælg først et område.");
  await v.click(v.page.getByLabel("Syd"), "pick Syd");
  await v.shot("citizen-choose-district-da.png");
  await v.dblclick(v.button("Vælg dette område"), "choose twice quickly");
  await v.heading("Din stemmeseddel 1 af 2").waitFor();
  await v.click(v.page.locator(`#p-${e.props[0].id}`), "choose the swimming pool");
  await castThis(v, "da");
  await v.heading("Din stemmeseddel 2 af 2").waitFor();
  await v.see("Bænke i Syd");
  assert(await v.page.getByText("Bænke i Nord").count() === 0, "only the chosen district's proposals");
  await castThis(v, "da");
  await v.heading(say.da.thanks).waitFor();
  // the choice is final: another district is refused by the server
  const token = await v.page.evaluate((id) => JSON.parse(sessionStorage.getItem("pb-voter-" + id)).token, e.id);
  let status = 0;
  try { await api("POST", `/elections/${e.id}/district-choice`, { district_id: e.districts[1].id }, token); }
  catch (x) { status = x.status; }
  assert(status === 409, "a second district is refused");
});

test("results of frames counted by different rules say each frame's rule under its name (en, da)", async () => {
  const e = await cityAndDistricts({ da: "To regler", en: "Two rules" }, false);
  const v = await visitor({ lang: "en", size: PHONE });
  await signInWithCode(v, e, e.code);
  await v.click(v.page.locator(`#p-${e.props[0].id}`), "choose the swimming pool");
  await castThis(v, "en");
  await v.heading("Your ballot 2 of 2").waitFor();
  await v.click(v.page.locator(`#p-${e.props[1].id}`), "choose the benches");
  await castThis(v, "en");
  await v.heading(say.en.thanks).waitFor();
  await closeCountPublish(e);
  for (const lang of ["en", "da"]) {
    const r = await visitor({ lang, size: PHONE });
    await openElection(r, e, lang);
    await r.click(r.link(T[lang].results), "to the results");
    const sections = r.page.locator("section.district-result");
    await sections.first().waitFor();
    assert(await r.page.locator(".results-page > p.rule").count() === 0, `${lang}: no one rule for the whole page`);
    assert((await sections.nth(0).innerText()).includes(T[lang].rule_greedy), `${lang}: the city-wide frame counted greedily`);
    assert((await sections.nth(1).innerText()).includes(T[lang].rule_equal_shares), `${lang}: the districts by Equal Shares`);
    // where my share went: the Equal Shares form for the district, why each won city-wide
    await r.page.locator("#share-tracker").waitFor();
    await r.see(T[lang].whyIntroGreedy);
    if (lang === "en") await r.shot("citizen-results-two-rules.png");
  }
});

test("a voter who comes back after the first of two ballots goes on at the second, after both sees both receipts; Back from the ballot says they are signed in", async () => {
  const e = await cityAndDistricts({ da: "Tilbage igen", en: "Back again" }, false);
  const v = await visitor({ lang: "en", size: PHONE });
  await signInWithCode(v, e, e.code);
  await v.heading("Your ballot 1 of 2").waitFor();
  await v.back();   // to the sign-in page, still signed in
  await v.see(T.en.alreadySignedIn);
  await v.click(v.link(T.en.continueVoting), "go on to the ballot");
  await v.heading("Your ballot 1 of 2").waitFor();
  await v.click(v.page.locator(`#p-${e.props[0].id}`), "choose the swimming pool");
  await castThis(v, "en");
  await v.heading("Your ballot 2 of 2").waitFor();
  // later, in another browser: the same code goes on at the ballot not cast yet
  const w = await visitor({ lang: "en", size: PHONE });
  await signInWithCode(w, e, e.code);
  await w.heading("Your ballot 2 of 2").waitFor();
  await w.see("Ballots cast already: 1 of 2.");
  await w.see("Benches in Nord");
  await w.click(w.page.locator(`#p-${e.props[1].id}`), "choose the benches");
  await castThis(w, "en");
  await w.heading(say.en.thanks).waitFor();
  // and once both are cast: straight to the two receipts, fetched from the server
  const x = await visitor({ lang: "da", size: PHONE });
  await toSignIn(x, e, "da");
  await x.fill(x.page.getByLabel(say.da.code, { exact: true }), e.code, "type the voting code");
  await x.click(x.button(say.da.continue), "sign in");
  // read back, not just cast: the voter's receipts, not a thank-you
  await x.heading("Dine kvitteringer").waitFor();
  assert(await x.page.getByRole("heading", { name: say.da.thanks }).count() === 0, "no thank-you for a vote not cast now");
  const trackers = [await x.page.locator("#tracker").textContent(), await x.page.locator("#tracker-2").textContent()].map((s) => s.trim());
  assert(trackers.every((s) => /^[0-9a-f]{64}$/.test(s)) && trackers[0] !== trackers[1], "both receipts: " + trackers);
  // Back to the sign-in page: it says every ballot is cast and leads to the receipts
  await x.back();
  await x.see(T.da.alreadySignedInVoted);
  await x.click(x.link("Dine kvitteringer"), "to the receipts");
  await x.heading("Dine kvitteringer").waitFor();
});
