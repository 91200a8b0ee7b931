// Staff attach photos to a proposal from its edit form on /admin.html, only by clicking, in
// Danish and in English: the photos listed with thumbnails and alt text, a file the server
// refuses (a PDF named .jpg, a JPEG cut short) told at the field in the page's language and
// nothing stored, a real picture uploaded (it becomes the proposal's picture), and deleted
// after a confirmation.
import { test, visitor, assert, DESKTOP } from "../lib.mjs";
import { api, admin, election } from "../fixtures.mjs";

const say = {
  da: { email: "E-mail", password: "Adgangskode", signIn: "Log ind", proposals: "Forslag", edit: "Ret",
        none: "Ingen fotos endnu.", file: "Tilføj et foto", upload: "Upload fotoet",
        notPicture: "Filen er ikke et JPEG-, PNG- eller WebP-billede, eller den er beskadiget.",
        cut: "Billedet kan ikke læses: det er beskadiget eller ufuldstændigt. Prøv et andet.",
        alt: (t) => `Foto 1 af “${t}”`, added: (t) => `Fotoet er føjet til “${t}”.`, del: (t) => `Slet foto 1 af “${t}”`,
        deleted: (t) => `Foto 1 af “${t}” er slettet.` },
  en: { email: "E-mail", password: "Password", signIn: "Sign in", proposals: "Proposals", edit: "Edit",
        none: "No photos yet.", file: "Add a photo", upload: "Upload the photo",
        notPicture: "This file is not a JPEG, PNG or WebP picture.",
        cut: "The picture cannot be read: it is damaged, cut short or of an unusual kind.",
        alt: (t) => `Photo 1 of “${t}”`, added: (t) => `The photo is added to “${t}”.`, del: (t) => `Delete photo 1 of “${t}”`,
        deleted: (t) => `Photo 1 of “${t}” is deleted.` },
};

// A real JPEG drawn in the page's canvas (a camera's kind of file), w x h.
async function jpeg(v, w, h) {
  const bytes = await v.page.evaluate(([w, h]) => new Promise((done) => {
    const c = document.createElement("canvas");
    c.width = w; c.height = h;
    const g = c.getContext("2d");
    for (let i = 0; i < 400; i++) { g.fillStyle = `hsl(${i * 37 % 360} 70% 50%)`; g.fillRect((i * 13) % w, (i * 29) % h, 9, 7); }
    c.toBlob((b) => b.arrayBuffer().then((a) => done(Array.from(new Uint8Array(a)))), "image/jpeg", 0.9);
  }), [w, h]);
  return Buffer.from(bytes);
}

async function staffPhotos(lang) {
  const s = say[lang];
  const title = { da: `Fotos i forslag ${lang} ${Date.now() % 100000}`, en: `Photos on proposals ${lang} ${Date.now() % 100000}` };
  const pTitle = { da: "Bænke ved søen", en: "Benches by the lake" };
  const e = await election({ title, phase: "proposals", codes: 0, proposals: [{ cost: 500000, title: pTitle }] });
  const pid = e.props[0].id;
  const v = await visitor({ lang, size: DESKTOP });
  const dialogs = [];
  v.onDialog = (d) => { dialogs.push(d.message()); d.accept(); };
  const page = v.page;
  await v.start("admin.html");
  await v.fill(page.getByLabel(s.email), process.env.PB_ADMIN_EMAIL);
  await v.fill(page.getByLabel(s.password, { exact: true }), process.env.PB_ADMIN_PASSWORD);
  await v.click(v.button(s.signIn), "sign in");
  await v.click(v.link(title[lang]), "open the election");
  await v.click(v.link(s.proposals), "to the proposals");
  await v.click(page.locator(`#proposals #edit-${pid}`), "edit the proposal");
  const box = page.locator(`#photos-${pid}`);
  await box.getByText(s.none).waitFor();
  const file = page.getByLabel(s.file, { exact: true });
  const upload = box.getByRole("button", { name: s.upload, exact: true });
  const err = page.locator(`#photo-file-${pid}-err`);

  // the bytes decide: a PDF named .jpg, and a JPEG cut short (its header whole), are refused at the field
  const pdf = Buffer.from("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n");
  await file.setInputFiles({ name: "plan.jpg", mimeType: "image/jpeg", buffer: pdf });
  v.expectHttp(422, "/photos");
  await v.click(upload, "upload a PDF named .jpg");
  await err.getByText(s.notPicture).waitFor();
  assert(await file.getAttribute("aria-invalid") === "true", "the field is marked wrong");
  const good = await jpeg(v, 120, 80);
  await file.setInputFiles({ name: "cut.jpg", mimeType: "image/jpeg", buffer: good.subarray(0, Math.floor(good.length / 2)) });
  v.expectHttp(422, "/photos");
  await v.click(upload, "upload a JPEG cut short");
  await err.getByText(s.cut).waitFor();
  const t = await admin();
  assert((await api("GET", `/proposals/${pid}`, undefined, t)).photos.length === 0, "nothing stored for refused files");

  // a real picture: listed with its thumbnail and alt text, and the proposal's picture now
  await file.setInputFiles({ name: "baenke.jpg", mimeType: "image/jpeg", buffer: good });
  await v.click(upload, "upload a real JPEG");
  await box.getByText(s.added(pTitle[lang])).waitFor();
  assert(await err.isHidden(), "the field's error is gone");
  const img = box.getByRole("img", { name: s.alt(pTitle[lang]) });
  await img.waitFor();
  assert(await img.evaluate((i) => i.complete && i.naturalWidth === 120), "the thumbnail shows the served photo");
  const p = await api("GET", `/proposals/${pid}`, undefined, t);
  assert(p.photos.length === 1 && p.photos[0].width === 120 && p.image_url === p.photos[0].url, "stored, and the proposal's picture: " + JSON.stringify(p.photos));
  assert(await page.locator(`#pf-${pid}-image`).inputValue() === p.image_url, "the form's picture field follows");
  await v.shot(`staff-proposal-photos-${lang}.png`);

  // deleted after a confirmation
  await v.click(box.getByRole("button", { name: s.del(pTitle[lang]), exact: true }), "delete the photo");
  await box.getByText(s.deleted(pTitle[lang])).waitFor();
  await box.getByText(s.none).waitFor();
  assert(dialogs.length === 1, "the delete asked first");
  const after = await api("GET", `/proposals/${pid}`, undefined, t);
  assert(after.photos.length === 0 && !after.image_url, "the photo is deleted: " + JSON.stringify(after));
}

test("staff photos in Danish: refused files told at the field, upload, delete after asking", () => staffPhotos("da"));
test("staff photos in English: refused files told at the field, upload, delete after asking", () => staffPhotos("en"));
