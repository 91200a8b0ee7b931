// The moderation decision sent to the idea's author: from "/", a citizen signs in, sends an
// idea and ticks "tell me the decision" with an address (a wrong one is refused at the
// field first) and keeps it through an edit; staff reject the idea in /admin.html with a reason, by clicking; the message
// goes out (the server's file sender in the tests) with the reason, once; the citizen's
// "My ideas" shows the reason and the masked address, and the citizen can stop the message.
import { test, visitor, assert, PHONE, sleep } from "../lib.mjs";
import { api, admin, election, outboxSize } from "../fixtures.mjs";
import { openElection } from "../steps.mjs";
import fs from "node:fs";
import path from "node:path";

const LAPTOP = { width: 1366, height: 768 };

function outboxSince(after) {
  const file = path.join(process.env.PB_DATA_DIR || path.join(process.cwd(), "var", "test"), "outbox.log");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").slice(after) : "";
}

test("idea with 'tell me the decision': staff reject it in /admin.html, the author gets the reason", async () => {
  const title = { da: "Idéer til Kalundborg", en: "Ideas for Kalundborg" };
  const e = await election({ title, phase: null, codes: 0, proposals: [{ cost: 300000 }] });
  const t = await admin();
  await api("POST", `/elections/${e.id}/phase`, { phase: "proposals" }, t);
  const code = (await api("POST", `/elections/${e.id}/codes`, { district_id: e.districts[0].id, count: 1 }, t)).codes[0];
  const to = `idea-${process.pid}-${Date.now() % 100000}@example.dk`;
  const before = outboxSize();

  // the citizen, on a phone, from "/"
  const v = await visitor({ lang: "en", size: PHONE });
  await openElection(v, e);
  await v.click(v.link("Sign in to submit an idea"), "sign in to submit an idea");
  await v.fill(v.page.getByLabel("Voting code", { exact: true }), code, "type the voting code");
  await v.click(v.button("Continue"), "sign in");
  await v.heading("My ideas").waitFor();
  await v.click(v.link("Submit an idea"), "open the idea form");
  await v.heading("Submit an idea").waitFor();
  await v.fill(v.page.getByLabel("Title", { exact: true }), "A bike shed at the station", "type the title");
  await v.fill(v.page.getByLabel("Description", { exact: true }), "Room for forty bikes, under a roof.", "type the description");
  // the municipality sends e-mail and SMS (the server's own sender): both are offered
  const ask = v.page.getByLabel("Tell me the municipality's decision by e-mail or SMS");
  assert(!(await ask.isChecked()), "not asked for unless ticked");
  await v.click(ask, "tick: tell me the decision");
  const address = v.page.getByLabel("Your e-mail address or mobile number");
  await v.fill(address, "not an address", "type something that is no address");
  await v.click(v.button("Send idea"), "send the idea");
  await v.see("Type an e-mail address or a mobile number.");
  assert(await v.page.evaluate(() => document.activeElement.id) === "idea-notify-to", "the address field has the focus");
  await v.fill(address, to, "type the e-mail address");
  await v.shot("citizen-idea-notify.png");
  await v.click(v.button("Send idea"), "send the idea");
  await v.heading("My ideas").waitFor();
  await v.see("Thank you! Your idea has been received.");
  await v.see("We will tell you the decision at i***@example.dk.");
  assert(!(await v.page.content()).includes(to), "the address is not shown back in clear");
  // an edit keeps it: the form says where the decision goes, ticked, the field left empty
  await v.click(v.link("Edit “A bike shed at the station”"), "edit the idea");
  await v.heading("Edit your idea").waitFor();
  await v.see("We will tell you the decision at i***@example.dk.");
  assert(await v.page.getByLabel("Tell me the municipality's decision by e-mail or SMS").isChecked(), "still asked for");
  assert(await v.page.getByLabel("Your e-mail address or mobile number").inputValue() === "", "the address is not in the form");
  await v.fill(v.page.getByLabel("Description", { exact: true }), "Room for forty bikes, under a roof, with a pump.", "change the description");
  await v.click(v.button("Save changes"), "save the changes");
  await v.heading("My ideas").waitFor();
  await v.see("Your changes are saved.");
  await v.see("We will tell you the decision at i***@example.dk.");
  assert(!(await v.page.content()).includes(to), "the address is not shown back in clear");

  // staff, in /admin.html, by clicking
  const s = await visitor({ lang: "en", size: LAPTOP });
  await s.start("admin.html");
  await s.fill(s.page.getByLabel("E-mail"), process.env.PB_ADMIN_EMAIL);
  await s.fill(s.page.getByLabel("Password", { exact: true }), process.env.PB_ADMIN_PASSWORD);
  await s.click(s.button("Sign in"), "sign in");
  await s.click(s.link(title.en), "open the election");
  await s.click(s.link("Proposals"), "to the proposals");
  const queue = s.page.locator("#queue");
  await queue.getByRole("cell", { name: "A bike shed at the station", exact: true }).waitFor();
  await s.click(queue.getByRole("button", { name: "Reject: A bike shed at the station" }), "reject");
  await s.fill(s.page.getByLabel("Reason (the author reads it)"), "The station square is rebuilt next year, with a bike shed.", "type the reason");
  await s.click(s.button("Reject the proposal"), "reject with the reason");
  await queue.getByRole("cell", { name: "A bike shed at the station", exact: true }).waitFor({ state: "detached" }).catch(async () => {
    await s.page.getByText("No ideas are waiting for review.").waitFor();
  });

  // the message: once, with the decision and the reason, in the page's language
  let sent = "";
  for (let i = 0; i < 100 && !sent.includes(to); i++) { await sleep(100); sent = outboxSince(before); }
  assert(sent.includes(to), "the decision was sent to the author's address");
  await sleep(1500);
  sent = outboxSince(before);
  const mine = sent.split("\n").filter((l) => l.startsWith(to));
  assert(mine.length === 1, "one message: " + sent.slice(-1500));
  const text = sent.slice(sent.indexOf(to), sent.indexOf(to) + 1200);
  assert(text.includes("has been rejected") && text.includes("Reason: The station square is rebuilt next year"), "the decision and its reason: " + text);

  // the citizen's "My ideas" shows the reason; the message can be stopped
  await v.reload();
  await v.heading("My ideas").waitFor();
  await v.see("Not accepted");
  await v.see("The station square is rebuilt next year, with a bike shed.");
  await v.click(v.button("Stop telling me: A bike shed at the station"), "stop the message");
  await v.see("You will not be told the decision on “A bike shed at the station”.");
  await v.shot("citizen-my-ideas-notify.png");
});
