// The JSON API: every call returns the parsed body or throws {status, code, message}.
export async function api(method, path, body, token) {
  const headers = { "Accept": "application/json" };
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
// Builds DOM nodes: h("p", {class: "x"}, "text", child).
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else if (k === "style") el.style.cssText = v; // CSSOM: allowed by the strict CSP, unlike style=""
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined && kid !== false)
    el.append(kid instanceof Node ? kid : String(kid));
  return el;
}
