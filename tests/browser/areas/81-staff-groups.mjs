// Staff set up a city-wide budget and a group of district budgets by clicking, in English and
// Danish: a group is added, a district put in it, and the group given its own ballot and
// counting rule (district approval ballots counted by Equal Shares beside the election's
// city-wide knapsack); a rule that cannot count the ballot type is refused at the form, and
// the group can follow the election's rules again.
import { test, visitor, assert } from "../lib.mjs";
import { api, admin } from "../fixtures.mjs";
import { LAPTOP, say, signIn, newElection } from "../staff-steps.mjs";

const words = {
  en: { group: "Districts", city: "Whole town", addGroup: "Add group", groupName: "Group name (Danish)", same: "Same as the election",
        own: "Approval (tick proposals) · Method of Equal Shares", refused: "approval and knapsack ballots only", saved: "are saved" },
  da: { group: "Bydele", city: "Hele byen", addGroup: "Tilføj gruppe", groupName: "Gruppens navn (dansk)", same: "Som afstemningen",
        own: "Godkendelse (sæt kryds ved forslag) · Lige andele (Method of Equal Shares)", refused: "kan ikke tælle", saved: "er gemt" },
};

test("staff add a group of districts and give it its own ballot and counting rule (en, da)", async () => {
  for (const lang of ["en", "da"]) {
    const s = say[lang], w = words[lang];
    const v = await visitor({ lang, size: LAPTOP });
    v.lang = lang;
    v.onDialog = (d) => d.accept();
    const page = v.page;
    await signIn(v, s);
    const title = { da: `To slags budget ${lang} ${Date.now() % 100000}`, en: `Two kinds of budget ${lang} ${Date.now() % 100000}` };
    const id = await newElection(v, s, "knapsack", title);
    // the group first, then a city-wide district (no group) and a district in the group
    await v.fill(page.getByLabel(w.groupName), w.group);
    await v.dblclick(v.button(w.addGroup), "double-click Add group");
    const groups = page.locator("#groups tbody tr");
    await groups.first().waitFor();
    await v.settle();
    const e0 = await api("GET", `/elections/${id}`, undefined, await admin());
    assert(e0.district_groups.length === 1, "a double-click adds one group");
    const gid = e0.district_groups[0].id;
    assert((await groups.first().innerText()).includes(w.same), "a new group follows the election's rules");
    await v.fill(page.getByLabel(s.dNameDa), w.city);
    await v.fill(page.getByLabel(s.budget), "500000");
    await v.click(v.button(s.addDistrict), "add the city-wide district");
    await page.getByRole("cell", { name: w.city, exact: true }).waitFor();
    await v.fill(page.getByLabel(s.dNameDa), "Nord");
    await v.fill(page.getByLabel(s.budget), "100000");
    await v.select(page.locator("#d-group"), String(gid), "put it in the group");
    await v.click(v.button(s.addDistrict), "add a district of the group");
    await page.getByRole("cell", { name: "Nord", exact: true }).waitFor();

    // a rule that cannot count the ballot: refused at the form, nothing stored
    await v.click(page.locator(`#group-rules-${gid}`), "edit the group's ballot and rule");
    await v.select(page.locator(`#gr-type-${gid}`), "cumulative", "points ballot");
    await v.fill(page.locator(`#gr-points-${gid}`), "5");
    await v.select(page.locator(`#gr-rule-${gid}`), "phragmen", "Phragmén");
    v.expectHttp(422, "/district-groups/");
    await v.click(page.locator(`#group-rules-form-${gid}`).getByRole("button", { name: s.save, exact: true }), "save");
    await page.locator(`#group-rules-form-${gid} .msg.error`).getByText(w.refused).waitFor();
    assert((await api("GET", `/elections/${id}`, undefined, await admin())).district_groups[0].ballot === null, "nothing stored");
    // approval of at most two, counted by Equal Shares
    await v.select(page.locator(`#gr-type-${gid}`), "approval", "approval ballot");
    await v.fill(page.locator(`#gr-max_selections-${gid}`), "2");
    await v.select(page.locator(`#gr-rule-${gid}`), "equal_shares", "Equal Shares");
    await page.locator(`#gr-completion-${gid}`).waitFor();
    await v.shot(`staff-group-rules-${lang}.png`);
    await v.click(page.locator(`#group-rules-form-${gid}`).getByRole("button", { name: s.save, exact: true }), "save");
    await page.getByText(w.saved).first().waitFor();
    await groups.first().getByText(w.own).waitFor();
    const g = (await api("GET", `/elections/${id}`, undefined, await admin())).district_groups[0];
    assert(g.ballot.type === "approval" && g.ballot.max_selections === 2 && g.rule === "equal_shares", JSON.stringify(g));
    // and back to the election's rules
    await v.click(page.locator(`#group-rules-${gid}`), "edit again");
    assert(await page.locator(`#gr-max_selections-${gid}`).inputValue() === "2", "the form shows the group's rules");
    await v.select(page.locator(`#gr-type-${gid}`), "", "same as the election");
    await v.click(page.locator(`#group-rules-form-${gid}`).getByRole("button", { name: s.save, exact: true }), "save");
    await groups.first().getByText(w.same).waitFor();
    assert((await api("GET", `/elections/${id}`, undefined, await admin())).district_groups[0].rule === null, "the election's again");
  }
});
