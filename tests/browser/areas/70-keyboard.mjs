// The whole vote by keyboard only, from "/" to the bulletin board.
import { test, visitor, assert } from "../lib.mjs";
import { election } from "../fixtures.mjs";

test("the whole vote by keyboard only, from the front page to the bulletin board (320 px)", async () => {
  const e = await election({ title: { da: "Kun tastatur", en: "Keyboard only" }, proposals: [{ cost: 4000000 }, { cost: 3000000 }], codes: 1 });
  const v = await visitor({ lang: "en", size: { width: 320, height: 640 } });
  await v.start();
  await v.tabTo(v.link(e.title.en));
  await v.press("Enter", "open the election");
  await v.heading(e.title.en).first().waitFor();
  await v.tabTo(v.link("Sign in to vote"));
  await v.press("Enter", "to sign-in");
  await v.tabTo(v.page.getByLabel("Voting code", { exact: true }));
  await v.page.keyboard.type(e.codes[0][0]);
  await v.press("Enter", "sign in");
  await v.heading("Your ballot").waitFor();
  await v.tabTo(v.page.locator(`#p-${e.props[1].id}`));
  await v.press("Space", "tick a box");
  assert(await v.page.locator(`#p-${e.props[1].id}`).isChecked(), "Space ticks the box");
  await v.tabTo(v.button("Review your vote"));
  await v.press("Enter", "review");
  await v.heading("Check your vote").waitFor();
  await v.tabTo(v.button("Cast vote"));
  await v.press("Enter", "cast");
  await v.heading("Thank you! Your vote has been received.").waitFor();
  await v.tabTo(v.link("Check on the bulletin board"));
  await v.press("Enter", "to the bulletin board");
  await v.see("Found: your vote is counted");
});
