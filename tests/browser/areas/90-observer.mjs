// Observers follow an election and download its signed exports.
import fs from "node:fs";
import { test, visitor, assert, DESKTOP } from "../lib.mjs";
import { election, closeCountPublish, api } from "../fixtures.mjs";

test("an observer downloads a signed export", async () => {
  const e = await election({ title: { da: "Observeret budget", en: "Observed budget" }, proposals: [{ cost: 4000000 }, { cost: 3000000 }], codes: 2 });
  for (const [i, code] of e.codes[0].entries()) {
    const t = (await api("POST", `/elections/${e.id}/voter-sessions`, { method: "code", code })).token;
    await api("PUT", `/elections/${e.id}/ballot`, { approvals: [e.props[i].id] }, t);
  }
  await closeCountPublish(e);
  const v = await visitor({ lang: "en", size: DESKTOP, downloads: true });
  await v.start("observer.html");
  await v.click(v.link("Observed budget"));
  await v.heading(/Bulletin board: 2 counted ballots/).waitFor();
  await v.shot("observer.png");
  const [download] = await Promise.all([v.page.waitForEvent("download"), v.page.locator("button[data-url*='format=pb']").first().click()]);
  await v.check("download");
  const text = fs.readFileSync(await download.path(), "utf8");
  assert(text.startsWith("META") && text.includes("PROJECTS") && text.includes("VOTES"), "a pabulib file was downloaded");
});
