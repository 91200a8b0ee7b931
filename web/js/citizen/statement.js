// The accessibility statement (#/accessibility; Danish public bodies must publish a
// "tilgængelighedserklæring"): which standard the pages meet, how that is tested, what is
// known not to work, whom to contact, and where to complain. The texts are in every
// language's table; who runs this installation comes from web/site.json, which each
// municipality edits (docs/ACCESSIBILITY.md).
import { h } from "../api.js";
import { t, locale } from "../i18n.js";

// The installation's own details, read from the same origin as the page.
async function site() {
  const res = await fetch("/site.json", { credentials: "omit" });
  if (!res.ok) throw { status: res.status, code: "not_found" };
  return res.json();
}

export async function statementPage(v) {
  const s = await site();
  const org = s.organisation || t("app");
  const date = s.statement_date ? new Intl.DateTimeFormat(locale(), { dateStyle: "long" }).format(new Date(s.statement_date + "T12:00:00Z")) : null;
  const contact = [
    s.email ? h("li", {}, h("a", { href: "mailto:" + s.email }, s.email)) : null,
    s.phone ? h("li", {}, h("a", { href: "tel:" + s.phone.replace(/\s+/g, "") }, s.phone)) : null,
  ].filter(Boolean);
  v.show(
    h("h1", {}, t("a11yTitle")),
    h("p", {}, t("a11yIntro", { organisation: org })),
    h("h2", {}, t("a11yStatusTitle")), h("p", {}, t("a11yStatus")),
    h("h2", {}, t("a11yTestedTitle")), h("p", {}, t("a11yTested")),
    h("h2", {}, t("a11yLimitsTitle")),
    h("ul", {}, ["a11yLimitMap", "a11yLimitPhotos", "a11yLimitContent"].map((k) => h("li", {}, t(k)))),
    h("h2", {}, t("a11yContactTitle")), h("p", {}, t("a11yContact", { organisation: org })),
    contact.length ? h("ul", {}, contact) : null,
    h("h2", {}, t("a11yComplainTitle")), h("p", {}, t("a11yComplain")),
    h("p", {}, h("a", { href: "https://www.was.digst.dk/", lang: "da" }, "Digitaliseringsstyrelsen – was.digst.dk")),
    date ? h("p", { class: "muted" }, t("a11yDate", { date })) : null,
    h("p", {}, h("a", { href: "#/" }, t("back"))));
}
