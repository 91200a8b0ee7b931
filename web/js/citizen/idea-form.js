// The idea form (#/e/ID/idea, and ?edit=PID for an idea waiting for review), made for a
// phone: title, description, district, category, an optional rough cost (staff set the real
// one), a photo with a preview (type and size checked at the field before anything is sent;
// the server checks the bytes again), the place: tapped on a map and/or an address, and,
// where the municipality sends messages, the address the moderation decision is sent to.
import { api, h } from "../api.js";
import { t, getLang, errorText } from "../i18n.js";
import { say } from "../page.js";
import { loadElection, session, setFlash } from "./state.js";
import { title, message } from "./ui.js";
import { voterApi } from "./voter.js";
import { field, valid } from "./signin.js";
import { placePicker } from "./map.js";

const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
const PHOTO_MAX = 5 * 1024 * 1024;
const PHOTOS_PER_IDEA = 3;

// A labelled control other than <input> (select, textarea) with a hint and an error line.
function control(tag, id, label, attrs, kids, hint) {
  const err = h("p", { id: id + "-err", class: "field-error", hidden: true });
  const help = hint ? h("p", { id: id + "-help", class: "hint" }, hint) : null;
  const input = h(tag, { id, name: id, "aria-describedby": [hint ? id + "-help" : "", id + "-err"].join(" ").trim(), ...attrs }, kids);
  return {
    input, node: [h("label", { for: id }, label), help, input, err],
    value: () => input.value.trim(),
    clear() { err.hidden = true; err.textContent = ""; input.removeAttribute("aria-invalid"); },
    wrong(text) { err.textContent = text; err.hidden = false; input.setAttribute("aria-invalid", "true"); return false; },
  };
}

// The photo field: a file chooser whose choice is checked and previewed at once. A preview is
// a data: URL (the CSP allows data: images, not blob:).
function photoField(free) {
  const f = field("idea-photo", t("photo"), { type: "file", accept: PHOTO_TYPES.join(","), disabled: free <= 0 },
    free > 0 ? t("photoHelp") : t("photoLimitReached"));
  const preview = h("div", { class: "preview" });
  let chosen = null;
  f.input.addEventListener("change", () => {
    f.clear();
    preview.replaceChildren();
    chosen = null;
    const file = f.input.files[0];
    if (!file) return;
    if (!PHOTO_TYPES.includes(file.type)) { f.input.value = ""; f.wrong(t("photoWrongType")); say(t("photoWrongType")); return; }
    if (file.size > PHOTO_MAX) { f.input.value = ""; f.wrong(t("photoTooBig")); say(t("photoTooBig")); return; }
    if (file.size === 0) { f.input.value = ""; f.wrong(t("photoEmpty")); say(t("photoEmpty")); return; }
    chosen = file;
    const reader = new FileReader();
    reader.onload = () => preview.replaceChildren(h("img", { src: reader.result, alt: t("photoPreview"), class: "photo thumb", id: "idea-photo-preview" }));
    reader.readAsDataURL(file);
  });
  return { ...f, node: [f.node, preview], file: () => chosen };
}

// Sends the chosen picture as the raw body with its type; the server answers {id, url}.
async function uploadPhoto(eid, pid, file) {
  const res = await fetch(`/api/v1/proposals/${pid}/photos`, { method: "POST", body: file, credentials: "omit",
    headers: { "Content-Type": file.type, "Accept": "application/json", "Authorization": "Bearer " + session(eid).token } });
  if (res.ok) return res.json();
  let err = null;
  try { err = (await res.json()).error; } catch (e) { err = null; }
  throw { status: res.status, code: err?.code || "http_" + res.status, field: "photo" };
}

