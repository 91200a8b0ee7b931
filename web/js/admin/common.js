// What every staff page shares: the staff session (an expired one goes back to the sign-in
// form with a human message), API calls whose errors become texts in the interface language,
// messages shown at the form they are about (focused, so that they are read and seen),
// buttons that run once however often they are clicked, and confirmations.
import { api, h } from "../api.js";
import { getLang, t, tables } from "../i18n.js";

let token = sessionStorage.getItem("pb-staff");
let onExpired = () => {};

export function staffToken() { return token; }
export function setStaffToken(v) {
  token = v;
  if (v) sessionStorage.setItem("pb-staff", v); else sessionStorage.removeItem("pb-staff");
}
// What to do when the server no longer knows the session (admin.js: the sign-in form).
export function whenExpired(fn) { onExpired = fn; }

// An API error in the interface language. English pages show the server's message (written
// for staff); Danish pages a text chosen by the error's code and field.
export function staffError(err) {
  if (!err) return t("stErr_generic");
  if (err.status === 0) return t("err_network");
  if (getLang() === "en" && err.message && err.status !== 401) return err.message;
  for (const key of [`stErr_${err.code}_${err.field}`, `stErr_${err.code}`, `err_${err.code}`])
    if (hasText(key)) return t(key);
  return t("stErr_generic");
}
function hasText(key) { return tables[getLang()][key] !== undefined; }

// Calls the API with the staff session. A 401 ends the session: the sign-in form comes back
// with a message. Other errors are thrown for the caller to show at its form.
export async function call(method, path, body) {
  try { return await api(method, path, body, token); }
  catch (e) {
    if (e.status === 401 && token) { setStaffToken(null); onExpired(t("stSessionEnded")); }
    throw e;
  }
}

// A fetch of a file (CSV, cards) or an upload with the session; returns the Response, having
// thrown an API error for a refusal.
export async function fetchRaw(method, path, body, contentType) {
  const headers = { "Authorization": "Bearer " + token };
  if (contentType) headers["Content-Type"] = contentType;
  let res;
  try { res = await fetch("/api/v1" + path, { method, headers, body, credentials: "omit" }); }
  catch (e) { throw { status: 0, code: "network" }; }
  if (res.ok) return res;
  let err = { code: "http_" + res.status };
  try { err = (await res.json()).error || err; } catch (x) { /* not JSON */ }
  if (res.status === 401 && token) { setStaffToken(null); onExpired(t("stSessionEnded")); }
  throw { status: res.status, code: err.code, message: err.message, field: err.field };
}

