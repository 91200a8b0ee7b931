// Observers sign in on the observer page, follow turnout while voting is open (and only
// turnout), read the results by project name, check the audit chain in the browser (and see a
// tampered entry named), download every export with its name, type and signature, and come
// back to the sign-in form with a message in words when the session has ended.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { test, visitor, assert, DESKTOP, PHONE } from "../lib.mjs";
import { election, api, admin, staffOf, sql, closeCountPublish } from "../fixtures.mjs";

const twoDistricts = [{ name: { da: "Nordby", en: "North Town" }, budget: 10000000 },
                      { name: { da: "Sydby", en: "South Town" }, budget: 5000000 }];

async function vote(e, district, i, choose) {
  const t = (await api("POST", `/elections/${e.id}/voter-sessions`, { method: "code", code: e.codes[district][i] })).token;
  await api("PUT", `/elections/${e.id}/ballot`, { approvals: choose.map((p) => p.id) }, t);
}

async function signInAsObserver(v, who) {
  await v.click(v.link("Observer sign-in"), "to the sign-in form");
  await v.fill(v.page.getByLabel("E-mail"), who.email);
  await v.fill(v.page.getByLabel("Password"), who.password);
  await v.click(v.button("Sign in"), "sign in");
}

async function download(v, locator) {
  const [d] = await Promise.all([v.page.waitForEvent("download"), locator.click()]);
  await v.check("download");
  return { name: d.suggestedFilename(), text: fs.readFileSync(await d.path(), "utf8") };
}