// "Tell me the decision": offered where the municipality delivers (receipt_channels), by
// e-mail, or by e-mail or SMS where it sends SMS. kept: the address given before ({channel,
// hint}), shown masked only. value() is undefined (leave as it is), null (withdraw),
// {to, lang}, or false when what was typed cannot be an address (the field says so).
function notifyField(channels, kept) {
  const both = channels.includes("sms");
  const box = h("input", { type: "checkbox", id: "idea-notify", checked: !!kept, "aria-controls": "idea-notify-wrap" });
  const to = field("idea-notify-to", t(both ? "notifyToBoth" : "notifyToEmail"),
    { type: both ? "text" : "email", autocomplete: "email", inputmode: "email", spellcheck: "false", maxlength: 254 },
    kept ? t("notifyKeep", { to: kept.hint }) : null);
  const wrap = h("div", { id: "idea-notify-wrap", hidden: !kept }, to.node);
  box.addEventListener("change", () => { wrap.hidden = !box.checked; to.clear(); if (box.checked) to.input.focus(); });
  const node = h("fieldset", {}, h("legend", {}, t("notifyTitle")),
    h("p", { class: "hint" }, t("notifyHelp")),
    kept ? h("p", { id: "idea-notify-kept" }, t("notifyKept", { to: kept.hint })) : null,
    h("p", { class: "choice" }, box, h("label", { for: "idea-notify", class: "inline" }, t(both ? "notifyAskBoth" : "notifyAskEmail"))),
    wrap);
  const fail = (text) => { to.wrong(text); to.input.focus(); say(text); return false; };
  return {
    node, field: to,
    value() {
      to.clear();
      if (!box.checked) return kept ? null : undefined;
      const v = to.value();
      if (!v) return kept ? undefined : fail(t("notifyMissing"));
      const email = /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v), phone = both && /^\+?[0-9][0-9 ]{6,18}[0-9]$/.test(v);
      if (!email && !phone) return fail(t(both ? "notifyInvalidBoth" : "notifyInvalidEmail"));
      return { to: v, lang: getLang() };
    },
  };
}

