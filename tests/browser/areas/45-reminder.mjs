// A voter who has not cast asks to be reminded before voting closes; casting withdraws it.
import { test, visitor, assert, PHONE } from "../lib.mjs";
import { election } from "../fixtures.mjs";
import { signInWithCode, reviewAndCast, say } from "../steps.mjs";

test("a voter asks for a reminder on the ballot page, in Danish, and casting withdraws it", async () => {
  const closes = new Date(Date.now() + 5 * 3600 * 1000).toISOString();
  const e = await election({ title: { da: "Påmindelse", en: "Reminder" }, proposals: [{ cost: 4000000 }], codes: 1,
                             phases: { closed: closes } });
  const v = await visitor({ lang: "da", size: PHONE });
  await signInWithCode(v, e, e.codes[0][0], "da");
  await v.click(v.page.getByText("Mind mig om det, før afstemningen lukker"));
  await v.click(v.button("Mind mig om det"), "remind without an address");
  await v.see("Skriv dit telefonnummer eller din e-mailadresse");
  await v.fill(v.page.getByLabel("Telefon eller e-mail"), "borger@example.dk");
  await v.dblclick(v.button("Mind mig om det"));
  await v.see("Vi minder dig om det på");
  await v.shot("citizen-reminder-da.png");
  await v.reload();
  await v.see("Du får en påmindelse på");
  await v.click(v.page.locator(`#p-${e.props[0].id}`));
  await reviewAndCast(v, "da");
  await v.click(v.link(say.da.change));
  assert(await v.page.getByText("Mind mig om det, før afstemningen lukker").count() === 0, "no reminder offered after casting");
});
