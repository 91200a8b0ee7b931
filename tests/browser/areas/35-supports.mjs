// The supports phase (pre-selection): from "/", a citizen signs in and supports proposals of
// their district with a toggle, sees how many of their supports are used, hears a refusal
// next to the button pressed, withdraws, and finds it all again after a reload; in Danish on
// a 320 px phone too. Staff settings and phase moves are setup through the API.
import { test, visitor, assert, NARROW } from "../lib.mjs";
import { api, admin, election, setPhase } from "../fixtures.mjs";
import { openElection } from "../steps.mjs";

// An election in the supports phase: three proposals in Centre, one in North; two voting
// codes per district; each citizen may support `max` proposals.
async function supportsElection(title, max, showCounts = true) {
  const e = await election({ title, phase: null,
    districts: [{ name: { da: "Midtby", en: "Centre" }, budget: 10000000 }, { name: { da: "Nord", en: "North" }, budget: 10000000 }],
    proposals: [{ cost: 1000000 }, { cost: 2000000 }, { cost: 3000000 }, { d: 1, cost: 4000000, title: { da: "Nordpark", en: "North park" } }] });
  const t = await admin();
  await api("PATCH", `/elections/${e.id}`, { supports: { max_per_voter: max, show_counts: showCounts } }, t);
  await setPhase(e, "proposals", "supports");
  for (const d of e.districts) e.codes.push((await api("POST", `/elections/${e.id}/codes`, { district_id: d.id, count: 2 }, t)).codes);
  return e;
}

async function signInToSupport(v, e, code, lang) {
  const words = { en: ["Sign in to support proposals", "Voting code", "Continue"], da: ["Log ind for at støtte forslag", "Stemmekode", "Fortsæt"] }[lang];
  await openElection(v, e, lang);
  await v.click(v.link(words[0]), "to sign-in from the supports phase");
  await v.fill(v.page.getByLabel(words[1], { exact: true }), code, "type the voting code");
  await v.click(v.button(words[2]), "sign in");
  await v.heading(e.title[lang]).first().waitFor();
}

const toggle = (v, name) => v.page.getByRole("button", { name });
async function pressed(v, name) { return toggle(v, name).getAttribute("aria-pressed"); }
const used = (v) => v.page.locator("#supports-used").textContent();

test("supports phase: support, the limit said by the button, withdraw, and the same state after reload (390 px, English)", async () => {
  const e = await supportsElection({ da: "Støttebudget", en: "Supports budget" }, 2);
  const v = await visitor({ lang: "en" });
  await signInToSupport(v, e, e.codes[0][0], "en");
  assert(await used(v) === "0 of 2 supports used", "nothing used yet: " + await used(v));
  assert(await v.page.locator("#supports-used").getAttribute("role") === "status", "the count is a live region");
  // only the citizen's own district has toggles, and the list starts at it
  assert(!(await toggle(v, "Support: North park").count()), "no toggle for another district's proposal");
  assert(await pressed(v, "Support: Project 1") === "false", "not supported yet");

  await v.click(toggle(v, "Support: Project 1"), "support Project 1");
  assert(await pressed(v, "Support: Project 1") === "true", "pressed after supporting");
  assert(await used(v) === "1 of 2 supports used", "one used: " + await used(v));
  await v.see("You support this. Press again to withdraw.");
  await v.see("1 supporter");
  await v.click(toggle(v, "Support: Project 2"), "support Project 2");
  assert(await used(v) === "2 of 2 supports used", "two used");

  // the limit: said next to the button pressed, and to screen readers
  await v.click(toggle(v, "Support: Project 3"), "a third support");
  const note = v.page.locator(`#snote-${e.props[2].id}`);
  assert(await note.isVisible() && (await note.textContent()) === "You can support at most 2 proposals. Withdraw a support first.",
    "the refusal is next to the button: " + await note.textContent());
  assert(await note.isVisible() && await note.evaluate((n) => n.getBoundingClientRect().top < innerHeight), "the refusal is on screen");
  assert(await pressed(v, "Support: Project 3") === "false", "still not supported");
  await v.shot("citizen-supports.png");

  // withdraw, then the server's own refusal (staff lowered the limit meanwhile) also lands by the button
  await v.click(toggle(v, "Support: Project 2"), "withdraw Project 2");
  assert(await pressed(v, "Support: Project 2") === "false" && await used(v) === "1 of 2 supports used", "withdrawn");
  await api("PATCH", `/elections/${e.id}`, { supports: { max_per_voter: 1 } }, await admin());
  v.expectHttp(422, `/supports/${e.props[2].id}`);
  await v.click(toggle(v, "Support: Project 3"), "a support over the lowered limit");
  await v.see("You have used all your supports. Withdraw one first.");
  assert(await pressed(v, "Support: Project 3") === "false", "the server refused it");

  // what the server holds comes back after a reload
  await v.reload();
  await toggle(v, "Support: Project 1").waitFor();
  assert(await pressed(v, "Support: Project 1") === "true" && await pressed(v, "Support: Project 2") === "false", "kept over reload");
  assert(await used(v) === "1 of 1 supports used", "the count after reload: " + await used(v));
  await v.click(toggle(v, "Support: Project 1"), "withdraw after reload");
  assert(await used(v) === "0 of 1 supports used", "nothing used after withdrawing");
});

test("supports phase in Danish on a 320 px phone by keyboard, and the toggles go when the phase ends", async () => {
  const e = await supportsElection({ da: "Støtte på telefon", en: "Supports on a phone" }, 3);
  const v = await visitor({ lang: "da", size: NARROW });
  await signInToSupport(v, e, e.codes[0][1], "da");
  assert(await used(v) === "0 af 3 støtter brugt", "Danish count: " + await used(v));
  await v.see("Støt de forslag, du vil have på stemmesedlen");
  await v.tabTo(toggle(v, "Støt: Projekt 2"));
  await v.press("Enter", "support by keyboard");
  assert(await pressed(v, "Støt: Projekt 2") === "true", "supported by Enter");
  assert(await v.focused() === "Støt: Projekt 2", "the focus stays on the toggle: " + await v.focused());
  assert(await used(v) === "1 af 3 støtter brugt", "Danish count after support");
  await v.see("Støttet af 1");
  await v.press("Space", "withdraw by keyboard");
  assert(await pressed(v, "Støt: Projekt 2") === "false" && await used(v) === "0 af 3 støtter brugt", "withdrawn by Space");
  await v.press("Space", "support again");

  // a visitor who is not signed in sees the counts and the way to sign in
  const anon = await visitor({ lang: "da", size: NARROW });
  await openElection(anon, e, "da");
  await anon.see("Log ind for at støtte forslag");
  assert(!(await anon.page.locator("button.support").count()), "no toggles without signing in");

  // the phase ends: the page has no toggles any more, and a click that was already on its way is refused
  await setPhase(e, "review");
  v.expectHttp(409, `/supports/${e.props[1].id}`);
  await v.click(toggle(v, "Støt: Projekt 2"), "withdraw after the phase ended");
  await v.see("Støttefasen er slut. Genindlæs siden.");
  await v.reload();
  await v.heading(e.title.da).first().waitFor();
  assert(!(await v.page.locator("button.support").count()), "no toggles in review");
  await v.see("Behandling");
});
