// Languages: every text in every language with its plural forms, category names instead of
// keys, numbers with the right plural, and no English on Danish pages.
import { test, visitor, assert } from "../lib.mjs";
import { election, closeCountPublish } from "../fixtures.mjs";
import { openElection, toSignIn, say } from "../steps.mjs";

test("every language has every text, the same {placeholders}, and the plural forms its language needs", async () => {
  const v = await visitor({ lang: "en" });
  await v.start();
  const problems = await v.page.evaluate(async () => {
    const { tables, staffOnly, staffLanguages } = await import("/js/i18n.js");
    const staffLangs = staffLanguages.map(([code]) => code);
    const out = [];
    const langs = Object.keys(tables);
    const holes = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join();
    for (const key of new Set(langs.flatMap((l) => Object.keys(tables[l])))) {
      for (const l of langs) {
        if (staffOnly(key) && !staffLangs.includes(l)) continue;   // staff pages: Danish and English
        const v = tables[l][key];
        if (v === undefined) { out.push(`${l} lacks ${key}`); continue; }
        if (typeof v === "object") {
          for (const cat of new Intl.PluralRules(l).resolvedOptions().pluralCategories)
            if (typeof v[cat] !== "string") out.push(`${l}.${key} lacks the plural form "${cat}"`);
        }
        const forms = typeof v === "string" ? [v] : Object.values(v);
        const ref = tables.en[key] === undefined ? "" : holes(typeof tables.en[key] === "string" ? tables.en[key] : tables.en[key].other);
        for (const f of forms) if (holes(f).replace(/\bn\b,?/, "") !== ref.replace(/\bn\b,?/, "")) out.push(`${l}.${key} has other placeholders than en: ${f}`);
      }
    }
    return out;
  });
  assert(problems.length === 0, problems.join("\n"));
});

test("categories show the election's names in the page's language, never their keys", async () => {
  const categories = [{ key: "natur", name: { da: "Natur og grønt", en: "Nature" } }, { key: "leg", name: { da: "Leg og idræt", en: "Play and sport" } }];
  const proposals = [{ cost: 100000, category: "natur" }, { cost: 200000, category: "leg" }, { cost: 300000, category: "natur" }];
  const e = await election({ title: { da: "Kategoribudget", en: "Category budget" }, categories, proposals });
  for (const lang of ["da", "en"]) {
    const v = await visitor({ lang });
    await openElection(v, e, lang);
    const names = categories.map((c) => c.name[lang]);
    const options = await v.page.locator("#f-cat option").allTextContents();
    assert(names.every((n) => options.includes(n)), `${lang}: the filter names the categories: ${options}`);
    await v.select(v.page.locator("#f-cat"), "leg", "filter by a category");
    const tags = await v.page.locator("main .tag").allTextContents();
    assert(tags.length === 1 && tags[0] === names[1], `${lang}: one proposal, tagged with the name: ${tags}`);
    assert(!(await v.page.getByText(/\b(natur|leg)\b/).count()), `${lang}: no category key on the page`);
  }
  // an election that names no categories: its proposals' keys are not shown as if they were names
  const bare = await election({ title: { da: "Uden kategorier", en: "Without categories" }, proposals });
  const w = await visitor({ lang: "en" });
  await openElection(w, bare);
  assert(!(await w.page.getByText(/\b(natur|leg)\b/).count()), "no category key on the page");
});

test("Danish pages are Danish all the way, with the right singular and plural", async () => {
  const e = await election({ title: { da: "Helt på dansk", en: "All in Danish" }, ballot: { type: "cumulative", points: 3 },
    proposals: [{ cost: 100000 }, { cost: 200000 }], codes: 2 });
  const v = await visitor({ lang: "da" });
  await toSignIn(v, e, "da");
  await v.fill(v.page.getByLabel("Stemmekode", { exact: true }), "WRONG-CODE-2222-2222");
  v.expectHttp(401, "/voter-sessions");
  await v.click(v.button(say.da.continue), "a wrong code");
  await v.page.locator("main").getByRole("alert").getByText("Koden passer ikke").waitFor();   // the server's answer in Danish
  await v.fill(v.page.getByLabel("Stemmekode", { exact: true }), e.codes[0][0]);
  await v.click(v.button(say.da.continue), "the right code");
  await v.heading(say.da.ballot).waitFor();
  await v.see("Point tilbage: 3 af 3");
  await v.click(v.page.locator(`#plus-${e.props[0].id}`), "one point");
  await v.click(v.button(say.da.review));
  await v.see("1 point");
  await v.click(v.button(say.da.cast));
  await v.heading(say.da.thanks).waitFor();
  await v.shot("citizen-receipt-da.png");
  await v.click(v.link(say.da.board), "til opslagstavlen");
  await v.see(say.da.found);
  await v.see("1 stemme er talt med.");
  assert(!(await v.text(/\b1 stemmer\b/).count()), "not \"1 stemmer\"");
  assert(await v.page.getByLabel("Din kvittering (tracker)").count(), "the tracker field has a Danish label");
  const en = await visitor({ lang: "en" });
  await openElection(en, e);
  await en.click(en.link("Bulletin board"));
  await en.see("1 ballot is counted.");
  await closeCountPublish(e);
  await v.start();
  await v.click(v.link(e.title.da));
  await v.click(v.link("Resultat"));
  await v.see("1 point");   // a cumulative ballot's score is points, not votes
  assert(!(await v.text(/\b1 stemmer\b/).count()), "not \"1 stemmer\" in the results");
});
