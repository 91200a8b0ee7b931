// The audit log, read and checked in the browser. The server writes each entry's hash as
// sha256(prev_hash bytes || UTF-8 canonical text) (schema/functions/audit.sql); the page
// recomputes every hash with WebCrypto, checks that each entry links to the one before, and
// that the canonical text names the entry shown (number, staff member, action). It names the
// first broken entry, or how far the chain is intact.
import { h } from "../api.js";
import { t, locale } from "../i18n.js";

function hexBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}
function hexOf(buf) { return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join(""); }

// The text is seq|organisation|election|staff|action|details|at: the fields shown must be its.
function textNamesEntry(a) {
  const f = a.text.split("|");
  return f[0] === String(a.seq) && f[3] === (a.staff_id == null ? "" : String(a.staff_id)) && f[4] === a.action;
}

// {entries, lastSeq} when intact, or {broken: seq, why} at the first entry that fails.
export async function verifyChain(entries) {
  let prev = "";
  for (const a of entries) {
    if (a.prev_hash !== prev) return { broken: a.seq, why: t("obs_whyLink") };
    if (!textNamesEntry(a)) return { broken: a.seq, why: t("obs_whyText") };
    const text = new TextEncoder().encode(a.text);
    const prevBytes = hexBytes(a.prev_hash);
    const input = new Uint8Array(prevBytes.length + text.length);
    input.set(prevBytes);
    input.set(text, prevBytes.length);
    if (hexOf(await crypto.subtle.digest("SHA-256", input)) !== a.hash) return { broken: a.seq, why: t("obs_whyChanged") };
    prev = a.hash;
  }
  return { entries: entries.length, lastSeq: entries.length ? entries[entries.length - 1].seq : null };
}

export function auditSection(entries) {
  const verdict = h("p", { class: "msg", role: "status", id: "chain" }, t("obs_verifying"));
  const fmt = new Intl.DateTimeFormat(locale(), { dateStyle: "short", timeStyle: "medium" });
  const rows = new Map();
  const table = h("table", { class: "audit" },
    h("caption", { class: "sr-only" }, t("obs_audit")),
    h("thead", {}, h("tr", {}, [t("obs_colSeq"), t("obs_colWhen"), t("obs_colStaff"), t("obs_colAction"), t("obs_colHash")].map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, entries.map((a) => {
      const row = h("tr", { id: "audit-" + a.seq }, h("th", { scope: "row" }, String(a.seq)), h("td", {}, fmt.format(new Date(a.at))),
        h("td", {}, a.staff_id == null ? t("obs_system") : a.staff_email || "#" + a.staff_id), h("td", {}, h("code", {}, a.action)),
        h("td", {}, h("code", {}, a.hash.slice(0, 12) + "…")));
      rows.set(a.seq, row);
      return row;
    })));
  const check = async () => {
    if (!globalThis.crypto?.subtle) { verdict.textContent = t("obs_noCrypto"); verdict.classList.add("error"); return; }
    const v = await verifyChain(entries);
    if (v.broken !== undefined) {
      verdict.textContent = t("obs_chainBroken", { seq: String(v.broken), why: v.why });
      verdict.classList.add("error");
      verdict.setAttribute("role", "alert");
      const row = rows.get(v.broken);
      row.classList.add("broken");
      row.cells[0].append(" ", h("strong", {}, t("obs_brokenMark")));
    } else verdict.textContent = v.entries ? t("obs_chainIntact", { seq: String(v.lastSeq), n: v.entries }) : t("obs_chainEmpty");
  };
  return { nodes: [h("h2", { id: "audit" }, t("obs_audit")), h("p", {}, t("obs_auditIntro")), verdict,
    h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": t("obs_audit") }, table)], check };
}
