// Accessibility: the statement linked from every citizen page in every language; every
// citizen page in every phase of a vote and in every language checked by axe with no
// violation of any impact (the Visitor's check after each step); the whole vote by keyboard
// only in Danish and Arabic, the receipt's tools and sign-out included.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test, visitor, assert, base, NARROW } from "../lib.mjs";
import { election, setPhase, closeCountPublish } from "../fixtures.mjs";
import { openElection } from "../steps.mjs";
import { T } from "../texts.mjs";

const LANGS = ["da", "en", "de", "uk", "ar"];
// every phase in Danish, English or Arabic (Arabic in each), and once published in every language;
// the ballot pages themselves are walked in all three by the other areas
const langsIn = { proposals: ["da", "ar"], review: ["en", "ar"], voting: ["ar"], closed: ["da", "ar"], published: LANGS };
const site = JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "../../../web/site.json"), "utf8"));

test("the accessibility statement is linked from the footer of every citizen page, in every language: WCAG 2.1 AA, how tested, limitations, contact, Digitaliseringsstyrelsen", async () => {
  const e = await election({ title: { da: "Erklæringsbudget", en: "Statement budget", de: "Erklärungsbudget", uk: "Бюджет заяви", ar: "ميزانية البيان" },
    proposals: [{ cost: 100000 }] });
  for (const lang of LANGS) {
    const v = await visitor({ lang });
    await openElection(v, e, lang);
    await v.click(v.page.locator("footer").getByRole("link", { name: T[lang].a11yTitle }), "to the statement");
    await v.page.getByRole("heading", { level: 1, name: T[lang].a11yTitle }).waitFor();
    const text = await v.page.locator("main").innerText();
    for (const k of ["a11yStatusTitle", "a11yTestedTitle", "a11yLimitsTitle", "a11yContactTitle", "a11yComplainTitle"])
      assert(text.includes(T[lang][k]), `${lang}: the statement has "${T[lang][k]}"`);
    assert(text.includes("WCAG") && text.includes("2.1") && text.includes("AA"), `${lang}: the standard`);
    assert(text.includes(site.email) && text.includes(site.organisation), `${lang}: the organisation's contact`);
    assert(await v.page.getByRole("link", { name: /Digitaliseringsstyrelsen/ }).getAttribute("href") === "https://www.was.digst.dk/", `${lang}: the complaint body`);
    await v.back();
    await v.page.getByRole("heading", { level: 1, name: e.title[lang] }).waitFor();
  }
});

test("every citizen page in every phase passes axe with no violation of any impact (Danish, English and Arabic; every language once published)", async () => {
  const e = await election({ title: { da: "Alle faser", en: "Every phase", de: "Jede Phase", uk: "Кожен етап", ar: "كل المراحل" },
    proposals: [{ cost: 100000 }, { cost: 200000 }], phase: null });
  for (const phase of ["proposals", "review", "voting", "closed", "published"]) {
    if (phase === "published") await closeCountPublish(e);
    else await setPhase(e, phase);
    for (const lang of langsIn[phase]) {
      const v = await visitor({ lang, size: NARROW });
      await openElection(v, e, lang);          // "/" and the election's page, checked on the way
      await v.click(v.page.locator("main article h3 a").first(), `${phase}/${lang}: a proposal's page`);
      await v.back();
      if (["voting", "closed", "published"].includes(phase)) {
        await v.click(v.link(T[lang].board), `${phase}/${lang}: the bulletin board`);
        await v.back();
      }
      if (phase === "published") await v.click(v.link(T[lang].results), `${phase}/${lang}: the results`);
      await v.click(v.page.locator("footer a"), `${phase}/${lang}: the statement`);
    }
  }
});

for (const lang of ["da", "ar"]) {
  test(`the whole vote by keyboard only in ${lang === "da" ? "Danish" : "Arabic"}: from the front page to the receipt, copy it, and sign out`, async () => {
    const e = await election({ title: { da: `Tastatur ${lang}`, en: `Keyboard ${lang}`, ar: `لوحة المفاتيح ${lang}` },
      proposals: [{ cost: 4000000 }, { cost: 3000000 }], codes: 1 });
    const v = await visitor({ lang, size: NARROW });
    await v.ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    await v.start();
    await v.tabTo(v.link(e.title[lang]));
    await v.press("Enter", "open the election");
    await v.heading(e.title[lang]).first().waitFor();
    await v.tabTo(v.link(T[lang].signIn));
    await v.press("Enter", "to sign-in");
    await v.tabTo(v.page.getByLabel(T[lang].code, { exact: true }));
    await v.page.keyboard.type(e.codes[0][0]);
    await v.press("Enter", "sign in");
    await v.heading(T[lang].yourBallot).waitFor();
    await v.tabTo(v.page.locator(`#p-${e.props[1].id}`));
    await v.press("Space", "tick a box");
    assert(await v.page.locator(`#p-${e.props[1].id}`).isChecked(), "Space ticks the box");
    await v.tabTo(v.button(T[lang].review));
    await v.press("Enter", "review");
    await v.heading(T[lang].reviewTitle).waitFor();
    await v.tabTo(v.button(T[lang].castVote));
    await v.press("Enter", "cast");
    await v.heading(T[lang].thanks).waitFor();
    await v.tabTo(v.button(T[lang].copyTracker));
    await v.press("Enter", "copy the receipt");
    await v.see(T[lang].copied);
    await v.tabTo(v.button(T[lang].signOut));
    await v.press("Enter", "sign out");
    await v.see(T[lang].signedOut);
  });
}
