// Printable voting cards: an administrator makes codes for a district and gets print-ready A4
// sheets, 8 cards each with cut lines, the district, the full address, instructions and the
// deadline in the election's languages; the saved file is styled when opened from disk.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test, visitor, assert, DESKTOP } from "../lib.mjs";
import { election, api } from "../fixtures.mjs";

test("staff make voting codes and print them as cards, 8 to an A4 sheet, in the election's languages", async () => {
  const e = await election({ title: { da: "Kortbudget", en: "Card budget" }, proposals: [{ cost: 4000000 }], codes: 0, phase: null,
    districts: [{ name: { da: "Vestegnen", en: "West End" }, budget: 10000000 }] });
  const admin = (await api("POST", "/staff/login", { email: process.env.PB_ADMIN_EMAIL, password: process.env.PB_ADMIN_PASSWORD })).token;
  await api("PATCH", `/elections/${e.id}`, { phases: { closed: "2031-06-01T18:00:00+02:00" } }, admin);
  await api("POST", `/elections/${e.id}/phase`, { phase: "voting" }, admin);
  const v = await visitor({ lang: "en", size: DESKTOP, downloads: true });
  await v.start("admin.html");
  await v.fill(v.page.getByLabel("E-mail"), process.env.PB_ADMIN_EMAIL);
  await v.fill(v.page.getByLabel("Password", { exact: true }), process.env.PB_ADMIN_PASSWORD);
  await v.click(v.button("Sign in"));
  await v.heading("New election").waitFor();
  await v.click(v.page.getByRole("link", { name: "Card budget" }).first());
  await v.click(v.page.getByRole("link", { name: /Voters|Vælgere/ }).first());
  await v.click(v.link("Print voting cards (8 per A4 sheet)"));
  await v.heading("Voting cards: Card budget").waitFor();
  await v.fill(v.page.getByLabel("How many codes"), "0");
  await v.click(v.button("Make codes and cards"), "a count of 0");
  await v.see("Type a whole number from 1 to 20,000.");
  await v.fill(v.page.getByLabel("How many codes"), "10");
  await v.dblclick(v.button("Make codes and cards"), "make cards (a double click)");
  await v.see("10 codes were made for West End. Print the cards now.");
  const sheets = v.page.locator(".sheet");
  assert(await sheets.count() === 2 && await sheets.nth(0).locator(".vcard").count() === 8 && await sheets.nth(1).locator(".vcard").count() === 2,
    "10 cards on two sheets, 8 on the first");
  const card = v.page.locator(".vcard").first();
  const text = await card.innerText();
  const url = new URL(v.page.url()).origin + `/#/e/${e.id}`;
  for (const s of ["Din stemmekode til Kortbudget", "Område: Vestegnen", `Gå til ${url}`, "Your voting code for Card budget", "District: West End", `Go to ${url}`, "only your last vote counts"])
    assert(text.includes(s), `the card says "${s}": ${text}`);
  assert(text.includes("Stem senest 1. juni 2031") && text.includes("Vote by 1 June 2031"), "the card gives the deadline: " + text);
  const code = await card.locator(".vcode").innerText();
  // the codes on the cards work, and the double click made one batch only
  const codes = (await api("GET", `/elections/${e.id}/turnout`, undefined, admin)).districts[0].codes;
  assert(codes === 10, `one batch of 10 codes (not ${codes})`);
  await api("POST", `/elections/${e.id}/voter-sessions`, { method: "code", code });
  // printed: A4 sheets of 2 × 4 cards of 95 × 69 mm, nothing else on the paper
  await v.page.emulateMedia({ media: "print" });
  const box = await card.boundingBox();
  const mm = 96 / 25.4;
  assert(Math.abs(box.width - 95 * mm) < 2 && Math.abs(box.height - 69 * mm) < 2, `a card is 95 × 69 mm (${box.width / mm} × ${box.height / mm})`);
  assert(!(await v.page.locator("#cards-form").isVisible()) && !(await v.page.locator("header.top").isVisible()), "only the cards are printed");
  await v.page.emulateMedia({ media: "screen" });
  await v.shot("voting-cards.png");
  // saved as a file, the cards keep their style when opened from disk
  const [d] = await Promise.all([v.page.waitForEvent("download"), v.button("Save as a file").click()]);
  await v.check("save the cards");
  assert(/^voting-cards-.*\.html$/.test(d.suggestedFilename()), "an .html file: " + d.suggestedFilename());
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cards-")), d.suggestedFilename());
  fs.copyFileSync(await d.path(), file);
  assert(fs.readFileSync(file, "utf8").includes("<style>"), "the style is inside the file");
  const disk = await v.newTab();
  await disk.page.goto("file://" + file);
  const grid = await disk.page.locator(".sheet").first().evaluate((el) => getComputedStyle(el).display);
  assert(grid === "grid" && await disk.page.locator(".vcard").count() === 10, "the file opened from disk shows styled cards");
  await disk.page.close();
});
