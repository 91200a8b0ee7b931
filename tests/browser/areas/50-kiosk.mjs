// The voting-day kiosk (/?kiosk=1): one screen, many voters; nothing of one voter may be left
// for the next.
import { test, visitor, assert, sleep, base } from "../lib.mjs";
import { election } from "../fixtures.mjs";
import { signInWithCode, reviewAndCast, tokenOf, say } from "../steps.mjs";

async function sessionWorks(e, token) {
  const r = await fetch(`${base}/api/v1/elections/${e.id}/ballot`, { headers: { Authorization: "Bearer " + token } });
  return r.status !== 401;
}

test("kiosk mode signs the voter out after the ballot", async () => {
  const e = await election({ title: { en: "Kiosk vote", da: "Kioskafstemning" }, ballot: { type: "approval" },
    districts: [{ name: { da: "Hele byen", en: "All" }, budget: 100000 }], proposals: [{ cost: 1000, title: { en: "Bench", da: "Bænk" } }], codes: 1 });
  const v = await visitor({ lang: "en" });
  await signInWithCode(v, e, e.codes[0][0], "en", "?kiosk=1");
  await reviewAndCast(v);
  await v.button("Next voter").waitFor();
  const token = await tokenOf(v, e);
  assert(await sessionWorks(e, token), "the session works before");
  await v.click(v.button("Next voter"));
  await v.page.getByLabel("Voting code", { exact: true }).waitFor();
  assert(await v.page.evaluate(() => sessionStorage.length) === 0, "nothing of the voter is left in the browser");
  assert(!(await sessionWorks(e, token)), "the server ended the session too");
  await v.back();
  assert(!(await v.page.locator("#tracker").count()), "Back does not show the last voter's receipt");
});

test("kiosk: an idle ballot counts down, then is cleared and signed out; a touch before the end keeps it", async () => {
  const e = await election({ title: { en: "Idle kiosk", da: "Ledig kiosk" }, ballot: { type: "approval" },
    proposals: [{ cost: 1000 }, { cost: 2000 }], codes: 1 });
  const v = await visitor({ lang: "en" });
  await signInWithCode(v, e, e.codes[0][0], "en", "?kiosk=1&idle=6");
  await v.click(v.page.locator(`#p-${e.props[0].id}`), "choose one");
  const token = await tokenOf(v, e);
  const countdown = v.page.getByRole("region", { name: "Are you still there?" }).getByText(/The ballot is cleared in \d+ seconds?\./);
  await countdown.waitFor({ timeout: 8000 });
  await v.check("the countdown is shown");
  await v.shot("citizen-kiosk-idle.png");
  await v.button("Continue voting").waitFor();
  await v.press("Shift", "the voter is still there");
  assert(!(await countdown.isVisible()), "any key puts the countdown away");
  assert(await v.page.locator(`#p-${e.props[0].id}`).isChecked(), "and the ballot is kept");
  await countdown.waitFor({ timeout: 8000 });
  await v.page.getByLabel("Voting code", { exact: true }).waitFor({ timeout: 8000 });
  await v.check("signed out after the idle time");
  await v.see("The screen was cleared because nobody used it.");
  assert(await v.page.evaluate(() => sessionStorage.length) === 0, "nothing of the voter is left in the browser");
  assert(!(await sessionWorks(e, token)), "the session is ended on the server");
  await v.back();
  assert(!(await v.page.locator(`#p-${e.props[0].id}:checked`).count()), "Back shows no ballot of the last voter");
  // an untouched sign-in page with nothing typed stays as it is, without a countdown
  await v.goto(`${base}/?kiosk=1&idle=5#/`);
  await sleep(6000);
  assert(!(await countdown.count()), "no countdown where there is nothing to clear");
});
