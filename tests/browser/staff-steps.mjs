// Steps the staff walks share: the words of the staff pages in English and Danish, signing in
// at /admin.html, and a new election made by clicking.
import { assert } from "./lib.mjs";

export const LAPTOP = { width: 1366, height: 768 };

export const say = {
  en: { email: "E-mail", password: "Password", signIn: "Sign in", newElection: "New election", slug: "Short name for links (a-z, 0-9, -)",
        titleDa: "Title (Danish)", titleEn: "Title (English)", ballot: "Ballot type", create: "Create election",
        dNameDa: "District name (Danish)", budget: "Budget (DKK)", addDistrict: "Add district", cost: "Cost (DKK)",
        pTitleDa: "Title (Danish)", addProposal: "Add proposal", proposals: "Proposals", districts: "Districts",
        paper: "Paper ballots", count: "Phases, count and publish", openVoting: "Open voting", close: "Close voting",
        countBtn: "Count the votes", publish: "Publish the results", sheet: "Sheet number", code: "Voter's code",
        saveSheet: "Save the sheet", million: "That is 1,000,000.50 Danish kroner.", ambiguous: "A point starts the decimals",
        checkFile: "Check the file", voters: "Voters", save: "Save", edit: "Edit", del: "Delete" },
  da: { email: "E-mail", password: "Adgangskode", signIn: "Log ind", newElection: "Nyt valg", slug: "Kort navn til links (a-z, 0-9, -)",
        titleDa: "Titel (dansk)", titleEn: "Titel (engelsk)", ballot: "Type stemmeseddel", create: "Opret valg",
        dNameDa: "Distriktets navn (dansk)", budget: "Budget (DKK)", addDistrict: "Tilføj distrikt", cost: "Pris (DKK)",
        pTitleDa: "Titel (dansk)", addProposal: "Tilføj forslag", proposals: "Forslag", districts: "Distrikter",
        paper: "Papirstemmer", count: "Faser, optælling og offentliggørelse", openVoting: "Åbn afstemningen", close: "Luk afstemningen",
        countBtn: "Tæl stemmerne op", publish: "Offentliggør resultatet", sheet: "Arkets nummer", code: "Vælgerens kode",
        saveSheet: "Gem arket", million: "Det er 1.000.000,50 danske kroner.", ambiguous: "Punktummerne står ikke mellem tusinder",
        checkFile: "Tjek filen", voters: "Vælgere", save: "Gem", edit: "Ret", del: "Slet" },
};

export async function signIn(v, s) {
  const page = v.page;
  await v.start("admin.html");
  assert(await page.locator("#totp").count() === 0, "no authenticator field for an account without one");
  await v.fill(page.getByLabel(s.email), process.env.PB_ADMIN_EMAIL);
  await v.fill(page.getByLabel(s.password, { exact: true }), process.env.PB_ADMIN_PASSWORD);
  await v.click(v.button(s.signIn), "sign in");
  await v.heading(s.newElection).waitFor();
}

// Creates an election of the ballot type and walks to its districts page; returns its id.
export async function newElection(v, s, type, title) {
  const page = v.page;
  await v.fill(page.getByLabel(s.titleDa), title.da);
  await v.fill(page.getByLabel(s.titleEn), title.en);
  // a field the form refuses is said under that field, not at the end of the long form
  await v.fill(page.getByLabel(s.slug), "Not A Slug!");
  await v.click(v.button(s.create), "create with a bad short name");
  await assertErrorAt(page, "slug");
  await v.fill(page.getByLabel(s.slug), `staff-${type}-${Date.now() % 1000000}`);
  assert(!(await page.locator("#slug-problem").count()), "the short name's message goes once it is changed");
  await v.select(page.getByLabel(s.ballot), type);
  if (type === "cumulative") await v.fill(page.locator("#b-points"), "5");
  await v.click(v.button(s.create), "create the election");
  await v.heading(title[v.lang]).waitFor();
  await page.locator("#add-district").waitFor();
  await v.click(page.locator("#add-district button[type=submit]"), "add a district without a name");
  await assertErrorAt(page, "d-da");
  return Number(page.url().match(/#\/e\/(\d+)/)[1]);
}

// The message about a field sits right after it, the field is marked invalid and
// described by it, and has the focus.
async function assertErrorAt(page, id) {
  await page.locator(`#${id}-problem`).waitFor();
  const at = await page.evaluate((i) => {
    const el = document.getElementById(i), p = document.getElementById(i + "-problem");
    return { next: el.nextElementSibling === p, invalid: el.getAttribute("aria-invalid"),
      described: (el.getAttribute("aria-describedby") || "").split(" ").includes(p.id), focused: document.activeElement === el };
  }, id);
  assert(at.next && at.invalid === "true" && at.described && at.focused, `the message is at #${id}: ` + JSON.stringify(at));
}

