// The vote on the municipality's own web site: staff list the site in the admin pages; the
// site pastes the script tag; a citizen on that site sees the proposals and the live
// turnout in its language, and a site not on the list cannot show the page at all.
import http from "node:http";
import { test, visitor, assert, base, DESKTOP, PHONE } from "../lib.mjs";
import { election, api, admin } from "../fixtures.mjs";

// A municipality's page on another origin (another port), with our script tag in it.
async function hostSite(eid, { view = "proposals", lang = "da" } = {}) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Kommunen</title></head>
<body><main><h1>Kommunens borgerbudget</h1>
<script src="${base}/embed.js" data-election="${eid}" data-view="${view}" data-title="Borgerbudget" async></script>
</main></body></html>`);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, url: `http://127.0.0.1:${server.address().port}/`, origin: `http://127.0.0.1:${server.address().port}` };
}

test("staff let their own site show the vote; a citizen there sees proposals and turnout", async () => {
  const e = await election({ title: { da: "Indlejret budget", en: "Embedded budget" },
    proposals: [{ cost: 250000, title: { da: "Ny legeplads", en: "New playground" } }], codes: 1 });
  const site = await hostSite(e.id);
  const live = await hostSite(e.id, { view: "turnout" });
  try {
    const staff = await visitor({ lang: "en", size: DESKTOP });
    const page = staff.page;
    await staff.start("admin.html");
    await staff.fill(page.getByLabel("E-mail"), process.env.PB_ADMIN_EMAIL);
    await staff.fill(page.getByLabel("Password", { exact: true }), process.env.PB_ADMIN_PASSWORD);
    await staff.click(staff.button("Sign in"));
    await staff.click(page.getByRole("link", { name: "Embedded budget" }).first());
    await staff.click(staff.link("Your own web site"));
    await staff.heading("Show the vote on your own web site").waitFor();
    // a path is not a site: said at the form, nothing stored
    await staff.fill(page.getByLabel("Sites that may show it"), site.origin + "/borgerbudget");
    staff.expectHttp(422, "/embed");
    await staff.click(staff.button("Save sites"));
    await staff.see("A site was not accepted");
    await staff.fill(page.getByLabel("Sites that may show it"), `${site.origin}\n${live.origin}`);
    await staff.dblclick(staff.button("Save sites"));
    await staff.see("Saved. 2 sites may show the vote.");
    await staff.page.locator("pre code").first().waitFor();
    assert((await page.locator("pre code").first().textContent()).includes(`data-election="${e.id}"`), "the tag names the election");
    await staff.shot("staff-embed.png");

    const citizen = await visitor({ lang: "da", size: PHONE });
    await citizen.goto(site.url);
    const frame = citizen.page.frameLocator("iframe[title=Borgerbudget]");
    await frame.getByRole("heading", { name: "Ny legeplads" }).waitFor();
    await citizen.check("the widget on the municipality's page");
    const height = await citizen.page.locator("iframe").evaluate((f) => f.getBoundingClientRect().height);
    assert(height > 150 && height < 5000, "the frame is sized to its content: " + height);
    await citizen.shot("embed-proposals.png");

    // live turnout: a ballot cast meanwhile shows at the next refresh (or a reload)
    const token = (await api("POST", `/elections/${e.id}/voter-sessions`, { method: "code", code: e.codes[0][0] })).token;
    await api("PUT", `/elections/${e.id}/ballot`, { approvals: [e.props[0].id] }, token);
    await citizen.goto(live.url);
    await citizen.page.frameLocator("iframe").getByText("1 stemme").first().waitFor();
    await citizen.page.frameLocator("iframe").getByText(/Sidst opdateret/).waitFor();
    await citizen.check("live turnout on the municipality's page");
  } finally {
    const org = (await api("GET", `/elections/${e.id}`)).organisation_id;
    await api("PUT", `/organisations/${org}/embed`, { origins: [] }, await admin());
    site.server.close();
    live.server.close();
  }
});

test("a site that is not on the list cannot show the vote", async () => {
  const e = await election({ title: { da: "Beskyttet budget", en: "Protected budget" }, proposals: [{ cost: 100000 }] });
  const other = await hostSite(e.id);
  try {
    const v = await visitor({ lang: "da", size: PHONE });
    await v.page.goto(other.url);
    await v.page.waitForTimeout(1500);
    const frame = v.page.frames().find((f) => f !== v.page.mainFrame());
    const shown = frame ? await frame.evaluate(() => document.body ? document.body.innerText : "").catch(() => "") : "";
    assert(!shown.includes("Beskyttet budget"), "the framed page is not shown on a site off the list");
    // the browser says why, and nothing else went wrong
    const errors = v.errors.splice(0), why = /frame-ancestors|Refused to frame/;
    assert(errors.some((m) => why.test(m)), "the browser refused the frame by its CSP: " + errors.join("; "));
    const rest = errors.filter((m) => !why.test(m));
    assert(rest.length === 0, "no other error: " + rest.join("; "));
    v.httpErrors.splice(0);
  } finally {
    other.server.close();
  }
});
