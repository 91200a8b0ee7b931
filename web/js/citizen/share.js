// "Where my share went", under the results. With the Method of Equal Shares every voter
// controls an equal part of the district's budget: the voter pastes the tracker from the
// receipt and sees which funded proposals that part helped pay, and what was left unspent
// (GET /results/share). Under greedy and Sequential Phragmén no voter has a share of their
// own: there the section says, for each funded proposal in the order it was chosen, why it won.
import { api, h } from "../api.js";
import { t, errorText } from "../i18n.js";
import { say } from "../page.js";
import { receipt } from "./state.js";
import { title, titleLang, cost, message } from "./ui.js";
import { scoreText, resultRule } from "./outcome.js";

const TRACKER = /^[0-9a-f]{64}$/;

// The text of key with the node title where its {title} is.
function sentence(key, vars, title) {
  const [before, after] = t(key, { ...vars, title: "\u0001" }).split("\u0001");
  return [before, title, after];
}

export function shareSection(eid, election, proposals, res) {
  // a proposal's name inside a sentence, marked with its language where it is not the page's
  const name = (id) => { const p = proposals.find((x) => x.id === id);
    return p ? h("span", { lang: titleLang(p.title) }, title(p.title)) : t("proposalNo", { id: String(id) }); };
  // frames counted by Equal Shares give each voter a share; the others say why each won
  const es = res.districts.filter((d) => resultRule(res, d) === "equal_shares");
  const others = res.districts.filter((d) => resultRule(res, d) !== "equal_shares");
  return h("section", { class: "share", "aria-labelledby": "share-h" }, h("h2", { id: "share-h" }, t("shareTitle")),
    es.length ? shareForm(eid, election, name) : null,
    others.length ? whyTheyWon(election, res, others, name) : null);
}

function shareForm(eid, election, name) {
  const input = h("input", { id: "share-tracker", value: receipt(eid) || "", spellcheck: "false", autocomplete: "off",
    "aria-describedby": "share-help share-err" });
  const err = h("p", { id: "share-err", class: "field-error", hidden: true });
  const out = h("div", { "aria-live": "polite" });
  function wrong(text) {
    err.textContent = text; err.hidden = false; input.setAttribute("aria-invalid", "true"); input.focus(); say(text);
  }
  async function show() {
    err.hidden = true; err.textContent = ""; input.removeAttribute("aria-invalid");
    out.replaceChildren();
    const tracker = input.value.trim().toLowerCase();
    if (!TRACKER.test(tracker)) return wrong(t("trackerInvalid"));
    let s;
    try { s = await api("GET", `/elections/${eid}/results/share?tracker=${tracker}`); }
    catch (e) {
      if (e.status === 404) return wrong(t("shareNotFound"));
      // a receipt of a budget counted by another rule: no share there (why each won is below)
      if (e.status === 409) return wrong(t("shareOtherRule"));
      return out.replaceChildren(message(errorText(e), true));
    }
    const district = election.districts.find((d) => d.id === s.district_id);
    out.replaceChildren(
      h("p", {}, t("shareYours", { share: cost(s.voter_budget), district: district ? title(district.name) : "" })),
      s.paid.length ? h("ul", { class: "paid" }, s.paid.map((x) => h("li", {}, sentence("sharePaid", { amount: cost(Math.round(x.amount)) }, name(x.project_id)))))
        : h("p", {}, t("shareNothing")),
      h("p", {}, t("shareUnspent", { amount: cost(Math.round(s.unspent)) })));
    say(out.textContent);
  }
  return h("div", {}, h("p", { id: "share-help" }, t("shareIntro")),
    h("form", { novalidate: true, onsubmit: (ev) => { ev.preventDefault(); show(); } },
      h("label", { for: "share-tracker" }, t("trackerLabel")), input, err,
      h("p", {}, h("button", { type: "submit" }, t("shareShow")))),
    out);
}

// Greedy: the most support first, while the money lasts; Phragmén: the proposal whose
// supporters can pay it soonest, the cost spread over them as evenly as possible.
// ds: the districts counted by greedy or Phragmén (the intro is said once where they share
// the rule, else under each district's name).
function whyTheyWon(election, res, ds, name) {
  const intro = (rule) => h("p", {}, t(rule === "phragmen" ? "whyIntroPhragmen" : "whyIntroGreedy"));
  const one = new Set(ds.map((d) => resultRule(res, d))).size === 1;
  const per = ds.filter((d) => d.winners.length).map((d) => {
    const dist = election.districts.find((x) => x.id === d.district_id);
    const rule = resultRule(res, d);
    let left = d.budget;
    const items = d.winners.map((id, k) => {
      const p = d.projects.find((x) => x.id === id);
      const vars = { score: scoreText(election, p.score, d.district_id), left: cost(left), k: String(k + 1) };
      left -= p.cost;
      return h("li", {}, sentence(rule === "phragmen" ? "whyPhragmen" : "whyGreedy", vars, name(id)));
    });
    return [res.districts.length > 1 && dist ? h("h3", { lang: titleLang(dist.name) }, title(dist.name)) : null,
      one ? null : intro(rule), h("ol", {}, items)];
  });
  return h("div", {}, one ? intro(resultRule(res, ds[0])) : null, per.length ? per : h("p", {}, t("nothingFunded")));
}
