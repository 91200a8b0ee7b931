// The projector screen: says how fresh its figures are, warns in large letters when the
// server cannot be reached (instead of showing old turnout as live), names a missing or
// unknown election, and keeps one refresh loop whatever the address changes.
import { test, visitor, assert, sleep, DESKTOP } from "../lib.mjs";
import { election, api } from "../fixtures.mjs";

test("the projector screen shows when it last updated, warns when the server is gone, and names a wrong address", async () => {
  const e = await election({ title: { da: "Projektorbudget", en: "Projector budget" }, proposals: [{ cost: 4000000 }], codes: 2 });
  const other = await election({ title: { da: "Andet budget", en: "Other budget" }, proposals: [{ cost: 1000000 }], codes: 1 });
  const v = await visitor({ lang: "en", size: DESKTOP });
  await v.start("live.html");
  await v.see("No election chosen.");
  v.expectHttp(404, "/elections/987654321");
  await v.goto(v.page.url() + "#/e/987654321");
  await v.see("There is no election with number 987654321.");
  await v.goto(v.page.url().replace(/#.*/, `#/e/${e.id}`));
  await v.heading("Projector budget").waitFor();
  await v.page.getByText(/^Last updated \d\d:\d\d:\d\d$/).waitFor();
  await v.see("0 ballots");

  // a vote arrives: the next refresh shows it
  const t = (await api("POST", `/elections/${e.id}/voter-sessions`, { method: "code", code: e.codes[0][0] })).token;
  await api("PUT", `/elections/${e.id}/ballot`, { approvals: [e.props[0].id] }, t);
  await v.page.getByText("1 ballot", { exact: true }).waitFor({ timeout: 15000 });
  const stamp = await v.page.locator("#stamp").innerText();

  // the server is gone: every API call is refused
  await v.page.route("**/api/v1/**", (route) => route.abort("connectionrefused"));
  for (let i = 0; i < 4; i++) v.expectHttp(0, "/api/v1/elections/");
  await v.page.getByText(/The server cannot be reached\. These figures are from \d\d:\d\d:\d\d/).waitFor({ timeout: 15000 });
  assert((await v.page.locator("#offline").innerText()).includes(stamp.replace("Last updated ", "")), "the warning names the time of the figures shown");
  assert(await v.page.evaluate(() => document.body.classList.contains("stale")), "the old figures are dimmed");
  await v.shot("live-offline.png");
  await v.check("the server is gone");
  // and back: the warning goes
  await v.page.unroute("**/api/v1/**");
  await v.page.locator("#offline").waitFor({ state: "detached", timeout: 15000 });
  v.allowed.splice(0);   // however many refreshes failed meanwhile
  await v.check("the server is back");

  // switching elections many times leaves one refresh loop: about one turnout call per 10 s
  for (let i = 0; i < 5; i++) {
    await v.page.evaluate((id) => { location.hash = `#/e/${id}`; }, i % 2 ? e.id : other.id);
    await sleep(100);
  }
  await v.heading("Other budget").waitFor();
  let calls = 0;
  const count = (r) => { if (r.url().includes("/turnout")) calls++; };
  v.page.on("request", count);
  await sleep(10500);
  v.page.off("request", count);
  assert(calls >= 1 && calls <= 2, `one refresh loop (turnout fetched ${calls} times in 10.5 s)`);
  await v.check("after switching");

  // a projector started while the server is down says so, and shows no figures at all
  const cold = await visitor({ lang: "da", size: DESKTOP });
  await cold.page.route("**/api/v1/**", (route) => route.abort("connectionrefused"));
  cold.expectHttp(0, `/api/v1/elections/${e.id}`);
  await cold.start(`live.html#/e/${e.id}`);
  await cold.page.getByText("Serveren kan ikke nås; prøver igen.").waitFor();
  assert(!(await cold.page.locator("main").innerText()).match(/stemme/), "no turnout is shown");
});
