// A proposal's photos on the staff pages, part of its edit form: the photos as thumbnails
// with their alt text, type and size; upload one (type and size checked at the field before
// anything is sent, the server's refusal shown at the field); delete one after asking. The
// server stores pictures without their metadata (GPS position, camera), turned upright, and
// makes the first photo the proposal's picture (image_url): changed(proposal) tells the form.
import { h } from "../api.js";
import { t } from "../i18n.js";
import { call, fetchRaw, note, once, staffError, sure } from "./common.js";

const TYPES = ["image/jpeg", "image/png", "image/webp"];
const MAX_BYTES = 5 * 1024 * 1024;
const PER_PROPOSAL = 3;

// p: the proposal (its photos); title: its name in the page's language.
export function photosBox(p, title, changed) {
  const fid = `photo-file-${p.id}`;
  const n = note();
  const box = h("fieldset", { id: `photos-${p.id}`, class: "photos" });
  const alt = (i) => t("stPhotoAlt", { n: i + 1, title });
  const kind = (ph) => ph.content_type.replace("image/", "").toUpperCase();

  // The server's answer after a change: the photos and the picture as stored now.
  async function refresh(message) {
    const fresh = await call("GET", `/proposals/${p.id}`);
    p.photos = fresh.photos || [];
    p.image_url = fresh.image_url;
    if (changed) changed(fresh);
    draw();
    n.say(message);
  }

  function draw() {
    const photos = p.photos || [];
    const err = h("p", { id: fid + "-err", class: "field-error", hidden: true });
    const full = photos.length >= PER_PROPOSAL;
    const input = h("input", { type: "file", id: fid, name: fid, accept: TYPES.join(","), disabled: full,
      "aria-describedby": `${fid}-help ${fid}-err` });
    const wrong = (text) => { err.textContent = text; err.hidden = false; input.setAttribute("aria-invalid", "true"); input.focus(); };
    const clear = () => { err.hidden = true; err.textContent = ""; input.removeAttribute("aria-invalid"); };
    input.addEventListener("change", clear);
    const upload = once(async () => {
      clear();
      const file = input.files[0];
      if (!file) return wrong(t("stPhotoChoose"));
      if (!TYPES.includes(file.type)) return wrong(t("stPhotoWrongType"));
      if (file.size === 0) return wrong(t("stPhotoEmpty"));
      if (file.size > MAX_BYTES) return wrong(t("stPhotoTooBig"));
      try { await fetchRaw("POST", `/proposals/${p.id}/photos`, file, file.type); }
      catch (e) { return wrong(staffError(e)); }
      await refresh(t("stPhotoAdded", { title }));
    }, n);
    const list = photos.length
      ? h("ul", { class: "photo-list" }, photos.map((ph, i) => h("li", {},
        h("img", { src: ph.url, alt: alt(i), class: "photo thumb", width: ph.width, height: ph.height }),
        h("p", { class: "muted" }, `${alt(i)} · ${kind(ph)} · ${ph.width} × ${ph.height}`),
        h("button", { type: "button", class: "secondary small", id: `delete-photo-${ph.id}`, "aria-label": t("stDeletePhotoOf", { n: i + 1, title }),
          onclick: once(async () => {
            if (!sure(t("stConfirmDeletePhoto", { n: i + 1, title }))) return;
            await call("DELETE", `/proposals/${p.id}/photos/${ph.id}`);
            await refresh(t("stPhotoDeleted", { n: i + 1, title }));
          }, n) }, t("stDelete")))))
      : h("p", {}, t("stNoPhotos"));
    box.replaceChildren(h("legend", {}, t("stPhotos")), list,
      h("label", { for: fid }, t("stAddPhoto")),
      h("p", { id: fid + "-help", class: "hint" }, full ? t("stPhotosFull") : t("stPhotoHelp")),
      input, err,
      h("p", {}, h("button", { type: "button", class: "secondary", id: `upload-photo-${p.id}`, disabled: full, onclick: upload }, t("stUploadPhoto"))),
      n.box);
  }
  draw();
  return box;
}
