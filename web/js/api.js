// The JSON API: every call returns the parsed body or throws {status, code, message, field}.
// extra: more request headers (such as Idempotency-Key).
export async function api(method, path, body, token, extra) {
  const headers = { "Accept": "application/json", ...(extra || {}) };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers["Authorization"] = "Bearer " + token;
  let res;
  try {
    res = await fetch("/api/v1" + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                                          credentials: "omit" });
  } catch (e) {
    throw { status: 0, code: "network", message: "network error" };
  }
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (!res.ok) {
    const err = (json && json.error) || { code: "http_" + res.status, message: text.slice(0, 200) };
    throw { status: res.status, code: err.code, message: err.message, field: err.field };
  }
  if (json === null && text) return { text, headers: res.headers };
  return json;
}
// Builds DOM nodes: h("p", {class: "x"}, "text", child, [more, [children]]). Lists nest to any
// depth (a list of label+input pairs is common); null, undefined and false leave no trace.
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else if (k === "style") el.style.cssText = v; // CSSOM: allowed by the strict CSP, unlike style=""
    else el.setAttribute(k, v === true ? "" : v);
  }
  el.append(...nodes(kids));
  return el;
}
// The nodes a list of children stands for: flattened, without null/undefined/false, strings
// as text. replaceChildren(...) and append(...) must only ever get these.
export function nodes(kids) {
  return kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false)
    .map((k) => (k instanceof Node ? k : String(k)));
}