// Saves what a Response holds under a file name.
export async function download(res, name) {
  const a = h("a", { href: URL.createObjectURL(await res.blob()), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

// A message box at a form: say(text) / fail(err or text) replace what it says and focus it.
// first: a message to say as soon as the box is on the page (after a save drew it again).
export function note(first) {
  const box = h("div", { class: "form-note", tabindex: "-1" });
  function put(text, error) {
    box.replaceChildren(h("div", { class: "msg" + (error ? " error" : ""), role: error ? "alert" : "status" }, text));
    box.focus();
  }
  // said once the box is on the page (the view is drawn after its data has come)
  let tries = 0;
  const later = () => { if (box.isConnected) put(first, false); else if (tries++ < 200) setTimeout(later, 25); };
  if (first) setTimeout(later, 0);
  return {
    box,
    say(text) { put(text, false); },
    fail(err) { put(typeof err === "string" ? err : staffError(err), true); },
    clear() { box.replaceChildren(); },
  };
}

// A button that runs fn once at a time: disabled (and aria-busy) until fn is done, so a
// double-click adds one district, not two. fn's errors go under the field of the form they
// name (the server's error.field, as an input's name or data-field), else to the note.
export function once(fn, n) {
  let running = false;
  return async (ev) => {
    if (ev) ev.preventDefault();
    if (running) return;
    running = true;
    clearFieldErrors(ev?.target?.closest?.("form"));
    const btn = ev && (ev.submitter || (ev.currentTarget instanceof HTMLButtonElement ? ev.currentTarget : null));
    if (btn) { btn.disabled = true; btn.setAttribute("aria-busy", "true"); }
    try { await fn(ev); }
    catch (e) { if (!atField(ev, e)) { if (n) n.fail(e); else throw e; } }
    finally {
      running = false;
      if (btn && btn.isConnected) { btn.disabled = false; btn.removeAttribute("aria-busy"); }
    }
  };
}

// A tick box with its words, side by side at every width: the words wrap beside the box,
// never under it, where on a phone they read as the label of the next box.
export function tickLabel(input, text) {
  return h("label", { class: "choice" }, input, h("span", {}, text));
}

// A labelled input (or select/textarea when attrs.tag says so). An input whose id is not
// the API's name for what it holds says that name in data-field, so that the server's
// refusal of that field is said under it (see once).
export function field(id, label, attrs = {}) {
  const { tag = "input", options, ...rest } = attrs;
  const el = tag === "select"
    ? h("select", { id, name: id, ...rest }, (options || []).map(([v, text]) => h("option", { value: v, selected: String(v) === String(rest.value) }, text)))
    : tag === "textarea" ? h("textarea", { id, name: id, ...rest }, rest.value ?? "")
    : h("input", { id, name: id, ...rest, value: rest.value ?? "" });
  return [h("label", { for: id }, label), el];
}
// A problem with one field, said under it (a status message at the end of a long form is off
// screen), read out, and the field focused; it goes once the field is changed. False when
// the page has no such field (say it elsewhere).
// Takes back what fieldError said in a form: each try is judged afresh (a title given in the
// other language answers "give a title", though its own field was not changed).
function clearFieldErrors(form) {
  if (!form) return;
  for (const p of form.querySelectorAll("p.field-error[id$='-problem']"))
    takeBack(document.getElementById(p.id.slice(0, -"-problem".length)), p);
}

// Removes the problem p said about the field el, and the field's marks of it.
function takeBack(el, p) {
  p.remove();
  if (!el) return;
  el.removeAttribute("aria-invalid");
  const rest = (el.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== p.id);
  if (rest.length) el.setAttribute("aria-describedby", rest.join(" ")); else el.removeAttribute("aria-describedby");
}

export function fieldError(id, text) {
  const el = document.getElementById(id);
  if (!el) return false;
  const pid = id + "-problem";
  let p = document.getElementById(pid);
  if (!p) { p = h("p", { id: pid, class: "field-error", role: "alert" }); el.after(p); }
  p.textContent = text;
  el.setAttribute("aria-invalid", "true");
  const described = (el.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== pid);
  el.setAttribute("aria-describedby", [...described, pid].join(" "));
  el.addEventListener("input", () => takeBack(el, p), { once: true });
  el.focus();
  return true;
}

// Says an API error under the field of the event's form it is about; false when it is about
// no field there.
function atField(ev, err) {
  const form = ev?.target?.closest?.("form");
  if (!form || !err?.field || err.status === 401) return false;
  const q = CSS.escape(err.field);
  const el = form.querySelector(`[data-field="${q}"], [name="${q}"]`);
  return !!(el && el.id && fieldError(el.id, staffError(err)));
}

export function val(id) { const el = document.getElementById(id); return el ? el.value.trim() : ""; }

// A language's name in the interface language ("engelsk" on a Danish page).
export function langName(code) {
  return new Intl.DisplayNames([document.documentElement.lang || "en"], { type: "language" }).of(code);
}

// Asks before something that cannot be undone.
export function sure(text) { return window.confirm(text); }

// The election's phases in order; forms that set the election up are read-only from voting on.
export const PHASES = ["draft", "proposals", "supports", "review", "voting", "closed", "published"];
export function votingOpened(e) { return PHASES.indexOf(e.phase) >= PHASES.indexOf("voting"); }
