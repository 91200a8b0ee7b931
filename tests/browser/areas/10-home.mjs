// The front page, the header and the skip link.
import { test, visitor, assert, PHONE, NARROW } from "../lib.mjs";
import { election } from "../fixtures.mjs";
import { openElection } from "../steps.mjs";

test("the front page lists the elections by name and a click opens one (Danish and English, 390 and 320 px)", async () => {
  const e = await election({ title: { da: "Forsidebudget", en: "Front page budget" }, proposals: [{ cost: 100000 }] });
  for (const [lang, size] of [["da", PHONE], ["en", PHONE], ["da", NARROW], ["en", NARROW]]) {
    const v = await visitor({ lang, size });
    await openElection(v, e, lang);
    assert(await v.page.getByRole("heading", { level: 1, name: e.title[lang] }).isVisible(), `${lang}: the election's own page`);
  }
});

test("the language chosen in the header changes the page at once and is remembered", async () => {
  const e = await election({ title: { da: "Sprogbudget", en: "Language budget" }, proposals: [{ cost: 100000 }] });
  const v = await visitor({ lang: "da" });
  await openElection(v, e, "da");
  await v.select(v.page.getByLabel("Sprog"), "en", "switch to English");
  await v.heading("Language budget").waitFor();
  await v.see("Sign in to vote");
  await v.reload();
  await v.heading("Language budget").waitFor();
  assert(await v.page.evaluate(() => document.documentElement.lang) === "en", "the page says it is in English");
});

test("the skip link moves to the content and does not leave the page", async () => {
  const e = await election({ title: { da: "Springbudget", en: "Skip link budget" }, proposals: [{ cost: 100000 }] });
  const v = await visitor({ lang: "en" });
  await openElection(v, e);
  const url = v.page.url();
  await v.reload();                         // a fresh page: the skip link is the first stop
  await v.press("Tab");
  assert((await v.focused()).includes("Skip to content"), "Tab reaches the skip link first (got " + await v.focused() + ")");
  await v.press("Enter", "follow the skip link");
  assert(v.page.url() === url, "still on the election's page (" + v.page.url() + ")");
  assert(await v.heading(e.title.en).first().isVisible(), "the election is still shown");
  assert(await v.page.evaluate(() => document.getElementById("main").contains(document.activeElement)), "the focus is in the content");
  await v.press("Tab", "Tab into the content");
  assert(await v.page.evaluate(() => document.getElementById("main").contains(document.activeElement)), "the next Tab stays in the content");
});
