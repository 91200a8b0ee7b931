// The receipt's tools: copy (Clipboard API, with a confirmation), print (the print stylesheet
// keeps the tracker and its QR code), a QR code of the bulletin-board address drawn in the page
// (decoded here with jsQR and followed), the receipt by e-mail, and sign-out in the header.
import fs from "node:fs";
import path from "node:path";
import jsQR from "jsqr";
import { test, visitor, assert, base, sleep } from "../lib.mjs";
import { election, api } from "../fixtures.mjs";
import { signInWithCode, reviewAndCast, tokenOf } from "../steps.mjs";
import { T, tr } from "../texts.mjs";

const two = [{ cost: 3000000 }, { cost: 2000000 }];

// The QR code on the page as text: its modules (the SVG's rects) painted 4 pixels each, read by jsQR.
async function readQr(v) {
  const { size, rects } = await v.page.locator("svg.qr").evaluate((svg) => ({
    size: svg.viewBox.baseVal.width,
    rects: [...svg.querySelectorAll("rect")].map((r) => ["x", "y", "width", "height", "fill"].map((a) => r.getAttribute(a))) }));
  const px = 4, w = size * px, data = new Uint8ClampedArray(w * w * 4);
  for (const [x, y, rw, rh, fill] of rects) {
    const c = fill === "#000" ? 0 : 255;
    for (let yy = (+y || 0) * px; yy < ((+y || 0) + +rh) * px; yy++)
      for (let xx = (+x || 0) * px; xx < ((+x || 0) + +rw) * px; xx++) data.set([c, c, c, 255], (yy * w + xx) * 4);
  }
  const code = jsQR(data, w, w);
  return code && code.data;
}

async function outboxHas(contact, text) {
  const outbox = path.join(process.env.PB_DATA_DIR || path.join(process.cwd(), "var", "test"), "outbox.log");
  for (let i = 0; i < 100; i++) {
    const lines = fs.existsSync(outbox) ? fs.readFileSync(outbox, "utf8").split("\n") : [];
    if (lines.some((l) => l.startsWith(contact + "\t") && l.includes(text))) return true;
    await sleep(100);
  }
  return false;
}

test("the receipt: copy with a confirmation, print, a QR code that leads to the bulletin board, e-mail to oneself, then sign out (English)", async () => {
  const e = await election({ title: { da: "Kvitteringsværktøjer", en: "Receipt tools" }, proposals: two, codes: 1 });
  const v = await visitor({ lang: "en" });
  await v.ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  await signInWithCode(v, e, e.codes[0][0]);
  await v.click(v.page.locator(`#p-${e.props[0].id}`));
  const tracker = await reviewAndCast(v);
  const token = await tokenOf(v, e);

  await v.click(v.button(T.en.copyTracker), "copy the receipt");
  await v.see(T.en.copied);
  assert(await v.page.evaluate(() => navigator.clipboard.readText()) === tracker, "the clipboard holds the tracker");

  await v.page.evaluate(() => { window.printed = 0; window.print = () => { window.printed++; }; });
  await v.click(v.button(T.en.printReceipt), "print");
  assert(await v.page.evaluate(() => window.printed) === 1, "Print opens the browser's print dialog");
  await v.page.emulateMedia({ media: "print" });
  assert(await v.page.locator("#tracker").isVisible() && await v.page.locator("svg.qr").isVisible(), "the printout has the tracker and the QR code");
  assert(!(await v.page.locator("header.top").isVisible()) && !(await v.button(T.en.copyTracker).isVisible()), "but no header or buttons");
  await v.page.emulateMedia({ media: "screen" });

  const url = await readQr(v);
  assert(url === `${base}/#/e/${e.id}/board?t=${tracker}`, "the QR code is the board's address with the tracker: " + url);

  const to = `receipt-${e.id}@example.org`;
  await v.fill(v.page.getByLabel(T.en.yourEmail), "not an address");
  await v.click(v.button(T.en.sendReceipt), "a wrong address");
  await v.see(T.en.emailInvalid);
  await v.fill(v.page.getByLabel(T.en.yourEmail), to);
  await v.click(v.button(T.en.sendReceipt), "send the receipt");
  await v.see(tr("en", "receiptSent", { to }));
  assert(await outboxHas(to, tracker), "the receipt with the tracker went out to the address");

  await v.click(v.button(T.en.signOut), "sign out");
  await v.see(T.en.signedOut);
  assert(!(await v.button(T.en.signOut).isVisible()), "no sign-out button once signed out");
  assert(await v.page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith("pb-")).length) === 0, "nothing of the voter is left in the tab");
  let status = 0;
  try { await api("GET", `/elections/${e.id}/ballot`, undefined, token); } catch (err) { status = err.status; }
  assert(status === 401, "the session is over on the server too (got " + status + ")");

  await v.goto(url);   // the QR code's address, as a phone that scanned it opens it
  await v.see(T.en.found.slice(2));
});

test("the receipt tools and sign-out in Danish and Arabic; a kiosk offers no copy and no e-mail", async () => {
  const e = await election({ title: { da: "Kvittering på sprog", en: "Receipt in languages", ar: "الإيصال باللغات" }, proposals: two, codes: 3 });
  for (const [i, lang] of ["da", "ar"].entries()) {
    const v = await visitor({ lang });
    await v.ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    await signInWithCode(v, e, e.codes[0][i], lang === "ar" ? "ar" : "da");
    assert(await v.button(T[lang].signOut).isVisible(), `${lang}: sign-out while signed in`);
    await v.click(v.page.locator(`#p-${e.props[1].id}`));
    const tracker = await reviewAndCast(v, lang);
    await v.click(v.button(T[lang].copyTracker));
    await v.see(T[lang].copied);
    assert((await readQr(v)).endsWith(tracker), `${lang}: the QR code carries the tracker`);
    await v.click(v.button(T[lang].signOut));
    await v.see(T[lang].signedOut);
  }
  const k = await visitor({ lang: "en" });
  await signInWithCode(k, e, e.codes[0][2], "en", "?kiosk=1");
  await k.click(k.page.locator(`#p-${e.props[0].id}`));
  await reviewAndCast(k);
  assert(await k.page.locator("svg.qr").count() === 1, "the kiosk shows the QR code to scan");
  assert(!(await k.button(T.en.copyTracker).count()) && !(await k.page.getByLabel(T.en.yourEmail).count()), "but nothing that leaves a trace on the screen");
});
