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

// The signed-in voter, or null: {token, districts: [the frames the voter votes in, one per
// group of districts, in order], choices: [{group_id, districts}] still to choose, voted:
// [frames with a ballot], has_voted, at: the index in districts of the ballot being made}.
export function session(eid) { return read("pb-voter-" + eid); }
export function setSession(eid, s) { write("pb-voter-" + eid, s); }
// What the tab keeps of a voter session the server answered (a sign-in or a choice).
export function sessionFrom(r) {
  const districts = r.districts || (r.district_id ? [r.district_id] : []);
  const voted = r.voted_districts || [];
  // back to where the voter left off: the first ballot not cast yet (else the first)
  const at = Math.max(0, districts.findIndex((d) => !voted.includes(d)));
  return { token: r.token, district_id: r.district_id, districts, choices: r.choices || [],
           voted, has_voted: r.has_voted, at };
}
// Where a signed-in citizen goes, by the election's phase: the election page while supports
// are given, their ideas in the ideas phase; while voting, a district to choose, the
// receipts once every ballot of several is cast, else the ballot (the first not cast yet).
export function signedInHome(eid, s, phase = "voting") {
  if (phase === "supports") return `#/e/${eid}`;
  if (phase === "proposals") return `#/e/${eid}/ideas`;
  if (s.choices?.length) return `#/e/${eid}/choose`;
  return allBallotsCast(s, phase) ? `#/e/${eid}/receipt` : `#/e/${eid}/vote`;
}
// Whether a voter with several ballots (frames) has cast them all, so that their way on is
// the receipts rather than a ballot.
export function allBallotsCast(s, phase = "voting") {
  return phase !== "supports" && phase !== "proposals" && !s.choices?.length && s.districts?.length > 1 && !!s.has_voted;
}
// The district (frame) whose ballot the voter is making now.
export function frameOf(s) { return s.districts?.[s.at || 0] ?? s.district_id; }

// The draft: {district_id, chosen: [ids in order], points: {id: n}, key}. key is the
// Idempotency-Key of the review the draft is in; any change to the choices drops it, so a
// changed ballot is a new request and a resent one is recognised by the server.
export function draft(eid) { return read("pb-draft-" + eid); }
export function saveDraft(eid, d) { write("pb-draft-" + eid, d); }
export function emptyDraft(districtId) { return { district_id: districtId, chosen: [], points: {}, key: null }; }

// The receipts of this tab's ballots: {district id: tracker}; receipt() the last one cast.
export function receipts(eid) { return read("pb-receipts-" + eid) || {}; }
export function receipt(eid) { return store.getItem("pb-receipt-" + eid); }
export function setReceipt(eid, tracker, district) {
  if (!tracker) { store.removeItem("pb-receipt-" + eid); store.removeItem("pb-receipts-" + eid); return; }
  store.setItem("pb-receipt-" + eid, tracker);
  write("pb-receipts-" + eid, { ...receipts(eid), [district]: tracker });
}

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
