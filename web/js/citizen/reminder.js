// "Remind me before voting closes": a voter who has signed in and not cast leaves an e-mail
// address or phone number; the server sends one reminder shortly before the closing time,
// unless the voter has cast by then (casting withdraws it). Shown on the ballot page.
import { api, h } from "../api.js";
import { t, getLang, locale, errorText } from "../i18n.js";
import { message } from "./ui.js";

function when(iso) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: "long", timeStyle: "short" }).format(new Date(iso));
}

// The box, or null where there is nothing to remind of (no closing time, or already cast).
export function reminderBox(eid, election, token, counted) {
  const closes = election.phases && election.phases.closed;
  if (counted || !closes || new Date(closes) <= new Date()) return null;
  const out = h("div", { "aria-live": "polite" });
  const input = h("input", { id: "remind-to", type: "text", autocomplete: "email", inputmode: "email", "aria-describedby": "remind-help" });
  const box = h("details", { class: "card" }, h("summary", {}, t("remindTitle")));
  let busy = false;
  const withdraw = h("button", { type: "button", class: "secondary", hidden: true, onclick: async () => {
    try {
      await api("DELETE", `/elections/${eid}/reminder`, undefined, token);
      withdraw.hidden = true;
      out.replaceChildren(message(t("remindWithdrawn")));
    } catch (e) { out.replaceChildren(message(errorText(e), true)); }
  } }, t("remindWithdraw"));
  const form = h("form", { onsubmit: async (ev) => {
      ev.preventDefault();
      if (busy) return;
      if (!input.value.trim()) { out.replaceChildren(message(t("contactMissing"), true)); input.focus(); return; }
      busy = true;
      try {
        const r = await api("POST", `/elections/${eid}/reminder`, { to: input.value.trim(), lang: getLang() }, token);
        out.replaceChildren(message(t("remindSet", { to: r.hint, when: when(r.closes_at) })));
        input.value = "";
        withdraw.hidden = false;
      } catch (e) {
        out.replaceChildren(message(e.field === "to" ? t("contactMissing") : errorText(e, "reminder"), true));
      } finally { busy = false; }
    } },
    h("p", { id: "remind-help", class: "hint" }, t("remindHelp", { when: when(closes) })),
    h("label", { for: "remind-to" }, t("contact")), input,
    h("p", { class: "row" }, h("button", { type: "submit" }, t("remindMe")), withdraw));
  box.append(form, out);
  // a request made earlier (another visit) shows as such
  api("GET", `/elections/${eid}/reminder`, undefined, token).then((r) => {
    if (r && r.reminder) { box.open = true; withdraw.hidden = false; out.replaceChildren(message(t("remindKept", { to: r.reminder.hint }))); }
  }).catch(() => { /* the box still works */ });
  return box;
}
