// The ideas phase on a phone: sign in, submit an idea with a photo made in the test and a
// place tapped on the map, see it in "My ideas", edit it until review, read the moderator's
// reason; pictures refused at the field (type, size, and bytes the server rejects); the map of
// the proposals with a place, with tiles from the test's tile server and without any.
import { test, visitor, assert, NARROW, PHONE, sleep } from "../lib.mjs";
import { api, admin, election } from "../fixtures.mjs";
import { openElection, tokenOf } from "../steps.mjs";

// An election in the ideas phase with voting codes, categories and a proposal with a place.
async function ideasElection(title) {
  const e = await election({ title, phase: null, codes: 0,
    categories: [{ key: "natur", name: { da: "Natur", en: "Nature" } }, { key: "leg", name: { da: "Leg", en: "Play" } }],
    proposals: [{ cost: 400000, title: { da: "Shelter i skoven", en: "Shelter in the woods" } }] });
  const t = await admin();
  await api("PATCH", `/proposals/${e.props[0].id}`, { location: { lat: 55.7167, lng: 11.7167, address: "Skovvej 2" } }, t);
  await api("POST", `/elections/${e.id}/phase`, { phase: "proposals" }, t);
  e.codes = [(await api("POST", `/elections/${e.id}/codes`, { district_id: e.districts[0].id, count: 3 }, t)).codes];
  return e;
}

// A picture drawn in the page's own canvas: a real JPEG or PNG, as a phone's camera gives.
async function picture(v, type, w = 64, h = 48) {
  const bytes = await v.page.evaluate(([type, w, h]) => new Promise((done) => {
    const c = document.createElement("canvas");
    c.width = w; c.height = h;
    const g = c.getContext("2d");
    g.fillStyle = "#2a7"; g.fillRect(0, 0, w, h);
    g.fillStyle = "#fd3"; g.fillRect(w / 4, h / 4, w / 2, h / 2);
    c.toBlob((b) => b.arrayBuffer().then((a) => done(Array.from(new Uint8Array(a)))), type, 0.85);
  }), [type, w, h]);
  return Buffer.from(bytes);
}

async function signInForIdeas(v, e, lang, code) {
  const w = lang === "da" ? { signIn: "Log ind for at indsende en idé", code: "Stemmekode", go: "Fortsæt", mine: "Mine idéer" }
    : { signIn: "Sign in to submit an idea", code: "Voting code", go: "Continue", mine: "My ideas" };
  await openElection(v, e, lang);
  await v.click(v.link(w.signIn), "sign in to submit an idea");
  await v.fill(v.page.getByLabel(w.code, { exact: true }), code, "type the voting code");
  await v.click(v.button(w.go), "sign in");
  await v.heading(w.mine).waitFor();
}

// The map's tiles came from the test's tile server (the CSP allowed that host).
async function tilesLoaded(v) {
  for (let i = 0; i < 50; i++) {
    if (await v.page.locator(".map img.leaflet-tile-loaded").count()) return true;
    await sleep(100);
  }
  return false;
}

test("ideas phase on a phone: submit an idea with a photo and a place, see it, edit it, read the reason", async () => {
  const e = await ideasElection({ da: "Idéer til Holbæk", en: "Ideas for Holbæk" });
  const v = await visitor({ lang: "en", size: PHONE });
  await openElection(v, e);
  // the list first, then the map of the proposals with a place, tiles from the configured source
  await v.see("Shelter in the woods");
  await v.page.getByRole("region", { name: "Map of the proposals" }).waitFor();
  assert(await tilesLoaded(v), "the election page's map shows tiles");
  assert(await v.page.locator(".map .leaflet-marker-icon").count() === 1, "one marker: the proposal with a place");
  await v.click(v.link("Sign in to submit an idea"), "sign in to submit an idea");
  await v.fill(v.page.getByLabel("Voting code", { exact: true }), e.codes[0][0], "type the voting code");
  await v.click(v.button("Continue"), "sign in");
  await v.heading("My ideas").waitFor();
  await v.see("You have not submitted any ideas yet.");
  await v.click(v.link("Submit an idea"), "open the idea form");
  await v.heading("Submit an idea").waitFor();
  // nothing typed: the first missing field says so and has the focus
  await v.click(v.button("Send idea"), "send an empty form");
  await v.see("Give your idea a title.");
  assert(await v.page.evaluate(() => document.activeElement.id) === "idea-title", "the title field has the focus");
  await v.fill(v.page.getByLabel("Title", { exact: true }), "Benches by the lake", "type the title");
  await v.fill(v.page.getByLabel("Description", { exact: true }), "Three benches facing the water, for the walkers.", "type the description");
  await v.select(v.page.getByLabel("Category", { exact: true }), "natur", "choose a category");
  // the rough cost stays empty: it is optional
  const jpeg = await picture(v, "image/jpeg");
  assert(jpeg[0] === 0xff && jpeg[1] === 0xd8, "the canvas made a JPEG");
  await v.page.getByLabel("Photo (optional)").setInputFiles({ name: "benches.jpg", mimeType: "image/jpeg", buffer: jpeg });
  await v.check("choose a photo");
  await v.page.locator("#idea-photo-preview").waitFor();
  // the place: a tap on the map sets the pin
  await v.page.locator("#idea-map.leaflet-container").waitFor();
  await v.tap(v.page.locator("#idea-map"), "tap the map to place the idea");
  await v.see("Pin placed at");
  await v.fill(v.page.getByLabel("Address or place (optional)"), "Søvej 1, Holbæk", "type the address");
  await v.shot("citizen-idea-form.png");
  await v.click(v.button("Send idea"), "send the idea");
  await v.heading("My ideas").waitFor();
  await v.see("Thank you! Your idea has been received.");
  await v.see("Benches by the lake");
  await v.see("Waiting for review");
  await v.see("No cost given");
  const img = v.page.locator("main img.photo").first();
  await img.waitFor();
  assert(await img.evaluate((i) => i.complete && i.naturalWidth === 64), "the uploaded photo is served back");
  const mine = (await api("GET", `/elections/${e.id}/my-proposals`, undefined, await tokenOf(v, e))).proposals;
  assert(mine.length === 1 && mine[0].cost === null && mine[0].category === "natur", "one idea, no cost: " + JSON.stringify(mine));
  assert(mine[0].photos.length === 1 && mine[0].photos[0].content_type === "image/jpeg" && mine[0].photos[0].width === 64, "the photo is stored");
  // the map started where the election's proposals are (Holbæk), and the tap put the pin there
  assert(Math.abs(mine[0].location.lat - 55.7167) < 0.05 && Math.abs(mine[0].location.lng - 11.7167) < 0.1 && mine[0].location.address === "Søvej 1, Holbæk", "the place is stored: " + JSON.stringify(mine[0].location));
  // edit until review
  await v.click(v.link("Edit “Benches by the lake”"), "edit the idea");
  await v.heading("Edit your idea").waitFor();
  assert(await v.page.getByLabel("Title", { exact: true }).inputValue() === "Benches by the lake", "the form holds the idea");
  await v.fill(v.page.getByLabel("Title", { exact: true }), "Four benches by the lake", "change the title");
  await v.fill(v.page.getByLabel("Rough cost in DKK (optional)"), "25000", "give a rough cost");
  await v.click(v.button("Save changes"), "save the changes");
  await v.heading("My ideas").waitFor();
  await v.see("Your changes are saved.");
  await v.see("Four benches by the lake");
  await v.see("Your rough cost");
  // the municipality reviews it: the reason is there, and editing is over
  await api("PATCH", `/proposals/${mine[0].id}`, { status: "rejected", reason: "The lake path is being rebuilt in 2027; benches are part of it." }, await admin());
  await v.reload();
  await v.heading("My ideas").waitFor();
  await v.see("Not accepted");
  await v.see("The lake path is being rebuilt in 2027");
  assert(!(await v.page.getByRole("link", { name: /^Edit/ }).count()), "no Edit link after review");
  await v.shot("citizen-my-ideas.png");
});

