// The organisation's admins say which of their own web sites may show its votes
// (#/org/ID/embed/ELECTION): the sites (origins) allowed to frame the widget, whether voting
// itself may be framed there, and the script tag to paste for each view, with a preview.
// Used by admin.js (one route, one link).
import { api, h } from "./api.js";
import { t } from "./i18n.js";
import { tickLabel } from "./admin/common.js";

function msg(text, error) { return h("div", { class: "msg" + (error ? " error" : ""), role: error ? "alert" : "status" }, text); }

// The tag a site pastes; the server's own origin, so it works whatever address staff use.
function snippet(eid, view) {
  return `<script src="${location.origin}/embed.js" data-election="${eid}" data-view="${view}" async></script>`;
}

function copyButton(text, out) {
  return h("button", { type: "button", class: "secondary small", onclick: async () => {
    try { await navigator.clipboard.writeText(text); out.replaceChildren(msg(t("embedCopied"))); }
    catch (e) { out.replaceChildren(msg(t("embedCopyFailed"), true)); }
  } }, t("embedCopy"));
}

export async function embedPage(show, token, org, eid) {
  const settings = await api("GET", `/organisations/${org}/embed`, undefined, token);
  const out = h("div", { id: "embed-out", tabindex: "-1" });
  const sites = h("textarea", { id: "embed-origins", rows: 4, "aria-describedby": "embed-origins-help" },
    settings.origins.join("\n"));
  const voting = h("input", { type: "checkbox", id: "embed-voting", checked: settings.allow_voting });
  let saving = false;
  const form = h("form", { onsubmit: async (ev) => {
      ev.preventDefault();
      if (saving) return;   // a double-click sends one request
      saving = true;
      const origins = sites.value.split(/\s+/).map((s) => s.trim()).filter(Boolean);
      try {
        const r = await api("PUT", `/organisations/${org}/embed`, { origins, allow_voting: voting.checked }, token);
        sites.value = r.origins.join("\n");
        out.replaceChildren(msg(r.origins.length ? t("embedSaved", { n: r.origins.length }) : t("embedSavedNone")));
      } catch (e) {
        out.replaceChildren(msg(e.field === "origins" ? t("embedBadSite", { detail: e.message }) : t("err_generic"), true));
      } finally { saving = false; out.focus(); }
    } },
    h("label", { for: "embed-origins" }, t("embedSites")),
    h("p", { class: "hint", id: "embed-origins-help" }, t("embedSitesHelp")), sites,
    tickLabel(voting, t("embedVoting")),
    h("p", {}, h("button", { type: "submit" }, t("embedSave"))), out);
  const tags = eid ? ["proposals", "results", "turnout", "vote"].map((view) => {
    const code = snippet(eid, view);
    const copied = h("div", {});
    return h("li", {}, h("h3", {}, t("embedView_" + view)), h("pre", { class: "snippet" }, h("code", {}, code)),
      h("p", { class: "row" }, copyButton(code, copied),
        h("a", { href: `/embed/${eid}?view=${view}`, target: "_blank", rel: "noopener" }, t("embedPreview"))), copied);
  }) : [];
  show(h("h1", {}, t("embedTitle")), h("p", {}, t("embedIntro")), form,
    eid ? [h("h2", {}, t("embedTags")), h("p", {}, t("embedTagsHelp")), h("ul", { class: "plain" }, tags)] : null,
    eid ? h("p", {}, h("a", { href: `#/e/${eid}` }, t("back"))) : null);
}
