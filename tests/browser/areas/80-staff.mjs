// Staff run a whole election from /admin.html, only by clicking, in English and in Danish:
// money typed the language's way (ambiguous amounts refused at the field, the amount shown in
// words), districts edited and deleted, double-clicks that add one thing, proposals added,
// moderated and imported from CSV after a dry run, voting opened after a warning, paper
// ballots entered by the ballot's own type and corrected, close, count with a preview, and
// publish after a confirmation. Also: an expired session goes back to the sign-in form.
import { test, visitor, assert } from "../lib.mjs";
import { api, admin } from "../fixtures.mjs";
import { LAPTOP, say, signIn, newElection } from "../staff-steps.mjs";

// The walk both languages make. Returns the election's id.
async function wholeElection(lang, type) {
  const s = say[lang];
  const v = await visitor({ lang, size: LAPTOP, downloads: true });
  v.lang = lang;
  const dialogs = [];
  v.onDialog = (d) => { dialogs.push(d.message()); d.accept(); };
  const page = v.page;
  await signIn(v, s);
  const title = { da: `Personalets valg ${type} ${Date.now() % 100000}`, en: `Staff election ${type} ${Date.now() % 100000}` };
  const id = await newElection(v, s, type, title);

  // money by the page's language: ambiguity is refused at the field, the amount said in words
  await v.fill(page.getByLabel(s.dNameDa), "Vest");
  await v.fill(page.getByLabel(s.budget), lang === "da" ? "1.00.000" : "200.000");
  await v.click(v.button(s.addDistrict), "an ambiguous budget");
  await page.locator("#d-budget-said").getByText(s.ambiguous).waitFor();
  assert(await page.locator("#d-budget").evaluate((el) => el === document.activeElement), "the money field has the focus");
  assert((await api("GET", `/elections/${id}`, undefined, await admin())).districts.length === 0, "nothing stored for an ambiguous amount");
  await v.fill(page.getByLabel(s.budget), lang === "da" ? "1.000.000,50" : "1,000,000.50");
  await page.getByText(s.million).waitFor();
  // a double-click adds one district
  await v.dblclick(v.button(s.addDistrict), "double-click Add district");
  await page.locator("#districts tbody tr").first().waitFor();
  await v.settle();
  let e = await api("GET", `/elections/${id}`, undefined, await admin());
  assert(e.districts.length === 1 && e.districts[0].budget === 100000050, "one district of 1,000,000.50: " + JSON.stringify(e.districts));
  // a second district, renamed, then deleted
  await v.fill(page.getByLabel(s.dNameDa), "Øst");
  await v.fill(page.getByLabel(s.budget), lang === "da" ? "250.000" : "250,000");
  await v.click(v.button(s.addDistrict), "add a second district");
  await page.getByRole("cell", { name: "Øst", exact: true }).waitFor();
  e = await api("GET", `/elections/${id}`, undefined, await admin());
  const east = e.districts.find((d) => d.name.da === "Øst");
  assert(east && east.budget === 25000000, "250.000 is two hundred and fifty thousand");
  await v.click(page.locator(`#edit-district-${east.id}`), "edit a district");
  await v.fill(page.locator(`#dn-da-${east.id}`), "Østby");
  await v.fill(page.locator(`#dn-en-${east.id}`), "Østby");
  await v.click(page.locator(`#district-form-${east.id}`).getByRole("button", { name: s.save, exact: true }), "save the district");
  await page.getByRole("cell", { name: "Østby", exact: true }).waitFor();
  await v.click(page.locator(`#delete-district-${east.id}`), "delete the district");
  await page.getByRole("cell", { name: "Østby", exact: true }).waitFor({ state: "detached" });
  assert(dialogs.length === 1, "the delete asked first");
  assert((await api("GET", `/elections/${id}`, undefined, await admin())).districts.length === 1, "the district is deleted");

  // proposals: three by the form (200.000 is DKK 200,000 in Danish), one waiting for review
  await v.click(v.link(s.proposals), "to the proposals");
  for (const [name, cost] of [["Skaterbane", lang === "da" ? "200.000" : "200,000"], ["Bålhytte", "90000"], ["Legeplads", "150000"]]) {
    await v.fill(page.locator("#pf-new-title-da"), name);
    await v.fill(page.getByLabel(s.cost), cost);
    await v.click(v.button(s.addProposal), "add a proposal");
    await page.locator("#proposals").getByRole("cell", { name, exact: true }).waitFor();
    assert(await page.locator("#pf-new-title-da").inputValue() === "", "the form is empty again");
  }
  const t = await admin();
  let props = (await api("GET", `/elections/${id}/proposals`, undefined, t)).proposals;
  assert(props.find((p) => p.title.da === "Skaterbane").cost === 20000000, "200.000 is stored as two hundred thousand");
  await api("POST", `/elections/${id}/proposals`, { district_id: e.districts[0].id, title: { da: "Idé", en: "Idea" }, status: "submitted" }, t);
  const dup = await api("POST", `/elections/${id}/proposals`, { district_id: e.districts[0].id, title: { da: "Dublet", en: "Duplicate" }, status: "submitted" }, t);
  await v.reload();
  await page.locator("#queue").getByRole("cell", { name: lang === "da" ? "Idé" : "Idea", exact: true }).waitFor();
  // moderation: English rejects the duplicate with a reason, Danish merges it into a proposal
  if (lang === "en") {
    await v.click(page.locator(`#queue #reject-${dup.id}`), "reject");
    await v.fill(page.locator(`#reason-${dup.id}`), "The same as the skate park");
    await v.click(page.locator(`#reject-form-${dup.id} button[type=submit]`), "reject with the reason");
  } else {
    await v.click(page.locator(`#queue #merge-${dup.id}`), "merge");
    await v.click(page.locator(`#merge-form-${dup.id} button[type=submit]`), "merge it");
  }
  await page.locator("#queue").getByRole("cell", { name: lang === "da" ? "Dublet" : "Duplicate", exact: true }).waitFor({ state: "detached" });
  const moderated = (await api("GET", `/proposals/${dup.id}`, undefined, t));
  assert(lang === "en" ? moderated.status === "rejected" && moderated.reason === "The same as the skate park" : moderated.status === "merged",
         "moderated: " + JSON.stringify(moderated));
  // the settings: a category with a quota, saved from the settings page
  await v.click(v.link(lang === "da" ? "Indstillinger" : "Settings"), "to the settings");
  await v.click(page.locator("#add-category"), "add a category");
  await v.fill(page.locator("#cat-key-0"), "natur");
  await v.fill(page.locator("#cat-da-0"), "Natur");
  await v.fill(page.locator("#cat-en-0"), "Nature");
  await v.fill(page.locator("#cat-max-0"), "1");
  await v.click(page.locator("#save-settings"), "save the settings");
  await page.locator("#settings .msg").waitFor();
  const set = await api("GET", `/elections/${id}`, undefined, t);
  assert(set.categories[0].key === "natur" && set.ballot.category_limits[0].max_selections === 1, "category and quota saved: " + JSON.stringify(set.ballot));
  await v.click(v.link(s.proposals), "back to the proposals");

  // voting opens after a confirmation that warns about the idea still waiting
  await v.click(v.link(s.count), "to phases and count");
  await v.click(v.button(s.openVoting), "open voting");
  await page.locator("#phase-closed").waitFor();
  assert(dialogs.some((m) => m.includes(lang === "da" ? "1 idé venter" : "1 idea is still waiting")), "opening voting warned about the idea: " + dialogs.join(" | "));
  // the districts, proposals and ballot settings are read-only now
  await v.click(v.link(s.districts), "districts after voting opened");
  assert(await page.locator("#add-district").count() === 0 && await page.locator(`#edit-district-${e.districts[0].id}`).count() === 0, "no edit forms once voting is open");
  await v.click(v.link(lang === "da" ? "Indstillinger" : "Settings"), "settings after voting opened");
  assert(await page.locator("#btype").isDisabled(), "the ballot type is read-only once voting is open");
  await v.click(v.link(s.proposals), "proposals after voting opened");
  assert(await page.locator("#add-proposal").count() === 0 && await page.locator("[id^=edit-]").count() === 0, "no proposal forms once voting is open");

  // a paper ballot by the ballot's own type
  const code = (await api("POST", `/elections/${id}/codes`, { district_id: e.districts[0].id, count: 1 }, t)).codes[0];
  props = (await api("GET", `/elections/${id}/proposals`, undefined, t)).proposals.filter((p) => p.status === "accepted");
  const [a, b, c] = ["Skaterbane", "Bålhytte", "Legeplads"].map((n) => props.find((p) => p.title.da === n));
  await v.click(v.link(s.paper), "to paper ballots");
  await v.fill(page.getByLabel(s.sheet), "17");
  await v.fill(page.getByLabel(s.code, { exact: true }), code);
  if (type === "ordinal") {
    await v.fill(page.locator(`#pc-${c.id}`), "1");
    await v.fill(page.locator(`#pc-${a.id}`), "2");
  } else {
    await v.fill(page.locator(`#pc-${c.id}`), "3");
    await v.fill(page.locator(`#pc-${a.id}`), "2");
  }
  await v.click(v.button(s.saveSheet), "save the sheet");
  await page.locator("#sheets").waitFor();
  assert(await page.evaluate(() => document.activeElement.classList.contains("form-note")), "the result is focused at the form");
  assert(await page.getByLabel(s.sheet).inputValue() === "", "the paper form is empty after the sheet");
  const sheets = (await api("GET", `/elections/${id}/paper-ballots`, undefined, t)).sheets;
  const entry = sheets[0].entries[0];
  if (type === "ordinal") assert(JSON.stringify(entry.items) === JSON.stringify([c.id, a.id]), "the ranking is stored in rank order: " + JSON.stringify(entry));
  else assert(JSON.stringify(entry.items.map((x, i) => [x, entry.points[i]]).sort()) === JSON.stringify([[a.id, 2], [c.id, 3]].sort()), "the points are stored: " + JSON.stringify(entry));

  // close, count (preview of the winners), publish
  await v.click(v.link(s.count), "to phases and count");
  await v.click(v.button(s.close), "close voting");
  await v.click(v.button(s.countBtn), "count");
  await page.locator("#preview li").first().waitFor();
  assert(await page.locator("#preview").getByText("Legeplads").count() > 0, "the preview names the winner");
  const before = dialogs.length;
  await v.click(v.button(s.publish), "publish");
  await page.locator("#publish").waitFor({ state: "detached" });
  assert(dialogs.length === before + 1, "publishing asked first");
  const res = await api("GET", `/elections/${id}/results`);
  assert(res.published && res.districts[0].winners.includes(c.id), "published with the winner");
  return id;
}

