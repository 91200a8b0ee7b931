// The observer's staff session: the token the sign-in form got (shared with the staff page
// through sessionStorage, so one sign-in serves both in a tab), and calls that notice when it
// has ended. An answer 401 on a call that needed the session clears it and sends the observer
// back to the sign-in form with a message in words, never the server's developer text.
import { api } from "../api.js";

const KEY = "pb-staff";
let expiredHandler = () => {};

export function token() { return sessionStorage.getItem(KEY); }
export function signIn(t) { sessionStorage.setItem(KEY, t); }
export function signOut() { sessionStorage.removeItem(KEY); }
// What to do when the session is found to have ended (the page draws the sign-in form).
export function onExpired(fn) { expiredHandler = fn; }

// A GET with the session when there is one. A 401 means the session ended: it is cleared and
// the page is told; the error still reaches the caller so that it stops drawing.
export async function get(path) {
  const t = token();
  try { return await api("GET", path, undefined, t || undefined); }
  catch (e) {
    if (e.status === 401 && t) { signOut(); expiredHandler(); }
    throw e;
  }
}

// A file with its headers (exports carry their signature and name in headers), with the session.
export async function fetchFile(url) {
  const t = token();
  const res = await fetch(url, { headers: t ? { "Authorization": "Bearer " + t } : {}, credentials: "omit" });
  if (res.status === 401 && t) { signOut(); expiredHandler(); }
  if (!res.ok) throw { status: res.status, code: "http_" + res.status };
  return res;
}
