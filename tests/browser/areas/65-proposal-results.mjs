// A proposal's own page, the results people look at (chart, money, rule, RTL mirroring) and
// "where my share went", in Danish, English and Arabic.
import { test, visitor, assert, DESKTOP } from "../lib.mjs";
import { election, closeCountPublish } from "../fixtures.mjs";
import { openElection, signInWithCode, reviewAndCast } from "../steps.mjs";
import { T, tr } from "../texts.mjs";

const categories = [{ key: "natur", name: { da: "Natur og grønt", en: "Nature", ar: "الطبيعة" } }];
const place = { address: "Nørrebrogade 1, 2200 København N", lat: 55.69, lng: 12.55 };

test("each proposal has its own page (description, cost, category name, district, place), reached from the list; Back returns (da, en, ar)", async () => {
  const e = await election({ title: { da: "Forslagssider", en: "Proposal pages", ar: "صفحات المقترحات" }, categories,
    proposals: [{ cost: 250000, category: "natur", title: { da: "Blomstereng", en: "Meadow", ar: "مرج" },
      description: { da: "En eng med vilde blomster ved søen.", en: "A meadow of wild flowers by the lake." },
      location: place }, { cost: 100000 }] });
  for (const lang of ["da", "en", "ar"]) {
    const v = await visitor({ lang });
    await openElection(v, e, lang);
    const name = lang === "ar" ? "مرج" : e.props[0].title[lang];
    await v.click(v.link(name), "open the proposal");
    await v.page.getByRole("heading", { level: 1, name }).waitFor();
    const facts = await v.page.locator("dl.facts").innerText();
    assert(facts.includes(categories[0].name[lang]), `${lang}: the category's name: ${facts}`);
    assert(!/\bnatur\b/.test(facts), `${lang}: never the category's key`);
    assert(facts.includes(lang === "en" ? "Centre" : "Midtby"), `${lang}: the district (the election's default language where it has none): ${facts}`);
    assert(facts.includes(place.address), `${lang}: the place`);
    // Arabic has no description: the election's default language (Danish) stands in
    await v.see(lang === "en" ? "A meadow of wild flowers" : "En eng med vilde blomster");
    await v.back();
    await v.page.getByRole("heading", { level: 1, name: e.title[lang] }).waitFor();
  }
});

test("the results: per district a bar chart with the funded line, money against the budget, the rule in one sentence, each proposal linked to its page with its result (da, en, ar mirrored; phone and projector)", async () => {
  const e = await election({ title: { da: "Resultatdiagram", en: "Results chart", ar: "مخطط النتائج" }, rule: "greedy",
    districts: [{ name: { da: "Nord", en: "North" }, budget: 1000000 }, { name: { da: "Syd", en: "South" }, budget: 500000 }],
    proposals: [{ d: 0, cost: 600000 }, { d: 0, cost: 500000 }, { d: 0, cost: 300000 }, { d: 1, cost: 400000 }], codes: 3 });
  for (const [i, picks] of [[0, 2], [0], [1]].entries()) {
    const v = await visitor({ lang: "en" });
    await signInWithCode(v, e, e.codes[0][i]);
    for (const k of picks) await v.click(v.page.locator(`#p-${e.props[k].id}`));
    await reviewAndCast(v);
  }
  await closeCountPublish(e);
  for (const [lang, size] of [["da", undefined], ["en", DESKTOP], ["ar", undefined]]) {
    const v = await visitor({ lang, size });
    await openElection(v, e, lang);
    await v.click(v.link(T[lang].results), "to the results");
    await v.see(T[lang].rule_greedy);
    const north = v.page.locator("section.district-result").first();
    await north.getByText(tr(lang, "spentOf", { spent: "", budget: "" }).split(":")[0]).first().waitFor();
    assert(await north.locator("li.funded-line").count() === 1, `${lang}: the funded line`);
    assert(await north.locator("li.result.funded").count() === 2, `${lang}: two funded in the north (600 + 300 of 1000)`);
    assert(await v.page.locator("section.district-result").count() === 2, `${lang}: one chart per district`);
    const [fill, track] = await north.locator("li.result .bar").first().evaluate((b) => [b.firstElementChild.getBoundingClientRect(), b.getBoundingClientRect()].map((r) => ({ l: r.left, r: r.right, w: r.width })));
    assert(fill.w > 0.9 * track.w - 2, `${lang}: the most supported proposal's bar is full`);
    if (lang === "ar") {
      assert(await v.page.evaluate(() => document.documentElement.dir) === "rtl", "Arabic is right to left");
      const [f2, t2] = await north.locator("li.result .bar").nth(2).evaluate((b) => [b.firstElementChild.getBoundingClientRect(), b.getBoundingClientRect()].map((r) => ({ l: r.left, r: r.right, w: r.width })));
      assert(f2.w < t2.w && Math.abs(f2.r - t2.r) < 2.5, `ar: a bar grows from the right (fill ${JSON.stringify(f2)}, track ${JSON.stringify(t2)})`);
    }
    // "why these won" under greedy, in the page's language
    await v.see(T[lang].shareTitle);
    await v.see(T[lang].whyIntroGreedy);
    const name = e.props[2].title[lang] || e.props[2].title.da;
    await v.click(north.getByRole("link", { name, exact: true }), "a proposal from the results");
    await v.page.getByRole("heading", { level: 1, name }).waitFor();
    await v.see("✓ " + T[lang].funded);
    await v.back();
    await v.see(T[lang].rule_greedy);
  }
});

test("where my share went: under Equal Shares the voter pastes the tracker and sees which funded proposals the share paid for; a wrong or unknown tracker is said at the field (en, ar)", async () => {
  const e = await election({ title: { da: "Min andel", en: "My share", ar: "حصتي" }, rule: "equal_shares", ballot: { type: "approval" },
    districts: [{ name: { da: "Midtby", en: "Centre" }, budget: 900000 }],
    proposals: [{ cost: 300000 }, { cost: 300000 }, { cost: 600000 }], codes: 3 });
  const trackers = [];
  for (const [i, picks] of [[0, 1], [0, 2], [1]].entries()) {
    const v = await visitor({ lang: "en" });
    await signInWithCode(v, e, e.codes[0][i]);
    for (const k of picks) await v.click(v.page.locator(`#p-${e.props[k].id}`));
    trackers.push(await reviewAndCast(v));
  }
  await closeCountPublish(e);
  for (const lang of ["en", "ar"]) {
    const v = await visitor({ lang });
    await openElection(v, e, lang);
    await v.click(v.link(T[lang].results));
    await v.see(T[lang].rule_equal_shares);
    const field = v.page.getByLabel(T[lang].trackerLabel);
    await v.fill(field, "not-a-tracker");
    await v.click(v.button(T[lang].shareShow), "a wrong tracker");
    await v.see(T[lang].trackerInvalid);
    assert(await field.getAttribute("aria-invalid") === "true", "the field is marked wrong");
    await v.fill(field, "ab".repeat(32));
    v.expectHttp(404, "/results/share");
    await v.click(v.button(T[lang].shareShow), "an unknown tracker");
    await v.see(T[lang].shareNotFound);
    await v.fill(field, trackers[0]);
    await v.click(v.button(T[lang].shareShow), "the voter's own tracker");
    await v.see(tr(lang, "shareYours", { district: "", share: "" }).split(":")[0]);
    const paid = await v.page.locator("ul.paid li").allTextContents();
    assert(paid.length >= 1, `${lang}: the share paid for something: ${paid}`);
  }
});
