// Test data, set up through the real API the way staff would (SETUP only: the steps under
// test are clicks in the browser). Every election gets its own title, so a test finds it on
// "/" by name among all the others the run has made.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { base, assert, sleep } from "./lib.mjs";

export async function api(method, p, body, token, { raw, contentType } = {}) {
  const headers = { ...(token ? { Authorization: "Bearer " + token } : {}) };
  if (raw !== undefined) headers["Content-Type"] = contentType || "text/plain";
  else if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(base + "/api/v1" + p, { method, headers, body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) { const e = new Error(`${method} ${p}: ${res.status} ${text}`); e.status = res.status; e.body = text; throw e; }
  return text ? JSON.parse(text) : null;
}

let adminToken = null;
export async function admin() {
  if (!adminToken) adminToken = (await api("POST", "/staff/login", { email: process.env.PB_ADMIN_EMAIL, password: process.env.PB_ADMIN_PASSWORD })).token;
  return adminToken;
}

const titles = new Set();
let slugs = 0;

// An election with districts, accepted proposals and voting codes.
//   title: {da, en} (distinct in this run); ballot, rule, categories: as the API takes them;
//   districts: [{name, budget}]; proposals: [{d (district index), cost, title, summary, category,
//   description, location, image_url}];
//   phase: where to move it ("voting" unless told); codes: codes per district.
// Returns {id, title, districts, props, codes: [[codes of district 0], ...]}.
export async function election({ title, ballot = { type: "knapsack" }, rule = "greedy", categories, description,
                                 districts = [{ name: { da: "Midtby", en: "Centre" }, budget: 10000000 }],
                                 proposals = [], phase = "voting", codes = 3, phases } = {}) {
  assert(title && !titles.has(title.en), "a distinct election title");
  titles.add(title.en);
  const t = await admin();
  const body = { slug: `browser-${process.pid}-${++slugs}-${Date.now() % 100000}`, title, ballot, rule,
                 description: description || { da: "Stem på de forslag, du vil have.", en: "Vote for the proposals you want." } };
  if (categories) body.categories = categories;
  if (phases) body.phases = phases;   // times that move it by the clock, such as {closed: ISO}
  const e = await api("POST", "/elections", body, t);
  const ds = [];
  for (const d of districts) ds.push(await api("POST", `/elections/${e.id}/districts`, d, t));
  const props = [];
  for (const [i, p] of proposals.entries()) {
    const b = { district_id: ds[p.d || 0].id, title: p.title || { da: `Projekt ${i + 1}`, en: `Project ${i + 1}` },
                summary: p.summary || { da: "Kort beskrivelse.", en: "Short description." }, cost: p.cost };
    if (p.category) b.category = p.category;
    for (const k of ["description", "location", "image_url"]) if (p[k]) b[k] = p[k];
    props.push(await api("POST", `/elections/${e.id}/proposals`, b, t));
  }
  if (phase) await api("POST", `/elections/${e.id}/phase`, { phase }, t);
  const cs = [];
  if (codes && phase === "voting")
    for (const d of ds) cs.push((await api("POST", `/elections/${e.id}/codes`, { district_id: d.id, count: codes }, t)).codes);
  return { id: e.id, title, districts: ds, props, codes: cs };
}

export async function setPhase(e, ...phases) {
  for (const phase of phases) await api("POST", `/elections/${e.id}/phase`, { phase }, await admin());
}

export async function closeCountPublish(e) {
  const t = await admin();
  await api("POST", `/elections/${e.id}/phase`, { phase: "closed" }, t);
  await api("POST", `/elections/${e.id}/tally`, {}, t);
  await api("POST", `/elections/${e.id}/publish`, {}, t);
}

export async function uploadRegister(e, csv) {
  return api("POST", `/elections/${e.id}/register`, undefined, await admin(), { raw: csv, contentType: "text/csv" });
}

// The one-time code the server's file sender wrote for this contact (what the phone got).
export async function sentCode(contact, after = 0) {
  const outbox = path.join(process.env.PB_DATA_DIR || path.join(process.cwd(), "var", "test"), "outbox.log");
  for (let i = 0; i < 50; i++) {
    const text = fs.existsSync(outbox) ? fs.readFileSync(outbox, "utf8").slice(after) : "";
    const found = [...text.matchAll(/^(.*)\t.*?(\d{8})/gm)].filter((m) => m[1].trim() === contact);
    if (found.length) return found[found.length - 1][2];
    await sleep(100);
  }
  throw new Error("no one-time code was sent to " + contact);
}
export function outboxSize() {
  const outbox = path.join(process.env.PB_DATA_DIR || path.join(process.cwd(), "var", "test"), "outbox.log");
  return fs.existsSync(outbox) ? fs.readFileSync(outbox, "utf8").length : 0;
}

// The sign-in methods the server says the election offers (codes out, register, contacts).
export async function methodsOf(e) { return (await api("GET", `/elections/${e.id}`)).sign_in_methods; }

// A staff member of one election with this role (invited by the installation admin, invite
// accepted): {email, password}. What a municipality does for its observers.
export async function staffOf(e, role) {
  const t = await admin();
  const org = (await api("GET", `/elections/${e.id}`, undefined, t)).organisation_id;
  const email = `${role}-${process.pid}-${++slugs}-${Date.now() % 100000}@kommune.example`;
  const invite = await api("POST", `/organisations/${org}/staff`, { email, role, election_id: e.id }, t);
  const password = "a long enough password for " + role;
  await api("POST", "/staff/accept", { invite_token: invite.invite_token, password });
  return { email, password };
}

// SQL as the database owner, behind the server's back (a tampered audit log, say).
export function sql(statement) {
  const c = Object.fromEntries((process.env.PB_CONNINFO || "").split(/\s+/).filter(Boolean).map((kv) => kv.split("=")));
  return execFileSync("psql", ["-X", "-q", "-t", "-A", "-h", c.host, ...(c.port ? ["-p", c.port] : []), "-U", c.user, "-d", c.dbname, "-c", statement],
                      { encoding: "utf8" }).trim();
}