test("staff run a whole election by clicking, in English (ranking ballot, paper ranks)", async () => {
  await wholeElection("en", "ordinal");
});

test("staff run a whole election by clicking, in Danish (points ballot, paper points)", async () => {
  await wholeElection("da", "cumulative");
});

test("staff import proposals after a dry run, make and revoke codes, check the register, and correct a paper sheet", async () => {
  for (const lang of ["en", "da"]) {
    const s = say[lang];
    const v = await visitor({ lang, size: LAPTOP, downloads: true });
    v.lang = lang;
    v.onDialog = (d) => d.accept();
    const page = v.page;
    await signIn(v, s);
    const title = { da: `Forslagsfil ${lang} ${Date.now() % 100000}`, en: `Proposal file ${lang} ${Date.now() % 100000}` };
    const id = await newElection(v, s, "approval", title);
    const t = await admin();
    const d = await api("POST", `/elections/${id}/districts`, { name: { da: "Nord", en: "North" }, budget: 50000000 }, t);
    await v.reload();
    await v.click(v.link(s.proposals), "to the proposals");
    // a file with problems: every row's problem is listed and nothing is stored
    const bad = lang === "da" ? "district;title_da;cost\nNord;Bænke;12.000\nSyd;Lys;5.000\nNord;;1.000\n"
                              : "district,title_da,cost\nNorth,Bænke,\"12,000\"\nSouth,Lys,\"5,000\"\nNorth,,\"1,000\"\n";
    await page.locator("#proposals-file").setInputFiles({ name: "proposals.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
    await v.click(page.locator("#proposals-check"), "check a file with problems");
    await page.locator("table.row-errors tbody tr").nth(1).waitFor();
    assert(await page.locator("table.row-errors tbody tr").count() === 2, "two rows with problems are listed");
    assert((await api("GET", `/elections/${id}/proposals`, undefined, t)).proposals.length === 0, "the dry run stored nothing");
    const good = lang === "da" ? "district;title_da;cost\nNord;Bænke;12.000\nNord;Lys;5.000,50\n"
                               : "district,title_da,cost\nNorth,Bænke,\"12,000\"\nNorth,Lys,5000.50\n";
    await page.locator("#proposals-file").setInputFiles({ name: "proposals.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
    await v.click(page.locator("#proposals-check"), "check a good file");
    await v.click(page.locator("#proposals-store"), "import it");
    await page.locator("#proposals").getByRole("cell", { name: "Lys", exact: true }).waitFor();
    const props = (await api("GET", `/elections/${id}/proposals`, undefined, t)).proposals;
    assert(props.length === 2 && props.find((p) => p.title.da === "Lys").cost === 500050, "imported with costs read the language's way");

    // voting codes: made and downloaded, counted per district, one revoked
    await api("POST", `/elections/${id}/phase`, { phase: "voting" }, t);
    await v.click(v.link(s.voters), "to the voters");
    await v.fill(page.locator("#c-count"), "2");
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#codes-csv").click()]);
    await v.check("codes downloaded");
    const csv = (await import("node:fs")).readFileSync(await download.path(), "utf8");
    const codes = csv.trim().split(/\r?\n/).slice(1).map((l) => l.split(",").pop());
    assert(codes.length === 2, "two codes in the file: " + csv);
    await page.locator("#code-stats").getByRole("cell", { name: "2", exact: true }).waitFor();
    await v.fill(page.locator("#revoke-code"), codes[1]);
    await v.click(page.locator("#revoke-btn"), "revoke a code");
    await page.locator("#revoke .msg").waitFor();
    const stats = (await api("GET", `/elections/${id}/codes`, undefined, t)).districts;
    assert(stats[0].issued === 2 && stats[0].revoked === 1, "one code revoked: " + JSON.stringify(stats));
    // the register: a dry run lists the bad rows
    await page.locator("#register-file").setInputFiles({ name: "register.csv", mimeType: "text/csv",
      buffer: Buffer.from("personal_id,birth_date,district\n0101901234,1990-01-01,North\n0202901234,1990-13-01,North\n") });
    await v.click(page.locator("#register-check"), "check the register");
    await page.locator("#register-findings table.row-errors").waitFor();

    // paper: a counted sheet corrected by an admin, with a reason
    await v.click(v.link(s.paper), "to paper ballots");
    await v.fill(page.getByLabel(s.sheet), "5");
    await v.fill(page.getByLabel(s.code, { exact: true }), codes[0]);
    const [p1, p2] = props;
    await v.click(page.locator(`#pc-${p1.id}`), "tick a proposal");
    await v.click(v.button(s.saveSheet), "save the sheet");
    await v.click(page.locator("#correct-5"), "correct the sheet");
    await v.click(page.locator(`#cc-5-${p1.id}`), "untick");
    await v.click(page.locator(`#cc-5-${p2.id}`), "tick the other");
    await v.fill(page.locator("#reason-5"), "Tastefejl");
    await v.click(page.locator("#correct-form-5 button[type=submit]"), "save the correction");
    await page.locator("#sheets").getByText(lang === "da" ? "rettet" : "corrected").waitFor();
    const sheet = (await api("GET", `/elections/${id}/paper-ballots`, undefined, t)).sheets[0];
    assert(sheet.corrected && JSON.stringify(sheet.entries[1].items) === JSON.stringify([p2.id]), "the sheet is corrected");
    assert(d.id, "district made");
  }
});

test("an expired staff session goes back to the sign-in form with a message", async () => {
  const v = await visitor({ lang: "da", size: LAPTOP });
  v.lang = "da";
  const page = v.page;
  await signIn(v, say.da);
  // the session ends elsewhere (signed out in another tab)
  const token = await page.evaluate(() => sessionStorage.getItem("pb-staff"));
  await api("POST", "/staff/logout", {}, token);
  await v.fill(page.getByLabel(say.da.slug), `expired-${Date.now() % 1000000}`);
  await v.fill(page.getByLabel(say.da.titleDa), "Udløbet");
  v.expectHttp(401, "/api/v1/elections");
  await v.click(v.button(say.da.create), "a click after the session ended");
  await page.getByText("Du er logget ud, fordi din session udløb.").waitFor();
  await v.heading("Log ind som personale").waitFor();
});

test("staff invite a colleague, see and remove them, and change their own password", async () => {
  const v = await visitor({ lang: "en", size: LAPTOP });
  v.lang = "en";
  v.onDialog = (d) => d.accept();
  const page = v.page;
  await signIn(v, say.en);
  const me = await api("GET", "/staff/me", undefined, await admin());
  const org = me.roles.find((r) => r.role === "admin" && r.election_id === null)?.organisation_id;
  if (!org) return; // an installation admin without an organisation has no people page
  const orgName = (await api("GET", "/organisations", undefined, await admin())).organisations.find((o) => o.id === org).name;
  await v.click(page.getByRole("link", { name: `People of ${orgName}` }), "to the people (the organisation by its name)");
  const email = `clerk-${Date.now()}@kommune.example`;
  await v.fill(page.locator("#inv-email"), email);
  await v.select(page.locator("#inv-role"), "clerk");
  await v.click(v.button("Send invitation"), "invite");
  await page.locator("#invite-link").waitFor();
  // the colleague opens the link (in Danish), chooses a password and signs in
  const link = (await page.locator("#invite-link").textContent()).trim();
  const c = await visitor({ lang: "da", size: LAPTOP });
  await c.goto(link);
  await c.heading("Tag imod din invitation").waitFor();
  await c.fill(c.page.locator("#new-password"), "en lang adgangskode 42");
  await c.fill(c.page.locator("#new-password-again"), "en lang adgangskode 42");
  await c.click(c.button("Gem adgangskoden"), "set the password");
  await c.page.getByText("Din adgangskode er gemt.").waitFor();
  await c.fill(c.page.getByLabel("E-mail"), email);
  await c.fill(c.page.getByLabel("Adgangskode", { exact: true }), "en lang adgangskode 42");
  await c.click(c.button("Log ind"), "the colleague signs in");
  await c.page.getByRole("heading", { name: "Valg", exact: true }).waitFor();
  assert(await c.page.locator("#new-election").count() === 0, "a clerk is not offered a new election");
  await v.reload();
  await page.getByRole("cell", { name: email, exact: true }).waitFor();
  await v.click(page.getByRole("button", { name: `Remove ${email}` }), "remove");
  await page.getByRole("cell", { name: email, exact: true }).waitFor({ state: "detached" });
  await v.fill(page.locator("#pw-current"), "wrong password here");
  await v.fill(page.locator("#pw-new"), "short");
  await v.click(v.button("Change password"), "a too short password");
  await page.getByText("The new password must have at least 12 characters.").waitFor();
});

test("staff money fields read amounts by the same rules as the server's imports (lib/money.c)", async () => {
  const v = await visitor({ lang: "en", size: LAPTOP });
  await v.start("admin.html");
  // the cases of tests/unit/test_import.c: [text, language, problem or minor units]
  const cases = [["1.000.000", "da", 100000000], ["1.000.000,50", "da", 100000050], ["200.000", "da", 20000000],
    [" 1 000 000,5 ", "da", 100000050], ["1\u00a0000", "da", 100000], ["1\u202f000", "en", 100000], ["250000", "da", 25000000],
    ["0,5", "da", 50], ["1,000,000.50", "en", 100000050], ["1000000.5", "en", 100000050],
    ["1.000.000", "en", "grouping"], ["200.000", "en", "decimals"], ["1,000", "da", "decimals"], ["1,5", "en", "grouping"],
    ["1.5", "da", "grouping"], ["1000.50", "da", "grouping"], ["10.00.000", "da", "grouping"], ["1.000 000", "da", "grouping"],
    ["1.000,", "da", "grouping"], [",50", "da", "grouping"], ["12,345", "da", "decimals"], ["kr. 100", "da", "characters"],
    ["-100", "da", "characters"], ["", "da", "empty"], ["   ", "en", "empty"], ["0", "en", "range"], ["99999999999999999999", "en", "range"]];
  const wrong = await v.page.evaluate(async (cases) => {
    const { readMoney, writeMoney } = await import("/js/admin/money.js");
    const out = [];
    for (const [text, lang, want] of cases) {
      const r = readMoney(text, lang);
      const got = r.problem || r.minor;
      if (got !== want) out.push(`${JSON.stringify(text)} (${lang}): ${got}, want ${want}`);
      if (r.minor && readMoney(writeMoney(r.minor, lang), lang).minor !== r.minor) out.push(`${text} does not read back`);
    }
    return out;
  }, cases);
  assert(wrong.length === 0, wrong.join("\n"));
});
