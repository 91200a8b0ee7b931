// What the citizen pages remember, and where. Everything about a voter lives in this tab's
// sessionStorage (gone when the tab closes, never shared with other tabs): the session token,
// the ballot being built (the draft, kept until it is cast, so reload and Back lose nothing),
// and the last receipt. The election itself is fetched again for every view.
import { api } from "../api.js";

const store = sessionStorage;
let cached = null;   // {election, proposals} of the election last loaded

// The election and its proposals, fresh from the API (answers are cached by ETag).
export async function loadElection(eid) {
  const [election, list] = await Promise.all([api("GET", `/elections/${eid}`), api("GET", `/elections/${eid}/proposals`)]);
  cached = { election, proposals: list.proposals };
  return cached;
}
export function current() { return cached; }

function read(key) { try { return JSON.parse(store.getItem(key)); } catch (e) { return null; } }
function write(key, value) { if (value === null || value === undefined) store.removeItem(key); else store.setItem(key, JSON.stringify(value)); }

// {token, district_id, has_voted} of the signed-in voter, or null.
export function session(eid) { return read("pb-voter-" + eid); }
export function setSession(eid, s) { write("pb-voter-" + eid, s); }

// The draft: {district_id, chosen: [ids in order], points: {id: n}, key}. key is the
// Idempotency-Key of the review the draft is in; any change to the choices drops it, so a
// changed ballot is a new request and a resent one is recognised by the server.
export function draft(eid) { return read("pb-draft-" + eid); }
export function saveDraft(eid, d) { write("pb-draft-" + eid, d); }
export function emptyDraft(districtId) { return { district_id: districtId, chosen: [], points: {}, key: null }; }

export function receipt(eid) { return store.getItem("pb-receipt-" + eid); }
export function setReceipt(eid, tracker) { if (tracker) store.setItem("pb-receipt-" + eid, tracker); else store.removeItem("pb-receipt-" + eid); }

// Whether this tab holds a signed-in voter (of any election): the header offers sign-out.
export function signedIn() {
  for (let i = 0; i < store.length; i++) if (store.key(i).startsWith("pb-voter-") && store.getItem(store.key(i))) return true;
  return false;
}

// Ends what this tab knows of the voter: token, draft and receipt.
export function forgetVoter(eid) { setSession(eid, null); saveDraft(eid, null); setReceipt(eid, null); }

// A random key for one review (crypto.getRandomValues works on plain http too, where
// crypto.randomUUID does not).
export function newKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

// A notice for the next view (why the voter is back at sign-in, say); read once.
let flash = null;
export function setFlash(text) { flash = text; }
export function takeFlash() { const f = flash; flash = null; return f; }
