// Casting: one ballot per review however often Cast is pressed, the choices kept over reload
// and Back until cast, and two tabs of one voter.
import { test, visitor, assert, NARROW } from "../lib.mjs";
import { election } from "../fixtures.mjs";
import { signInWithCode, reviewAndCast, say } from "../steps.mjs";

const four = [{ cost: 4000000 }, { cost: 3000000 }, { cost: 5000000 }, { cost: 2000000 }];

test("a double-click on Cast sends one ballot with an Idempotency-Key, and the receipt's tracker is on the bulletin board", async () => {
  const e = await election({ title: { da: "Dobbeltklik", en: "Double click" }, proposals: four, codes: 1 });
  const v = await visitor({ lang: "en" });
  const puts = [];
  v.page.on("request", (r) => { if (r.method() === "PUT" && r.url().endsWith(`/elections/${e.id}/ballot`)) puts.push(r.headers()["idempotency-key"]); });
  await signInWithCode(v, e, e.codes[0][0]);
  await v.click(v.page.locator(`#p-${e.props[1].id}`));
  await v.click(v.button(say.en.review));
  await v.dblclick(v.button(say.en.cast), "double-click Cast");
  await v.heading(say.en.thanks).waitFor();
  assert(puts.length === 1, `one PUT (got ${puts.length})`);
  assert(/^[\x21-\x7e]{16,64}$/.test(puts[0] || ""), "the PUT carries a random Idempotency-Key: " + puts[0]);
  const tracker = (await v.page.locator("#tracker").textContent()).trim();
  await v.click(v.link(say.en.board), "to the bulletin board");
  await v.see(say.en.found);
  assert((await v.page.getByLabel("Your receipt (tracker)").inputValue()) === tracker, "the receipt's own tracker was checked");
  // a new review of a changed ballot makes a new key
  await v.back();
  await v.click(v.link(say.en.change));
  await v.click(v.page.locator(`#p-${e.props[3].id}`));
  await reviewAndCast(v);
  assert(puts.length === 2 && puts[1] !== puts[0], "a new key for a new review");
});

test("when the answer to Cast is lost, Cast again sends the same Idempotency-Key and the server answers with the first tracker", async () => {
  const e = await election({ title: { da: "Tabt svar", en: "Lost answer" }, proposals: four, codes: 1 });
  const v = await visitor({ lang: "en" });
  const keys = [];
  let lose = true, lost = null;
  await v.page.route(new RegExp(`/api/v1/elections/${e.id}/ballot$`), async (route) => {
    if (route.request().method() !== "PUT") return route.continue();
    keys.push(route.request().headers()["idempotency-key"]);
    if (!lose) return route.continue();
    lose = false;
    lost = (await (await route.fetch()).json()).tracker;   // the server gets and stores the ballot ...
    await route.abort("connectionreset");   // ... but the answer never reaches the phone
  });
  await signInWithCode(v, e, e.codes[0][0]);
  await v.click(v.page.locator(`#p-${e.props[2].id}`));
  await v.click(v.button(say.en.review));
  v.expectHttp(0, "/ballot");
  await v.click(v.button(say.en.cast), "cast; the answer is lost");
  await v.see("No connection. Try again.");
  assert(await v.page.evaluate(() => document.activeElement.id) === "cast", "the focus is still on Cast");
  await v.reload();   // the voter even reloads before trying again
  await v.heading(say.en.reviewTitle).waitFor();
  await v.click(v.button(say.en.cast), "cast again");
  await v.heading(say.en.thanks).waitFor();
  assert(keys.length === 2 && keys[0] === keys[1], "the same key both times: " + keys);
  assert((await v.page.locator("#tracker").textContent()).trim() === lost, "the receipt holds the tracker of the ballot the server stored first");
  await v.click(v.link(say.en.board));
  await v.see(say.en.found);
});

test("reload and Back in the middle of voting keep the choices until the vote is cast (320 px, Danish)", async () => {
  const e = await election({ title: { da: "Kladden holder", en: "The draft holds" }, proposals: four, codes: 1 });
  const v = await visitor({ lang: "da", size: NARROW });
  await signInWithCode(v, e, e.codes[0][0], "da");
  const box = (i) => v.page.locator(`#p-${e.props[i].id}`);
  await v.click(box(0));
  await v.click(box(3));
  await v.reload();
  await v.heading(say.da.ballot).waitFor();
  assert(await box(0).isChecked() && await box(3).isChecked() && !(await box(1).isChecked()), "the choices survive a reload");
  await v.click(v.button(say.da.review));
  await v.back();
  await v.heading(say.da.ballot).waitFor();
  assert(await box(0).isChecked() && await box(3).isChecked(), "the choices survive Back");
  await v.click(box(3), "untick one");
  await v.click(v.button(say.da.review));
  await v.reload();
  await v.heading(say.da.reviewTitle).waitFor();
  const listed = await v.page.locator("main li").allTextContents();
  assert(listed.length === 1 && listed[0].includes("Projekt 1"), "the review after a reload lists the choice: " + listed);
  await v.click(v.button(say.da.cast));
  await v.heading(say.da.thanks).waitFor();
  assert(await v.page.evaluate((id) => sessionStorage.getItem("pb-draft-" + id), e.id) === null, "the draft is gone once cast");
  await v.reload();
  await v.heading(say.da.thanks).waitFor();
});

test("two tabs of one voter: each keeps its own draft, the last cast counts, and the board says which receipt is current", async () => {
  const e = await election({ title: { da: "To faner", en: "Two tabs" }, proposals: four, codes: 1 });
  const a = await visitor({ lang: "en" });
  await signInWithCode(a, e, e.codes[0][0]);
  await a.click(a.page.locator(`#p-${e.props[0].id}`), "tab A chooses Project 1");
  const b = await a.newTab();
  await signInWithCode(b, e, e.codes[0][0]);
  assert(!(await b.page.locator(`#p-${e.props[0].id}`).isChecked()), "tab B does not see tab A's unsent draft");
  await b.click(b.page.locator(`#p-${e.props[1].id}`), "tab B chooses Project 2");
  const fromB = await reviewAndCast(b);
  const fromA = await reviewAndCast(a);
  await b.click(b.link(say.en.board), "tab B checks its receipt");
  await b.see("Not found");
  await b.fill(b.page.getByLabel("Your receipt (tracker)"), fromA);
  await b.click(b.button("Check"));
  await b.see(say.en.found);
  await b.back();
  await b.click(b.link(say.en.change), "tab B changes the vote");
  await b.see("You have voted already");
  assert(await b.page.locator(`#p-${e.props[0].id}`).isChecked() && !(await b.page.locator(`#p-${e.props[1].id}`).isChecked()),
    "tab B shows the ballot that counts (tab A's)");
  assert(fromA !== fromB, "two ballots, two trackers");
});