test("idea form at 320 px in Danish: wrong pictures are refused at the field, and a refused upload makes no second idea", async () => {
  const e = await ideasElection({ da: "Idéer til Varde", en: "Ideas for Varde" });
  const v = await visitor({ lang: "da", size: NARROW });
  await signInForIdeas(v, e, "da", e.codes[0][1]);
  await v.click(v.link("Indsend en idé"), "open the idea form");
  await v.heading("Indsend en idé").waitFor();
  const photo = v.page.getByLabel("Foto (frivilligt)");
  const pdf = Buffer.from("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n");
  await photo.setInputFiles({ name: "plan.pdf", mimeType: "application/pdf", buffer: pdf });
  await v.check("choose a PDF");
  await v.see("Vælg et JPEG-, PNG- eller WebP-billede.");
  await photo.setInputFiles({ name: "huge.jpg", mimeType: "image/jpeg", buffer: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(5 * 1024 * 1024)]) });
  await v.check("choose a picture over 5 MB");
  await v.see("Billedet er større end 5 MB. Vælg et mindre.");
  // a PDF named .jpg passes the page's check (its name and type say JPEG); the server reads its bytes
  await photo.setInputFiles({ name: "plan.jpg", mimeType: "image/jpeg", buffer: pdf });
  await v.check("choose a PDF named .jpg");
  await v.fill(v.page.getByLabel("Titel", { exact: true }), "Legeplads ved skolen", "type the title");
  await v.fill(v.page.getByLabel("Beskrivelse", { exact: true }), "En legeplads til de mindste.", "type the description");
  v.expectHttp(422, "/photos");
  await v.click(v.button("Send idé"), "send with the false picture");
  await v.see("Filen er ikke et JPEG-, PNG- eller WebP-billede, eller den er beskadiget.");
  await v.see("Din idé er gemt, men fotoet blev ikke.");
  // a real PNG, and send again: the same idea gets it
  await photo.setInputFiles({ name: "legeplads.png", mimeType: "image/png", buffer: await picture(v, "image/png", 40, 30) });
  await v.check("choose a real PNG");
  await v.click(v.button("Send idé"), "send again");
  await v.heading("Mine idéer").waitFor();
  await v.see("Tak! Din idé er modtaget.");
  const mine = (await api("GET", `/elections/${e.id}/my-proposals`, undefined, await tokenOf(v, e))).proposals;
  assert(mine.length === 1, "one idea, not two: " + mine.length);
  assert(mine[0].photos.length === 1 && mine[0].photos[0].content_type === "image/png", "only the real picture is stored");
});

test("the election page stays usable when the map tiles cannot load", async () => {
  const e = await ideasElection({ da: "Idéer uden kort", en: "Ideas without tiles" });
  const tiles = new URL((await api("GET", "/config")).map.tiles.replace(/\{[xyz]\}/g, "0")).origin;
  const v = await visitor({ lang: "en", size: PHONE });
  await v.page.route(tiles + "/**", (r) => r.abort("connectionrefused"));
  for (let i = 0; i < 100; i++) v.expectHttp(0, tiles);  // every tile fails, on purpose
  await openElection(v, e);
  await v.see("Shelter in the woods");
  await v.see("The map background could not be loaded. The list above has every proposal.");
  assert(await v.page.locator(".map .leaflet-marker-icon").count() === 1, "the marker is there without tiles");
  await v.click(v.link("Sign in to submit an idea"), "the way on still works");
  await v.heading("Sign in").waitFor();
});