test("an observer signs in on the observer page, sees turnout only while voting, then results by name, the checked audit chain and every signed export", async () => {
  const e = await election({ title: { da: "Observeret budget", en: "Observed budget" }, districts: twoDistricts,
    proposals: [{ d: 0, cost: 4000000, title: { da: "Legeplads", en: "Playground" } }, { d: 0, cost: 3000000, title: { da: "Cykelsti", en: "Cycle path" } },
                { d: 1, cost: 2000000, title: { da: "Bænke", en: "Benches" } }], codes: 3 });
  const who = await staffOf(e, "observer");
  await vote(e, 0, 0, [e.props[0]]);
  await vote(e, 0, 1, [e.props[0], e.props[1]]);
  await vote(e, 1, 0, [e.props[2]]);

  const v = await visitor({ lang: "en", size: DESKTOP, downloads: true });
  await v.start("observer.html");
  await signInAsObserver(v, who);
  await v.click(v.link("Observed budget"), "open the election");
  // while voting is open: turnout by district and by hour, said plainly that nothing more is shown
  await v.see("Voting is open. Until it closes nobody");
  const byDistrict = v.page.locator("table.bars").first();
  assert(await byDistrict.getByRole("row", { name: /North Town/ }).locator("td").last().innerText() === "2", "2 ballots in North Town");
  assert(await byDistrict.getByRole("row", { name: /South Town/ }).locator("td").last().innerText() === "1", "1 ballot in South Town");
  await v.page.getByRole("table", { name: "By hour" }).waitFor();
  assert(await v.page.getByRole("heading", { name: "Exports" }).count() === 0, "no exports while voting is open");
  assert(await v.page.getByRole("heading", { name: "Results" }).count() === 0, "no results while voting is open");
  await v.page.getByText(/Chain intact up to entry \d+/).waitFor();
  // the chart reads on a phone too
  await v.page.setViewportSize(PHONE);
  v.size = PHONE;
  await v.check("turnout on a phone");
  await v.page.setViewportSize(DESKTOP);
  v.size = DESKTOP;

  // closed and counted, not yet published: results by name, the exports open for the observer
  const t = await admin();
  await api("POST", `/elections/${e.id}/phase`, { phase: "closed" }, t);
  await api("POST", `/elections/${e.id}/tally`, {}, t);
  await v.reload();
  await v.see("Counted but not yet published");
  const results = v.page.locator("table.results-table").first();
  await results.getByRole("row", { name: /Playground/ }).getByText("✓ Funded").waitFor();
  await results.getByRole("row", { name: /Cycle path/ }).getByText("✓ Funded").waitFor();
  await v.see("Spent DKK 70,000 of DKK 100,000 (DKK 30,000 left).");
  assert(!/#\d+/.test(await v.page.locator("main").innerText()), "no project is shown by its number");
  await v.shot("observer-results.png");

  const north = e.districts[0].id;
  const pb = await download(v, v.page.locator(`button[data-url$='format=pb&district=${north}']`));
  assert(pb.name === `election-${e.id}-district-${north}.pb`, "the pabulib file is named .pb: " + pb.name);
  assert(pb.text.startsWith("META") && pb.text.includes("Legeplads"), "a pabulib file with the project names (in the election's language)");
  const sig = await download(v, v.page.locator(`button[data-sig='${pb.name}']`));
  assert(sig.name === pb.name + ".sig", "the signature is offered as FILE.sig: " + sig.name);
  await v.page.getByText(/Public key/).click();
  const key = await download(v, v.button("Save key.pem"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "observer-"));
  for (const f of [pb, sig, key]) fs.writeFileSync(path.join(dir, f.name), f.text);
  const tool = path.join(process.cwd(), "build", "pbtally");
  const winners = execFileSync(tool, ["--verify", key.name, "--signature", sig.name, pb.name], { cwd: dir, encoding: "utf8" });
  assert(winners.split(/\s+/).filter(Boolean).sort().join() === [e.props[0].id, e.props[1].id].sort().join(), "pbtally verifies and recounts the download: " + winners);
  const csv = await download(v, v.page.locator(`button[data-url$='format=csv&kind=ballots&district=${north}']`));
  assert(csv.name === `election-${e.id}-district-${north}-ballots.csv` && csv.text.startsWith("ballot,"), "ballots as .csv: " + csv.name);
  const json = await download(v, v.page.locator(`button[data-url$='/export?format=json']`));
  assert(json.name === `election-${e.id}.json` && JSON.parse(json.text).districts.length === 2, "the election as .json: " + json.name);
  const manifest = await download(v, v.page.locator(`button[data-url$='format=manifest']`));
  assert(manifest.name.endsWith(".json") && JSON.parse(manifest.text).files.length === 2 + 4 * 2, "the manifest: " + manifest.name);

  // the same page in Danish
  await v.select(v.page.getByLabel("Language"), "da", "to Danish");
  await v.page.getByText(/Kæden er intakt til og med post \d+/).waitFor();
  await v.see("Optalt, men ikke offentliggjort");
  await v.select(v.page.getByLabel("Sprog"), "en", "back to English");

  // a tampered entry: the browser's own check names it
  const entries = (await api("GET", `/elections/${e.id}/audit`, undefined, t)).entries;
  const victim = entries[1].seq;
  sql(`UPDATE audit_log SET details = '{"budget": 1}' WHERE seq = ${victim}`);
  await v.reload();
  await v.page.getByText(`The chain is broken at entry ${victim}: the entry was changed after it was written`).waitFor();
  await v.page.locator(`#audit-${victim}`).getByText("✗ broken").waitFor();
  await v.shot("observer-broken-chain.png");

  // the session ends (expired, or signed out elsewhere): back to the form, said in words
  await v.page.evaluate(() => sessionStorage.setItem("pb-staff", "expired-" + "0".repeat(40)));
  v.expectHttp(401, "/staff/me");
  await v.reload();
  await v.heading("Observer sign-in").waitFor();
  await v.see("Your session has ended");
  await v.fill(v.page.getByLabel("E-mail"), who.email);
  await v.fill(v.page.getByLabel("Password"), who.password);
  await v.click(v.button("Sign in"), "sign in again");
  await v.heading("Observed budget").waitFor();
  await v.click(v.button("Sign out"), "sign out");
  await v.see("You have signed out.");
});

test("the public reads published results and downloads the exports without signing in; an unknown election is said so", async () => {
  const e = await election({ title: { da: "Offentligt budget", en: "Public budget" }, proposals: [{ cost: 4000000 }, { cost: 3000000 }], codes: 2 });
  await vote(e, 0, 0, [e.props[0]]);
  await vote(e, 0, 1, [e.props[1]]);
  await closeCountPublish(e);
  const v = await visitor({ lang: "da", size: PHONE, downloads: true });
  await v.start("observer.html");
  await v.click(v.link("Offentligt budget"));
  await v.heading(/Opslagstavle/).waitFor();
  await v.see("Resultaterne er offentliggjort.");
  await v.see("Log ind som observatør for at læse og kontrollere revisionsloggen.");
  const pb = await download(v, v.page.locator("button[data-url*='format=pb']").first());
  assert(pb.name.endsWith(".pb") && pb.text.startsWith("META"), "a pabulib file: " + pb.name);
  v.expectHttp(404, "/elections/987654321");
  await v.goto(v.page.url().replace(/#.*/, "#/e/987654321"));
  await v.see("Der findes ingen afstemning med dette nummer.");
});
