// Turnout by age and area on the observer page: from the register, ages on the day voting
// opened, small groups hidden (and said so), in Danish.
import { test, visitor, assert, DESKTOP } from "../lib.mjs";
import { election, api, admin, staffOf, uploadRegister } from "../fixtures.mjs";

test("an observer reads turnout by age and area, with a small group hidden", async () => {
  const e = await election({ title: { da: "Aldersbudget", en: "Age budget" }, proposals: [{ cost: 4000000 }], phase: null, codes: 0 });
  const d = e.districts[0].id;
  const rows = [];
  for (let i = 0; i < 24; i++) rows.push(`4000${String(i).padStart(2, "0")}-0001,1986-04-01,${d},Vest`);
  for (let i = 0; i < 4; i++) rows.push(`2000${String(i).padStart(2, "0")}-0001,2004-09-09,${d},Øst`);
  for (let i = 0; i < 20; i++) rows.push(`5000${String(i).padStart(2, "0")}-0001,1986-04-01,${d},Nord`);
  await uploadRegister(e, "personal_id,birth_date,district_id,area\n" + rows.join("\n") + "\n");
  await api("POST", `/elections/${e.id}/phase`, { phase: "voting" }, await admin());
  // Vest: 12 of 24; Øst: 3 of 4 (too few: hidden); Nord: 10 of 20 (hidden too, or Øst's 3
  // would follow from the total)
  const people = [...rows.slice(0, 12), ...rows.slice(24, 27), ...rows.slice(28, 38)].map((r) => r.split(","));
  for (const [pid, birth] of people) {
    const t = (await api("POST", `/elections/${e.id}/voter-sessions`, { method: "register", register: { personal_id: pid, birth_date: birth } })).token;
    await api("PUT", `/elections/${e.id}/ballot`, { approvals: [e.props[0].id] }, t);
  }
  const who = await staffOf(e, "observer");
  const v = await visitor({ lang: "da", size: DESKTOP });
  await v.start("observer.html");
  await v.click(v.link("Log ind som observatør"), "to the sign-in form");
  await v.fill(v.page.getByLabel("E-mail"), who.email);
  await v.fill(v.page.getByLabel("Adgangskode"), who.password);
  await v.click(v.button("Log ind"), "sign in");
  await v.click(v.link("Aldersbudget"), "open the election");
  await v.see("Deltagelse efter alder og område");
  const byArea = v.page.locator("table.bars", { has: v.page.locator("caption", { hasText: "Efter område" }) });
  const vest = await byArea.getByRole("row", { name: /Vest/ }).innerText();
  assert(/24/.test(vest) && /12/.test(vest) && /50\s?%/.test(vest), "Vest: 12 of 24 voted: " + vest);
  const ost = await byArea.getByRole("row", { name: /Øst/ }).innerText();
  assert(ost.includes("skjult (for få)") && !/\b3\b/.test(ost), "Øst (3 voters) is hidden: " + ost);
  const nord = await byArea.getByRole("row", { name: /Nord/ }).innerText();
  assert(nord.includes("skjult (for få)"), "Nord is hidden as well, so Øst cannot be worked out: " + nord);
  await v.shot("observer-demographics-da.png");
});

test("the staff overview shows turnout by district and hour, and by age and area, with small groups hidden", async () => {
  const e = await election({ title: { da: "Aldersbudget stab", en: "Age budget staff" }, proposals: [{ cost: 4000000 }], phase: null, codes: 0 });
  const d = e.districts[0].id;
  const rows = [];
  for (let i = 0; i < 12; i++) rows.push(`6100${String(i).padStart(2, "0")}-0001,1970-02-02,${d},Vest`);
  for (let i = 0; i < 3; i++) rows.push(`6200${String(i).padStart(2, "0")}-0001,2001-02-02,${d},Øst`);
  await uploadRegister(e, "personal_id,birth_date,district_id,area\n" + rows.join("\n") + "\n");
  await api("POST", `/elections/${e.id}/phase`, { phase: "voting" }, await admin());
  for (const r of rows.slice(0, 11)) {
    const [pid, birth] = r.split(",");
    const t = (await api("POST", `/elections/${e.id}/voter-sessions`, { method: "register", register: { personal_id: pid, birth_date: birth } })).token;
    await api("PUT", `/elections/${e.id}/ballot`, { approvals: [e.props[0].id] }, t);
  }
  const v = await visitor({ lang: "da", size: DESKTOP });
  await v.start("admin.html");
  await v.fill(v.page.getByLabel("E-mail"), process.env.PB_ADMIN_EMAIL);
  await v.fill(v.page.getByLabel("Adgangskode", { exact: true }), process.env.PB_ADMIN_PASSWORD);
  await v.click(v.button("Log ind"), "sign in");
  await v.click(v.link("Aldersbudget stab"), "open the election");
  await v.see("Deltagelse efter alder og område");
  const byArea = v.page.locator("table.bars", { has: v.page.locator("caption", { hasText: "Efter område" }) });
  const ost = await byArea.getByRole("row", { name: /Øst/ }).innerText();
  assert(ost.includes("skjult (for få)"), "Øst (3 people) is hidden: " + ost);
  const vest = await byArea.getByRole("row", { name: /Vest/ }).innerText();
  assert(vest.includes("skjult (for få)") && !/\b11\b/.test(vest), "Vest is hidden too, or Øst would follow from the total: " + vest);
  await v.see("11 stemmer");
  await v.shot("staff-overview-demographics-da.png");
});
