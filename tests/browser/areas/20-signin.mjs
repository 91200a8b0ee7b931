// Signing in: the methods the election offers, voting codes, the voter register, one-time
// codes, and what happens when a session has ended.
import { test, visitor, assert, NARROW } from "../lib.mjs";
import { api, election, uploadRegister, methodsOf, sentCode, outboxSize } from "../fixtures.mjs";
import { toSignIn, signInWithCode, tokenOf, say } from "../steps.mjs";

const methodNames = { code: "Voting code", register: "Personal number and birth date", otp: "One-time code by text/e-mail" };

// An election with voting codes and a register (with contacts unless told otherwise).
async function registerElection(title, contacts = true) {
  const e = await election({ title, proposals: [{ cost: 2000000 }, { cost: 3000000 }] });
  const d = e.districts[0].id;
  await uploadRegister(e, `personal_id,birth_date,postcode,district_id,contact\n` +
    `010190-1234,1990-01-01,7100,${d},${contacts ? "+4512345678" : ""}\n020285-4321,1985-02-02,,${d},${contacts ? "borger@example.dk" : ""}\n`);
  return e;
}

// The tabs the sign-in page shows are exactly the methods the server names, in order.
async function tabsAre(v, methods) {
  for (const [m, name] of Object.entries(methodNames)) {
    if (methods.length === 1) assert(!(await v.button(name).count()), `no tab "${name}" when there is one method`);
    else assert(!!(await v.button(name).count()) === methods.includes(m), `tab "${name}" shown exactly when offered (${methods})`);
  }
}

test("only the sign-in methods the election offers are shown", async () => {
  // voting codes only: no register, so no register or one-time-code tab, and no tabs at all
  const e = await election({ title: { da: "Kun koder", en: "Codes only" }, proposals: [{ cost: 100000 }] });
  assert(JSON.stringify(await methodsOf(e)) === '["code"]', "the server offers codes only: " + await methodsOf(e));
  const v = await visitor({ lang: "en" });
  await toSignIn(v, e);
  await tabsAre(v, ["code"]);
  await v.page.getByLabel("Voting code", { exact: true }).waitFor();
  // codes and a register without contacts: no one-time codes
  const r = await registerElection({ da: "Kode og register", en: "Code and register" }, false);
  assert(JSON.stringify(await methodsOf(r)) === '["code","register"]', "codes and the register: " + await methodsOf(r));
  const w = await visitor({ lang: "en", size: NARROW });
  await toSignIn(w, r);
  await tabsAre(w, ["code", "register"]);
  // nothing handed out yet: the page says so instead of offering a form that cannot work
  const n = await election({ title: { da: "Ingen vej ind", en: "No way in yet" }, proposals: [{ cost: 100000 }], codes: 0 });
  assert(JSON.stringify(await methodsOf(n)) === "[]", "no method yet: " + await methodsOf(n));
  const x = await visitor({ lang: "da" });
  await toSignIn(x, n, "da");
  await x.see("Du kan ikke logge ind til denne afstemning endnu");
  assert(!(await x.page.locator("main input").count()), "no form to fill");
});

test("register sign-in in Danish: the fields are there, mistakes are said in Danish, and the right details sign in", async () => {
  const e = await registerElection({ da: "Registerbudget", en: "Register budget" });
  const v = await visitor({ lang: "da", size: NARROW });
  assert((await methodsOf(e)).includes("register"), "the election offers the register");
  await toSignIn(v, e, "da");
  await v.click(v.button("CPR-nummer og fødselsdato"), "the register tab");
  const id = v.page.getByLabel("CPR-nummer", { exact: true });
  const birth = v.page.getByLabel(/^Fødselsdato/);
  await v.fill(id, "010190-1234");
  await v.click(v.button("Fortsæt"), "send without a birth date");
  await v.see("Skriv din fødselsdato");
  assert(await birth.getAttribute("aria-invalid") === "true", "the birth date field is marked");
  assert(!(await v.text(/Give|personal_id|birth_date/).count()), "no developer message from the server");
  await v.fill(birth, "1990-01-02");
  v.expectHttp(401, "/voter-sessions");
  await v.click(v.button("Fortsæt"), "details that do not match");
  await v.see("Oplysningerne passer ikke med vælgerregistret");
  await v.shot("citizen-signin-register-da.png");
  await v.fill(birth, "01-01-1990");                 // the Danish way of writing it works too
  await v.fill(v.page.getByLabel(/^Postnummer/), "7100");
  await v.click(v.button("Fortsæt"), "sign in from the register");
  await v.heading("Din stemmeseddel").waitFor();
});

test("one-time code: Send code says where it went without telling whether the address is known, then the code signs in", async () => {
  const e = await registerElection({ da: "Engangskodebudget", en: "One-time code budget" });
  const v = await visitor({ lang: "en" });
  assert(JSON.stringify(await methodsOf(e)) === '["code","register","otp"]', "the election offers all three");
  await toSignIn(v, e);
  await tabsAre(v, ["code", "register", "otp"]);
  await v.click(v.button(methodNames.otp), "the one-time code tab");
  const contact = v.page.getByLabel("Phone or e-mail");
  await v.fill(contact, "nobody@example.org");
  await v.click(v.button("Send code"), "send a code to an unknown address");
  const sentText = "We sent a code to the e-mail address or phone number you gave, if it is in the register.";
  await v.see(sentText);
  assert(await v.live() !== "", "the confirmation is said in the live region");
  const unknownAnswer = await v.page.locator("main").innerText();
  const before = outboxSize();
  await v.fill(contact, "+4512345678");
  await v.click(v.button("Send code"), "send a code to the voter's phone");
  await v.see(sentText);
  assert((await v.page.locator("main").innerText()) === unknownAnswer, "known and unknown addresses get the same answer");
  assert(await v.page.evaluate(() => document.activeElement.id) === "o-code", "the focus is on the code field");
  const code = await sentCode("+4512345678", before);
  await v.fill(v.page.getByLabel("One-time code", { exact: true }), code);
  await v.click(v.button("Continue"), "sign in with the one-time code");
  await v.heading("Your ballot").waitFor();
});

test("a signed-out or expired session leads back to sign-in, says why, and forgets the token", async () => {
  const e = await election({ title: { da: "Udløbet budget", en: "Expired session budget" }, proposals: [{ cost: 2000000 }, { cost: 3000000 }] });
  const v = await visitor({ lang: "en" });
  await signInWithCode(v, e, e.codes[0][0]);
  await v.click(v.page.locator(`#p-${e.props[0].id}`), "choose one");
  // the session ends elsewhere (signed out, or its two hours ran out)
  const token = await tokenOf(v, e);
  await api("DELETE", `/elections/${e.id}/voter-sessions/current`, undefined, token);
  await v.click(v.button(say.en.review), "review");
  v.expectHttp(401, "/ballot");
  await v.click(v.button(say.en.cast), "cast with an ended session");
  await v.heading("Sign in").waitFor();
  await v.see("Your session has ended. Sign in again to vote.");
  assert(await tokenOf(v, e) === null, "the stale token is gone");
  // a reload of the ballot with a stale token does the same
  await signInWithCode(v, e, e.codes[0][0]);
  await api("DELETE", `/elections/${e.id}/voter-sessions/current`, undefined, await tokenOf(v, e));
  v.expectHttp(401, "/voter-sessions/current");   // the ballot page asks first whether the session holds
  await v.reload();
  await v.heading("Sign in").waitFor();
  await v.see("Your session has ended. Sign in again to vote.");
  assert(await tokenOf(v, e) === null, "the stale token is gone after a reload too");
});