// Minor units from what the citizen typed in whole currency units ("12 000", "12.000", "12000").
function minorUnits(s) {
  const digits = s.replace(/[\s.,']/g, "");
  return /^\d{1,13}$/.test(digits) && +digits > 0 ? +digits * 100 : null;
}

export async function ideaFormPage(eid, v, query) {
  const { election, proposals } = await loadElection(eid);
  const s = session(eid);
  if (!s) return v.go(`#/e/${eid}/signin`, true);
  if (election.phase !== "proposals")
    return v.show(h("h1", {}, title(election.title)), message(t("ideasClosed"), true), h("p", {}, h("a", { href: `#/e/${eid}` }, t("back"))));
  const editId = new URLSearchParams(query || "").get("edit");
  const idea = editId ? (await voterApi(eid, "GET", "/my-proposals")).proposals.find((p) => String(p.id) === editId) : null;
  if (editId && (!idea || idea.status !== "submitted"))
    return v.show(h("h1", {}, t("editIdeaTitle")), message(t("ideaNotEditable"), true), h("p", {}, h("a", { href: `#/e/${eid}/ideas` }, t("myIdeas"))));
  // texts are stored under the page's language where the election has it
  const lang = (election.languages || []).includes(getLang()) ? getLang() : election.default_language;
  const text = (x) => (x ? x[lang] || title(x) : "");

  const name = field("idea-title", t("ideaTitle"), { maxlength: 300, autocomplete: "off", value: text(idea?.title) });
  const desc = control("textarea", "idea-description", t("ideaDescription"), { rows: 6, maxlength: 20000 }, [text(idea?.description)], t("ideaDescriptionHelp"));
  const ds = election.districts || [];
  const district = ds.length > 1 ? control("select", "idea-district", t("district"), {},
    ds.map((d) => h("option", { value: String(d.id), selected: String(d.id) === String(idea?.district_id ?? s.district_id) }, title(d.name)))) : null;
  const cats = election.categories || [];
  const category = cats.length ? control("select", "idea-category", t("category"), {},
    [h("option", { value: "" }, t("noCategory")), ...cats.map((c) => h("option", { value: c.key, selected: c.key === idea?.category }, title(c.name)))]) : null;
  const money = field("idea-cost", t("roughCost", { currency: election.currency || "DKK" }),
    { inputmode: "numeric", autocomplete: "off", value: idea?.cost ? String(Math.round(idea.cost / 100)) : "" }, t("roughCostHelp"));
  const photo = photoField(PHOTOS_PER_IDEA - (idea?.photos?.length || 0));
  const address = field("idea-address", t("address"), { maxlength: 300, autocomplete: "street-address", value: idea?.location?.address || "" });
  // without a pin yet, the map starts where the election's proposals are
  const placed = proposals.filter((p) => typeof p.location?.lat === "number");
  const center = placed.length ? { lat: placed.reduce((a, p) => a + p.location.lat, 0) / placed.length,
                                   lng: placed.reduce((a, p) => a + p.location.lng, 0) / placed.length } : null;
  const place = placePicker(idea?.location, center);
  const channels = election.receipt_channels || [];
  const notify = channels.length ? notifyField(channels, idea?.notify) : null;
  const out = h("div", {});
  let sending = false;
  let saved = idea;   // once sent, a second try (after a refused photo) changes the same idea

  async function submit(ev) {
    ev.preventDefault();
    if (sending) return;
    const checks = [[name, (x) => x !== "", t("ideaTitleMissing")], [desc, (x) => x !== "", t("ideaDescriptionMissing")],
      [money, (x) => x === "" || minorUnits(x) !== null, t("roughCostInvalid")]];
    if (!valid(checks)) return;
    const told = notify ? notify.value() : undefined;
    if (told === false) return;
    const body = { title: { [lang]: name.value() }, description: { [lang]: desc.value() } };
    if (district) body.district_id = +district.value();
    else if (!saved) body.district_id = ds[0]?.id;
    if (category) body.category = category.value() || null;
    const c = money.value() ? minorUnits(money.value()) : null;
    if (c || saved) body.cost = c;
    const at = place.value(), addr = address.value();
    if (at || addr) body.location = { ...(at || {}), ...(addr ? { address: addr } : {}) };
    else if (saved) body.location = null;
    if (told !== undefined) body.notify = told;
    sending = true;
    out.replaceChildren(message(t("sending")));
    try {
      saved = saved ? await api("PATCH", `/proposals/${saved.id}`, body, s.token) : await voterApi(eid, "POST", "/proposals", body);
      const file = photo.file();
      if (file) await uploadPhoto(eid, saved.id, file);
      setFlash(idea ? t("ideaSaved") : t("ideaThanks"));
      v.go(`#/e/${eid}/ideas`);
    } catch (e) {
      if (e.field === "photo") {
        // the idea is saved; only the picture was refused: say it at the field
        const text = errorText(e, "photo");
        photo.wrong(text);
        out.replaceChildren(message(idea ? text : t("ideaSavedPhotoFailed"), true));
        photo.input.focus();
        say(text);
      } else if (e.field && e.field.startsWith("notify") && notify) {
        const text = errorText(e, "notify");
        notify.field.wrong(text);
        out.replaceChildren(message(text, true));
        notify.field.input.focus();
        say(text);
      } else {
        out.replaceChildren(message(errorText(e, "idea"), true));
      }
    } finally { sending = false; }
  }

  v.show(h("h1", {}, idea ? t("editIdeaTitle") : t("submitIdea")), h("p", {}, title(election.title)),
    h("form", { novalidate: true, onsubmit: submit, class: "idea-form" },
      name.node, desc.node, district?.node, category?.node, money.node,
      (idea?.photos || []).map((ph) => h("img", { src: ph.url, alt: t("photoOf", { title: title(idea.title) }), class: "photo thumb" })),
      photo.node,
      h("fieldset", {}, h("legend", {}, t("ideaPlace")), place.node, address.node),
      notify?.node, out, h("p", { class: "row" }, h("button", { type: "submit" }, idea ? t("saveIdea") : t("sendIdea")),
        h("a", { href: idea ? `#/e/${eid}/ideas` : `#/e/${eid}` }, t("back")))));
}
