// Choosing one's district, where the municipality lets voters choose (some Polish cities do):
// once per group of districts and final for the election, so the page says so before the
// voter confirms. The server answers with a new session that holds the chosen district;
// then the ballots follow, one per district.
import { h } from "../api.js";
import { t, errorText } from "../i18n.js";
import { loadElection, session, setSession, sessionFrom, signedInHome } from "./state.js";
import { voterApi, SESSION_ENDED } from "./voter.js";
import { message, title, titleLang } from "./ui.js";

export async function choosePage(eid, v) {
  const { election } = await loadElection(eid);
  const s = session(eid);
  if (!s) return v.go(`#/e/${eid}/signin`, true);
  const choice = (s.choices || [])[0];
  if (!choice) return v.go(`#/e/${eid}/vote`, true);
  const group = (election.district_groups || []).find((g) => g.id === choice.group_id);
  const districts = choice.districts.map((id) => election.districts.find((d) => d.id === id)).filter(Boolean);
  const out = h("div", {});
  const legend = h("legend", {}, group ? h("span", { lang: titleLang(group.name) }, title(group.name)) : t("chooseDistrict"));
  const radios = districts.map((d) => h("label", { class: "choose", for: "d-" + d.id },
    h("input", { type: "radio", name: "district", id: "d-" + d.id, value: String(d.id), onchange: () => out.replaceChildren() }),
    h("span", { lang: titleLang(d.name) }, title(d.name))));
  let sending = false;
  async function choose() {
    if (sending) return;
    const picked = radios.map((l) => l.querySelector("input")).find((x) => x.checked);
    if (!picked) return out.replaceChildren(message(t("chooseMissing"), true));
    sending = true;
    out.replaceChildren();
    try {
      const r = await voterApi(eid, "POST", "/district-choice", { district_id: Number(picked.value) });
      setSession(eid, sessionFrom(r));
      v.go(signedInHome(eid, sessionFrom(r)), true);
    } catch (e) {
      if (e === SESSION_ENDED) return;
      out.replaceChildren(message(errorText(e), true));
    } finally { sending = false; }
  }
  v.show(h("h1", {}, t("chooseDistrict")), h("p", { class: "muted", lang: titleLang(election.title) }, title(election.title)),
    h("p", {}, t("chooseIntro")),
    h("form", { novalidate: true, onsubmit: (ev) => { ev.preventDefault(); choose(); } },
      h("fieldset", {}, legend, ...radios),
      message(t("chooseFinal")), out,
      h("p", {}, h("button", { type: "submit", id: "choose" }, t("chooseButton")))));
}
