// Maps: the proposals with a place on the election page, and the place of an idea in its
// form (tap to place). Leaflet is vendored into /vendor/leaflet/ at build time (never a CDN);
// the tiles come from the server's --map-tiles setting (GET /api/v1/config), whose host is the
// only one the CSP lets images come from. A map is an addition to the list, never the only
// way: when Leaflet or the tiles cannot load, the page says so under the map and stays usable.
import { api, h } from "../api.js";
import { t } from "../i18n.js";

let lib = null, config = null;

// Leaflet and the tile settings, loaded once; null when either is missing.
async function leaflet() {
  if (lib && config) return { L: lib, map: config.map };
  try {
    if (!document.querySelector('link[href="/vendor/leaflet/leaflet.css"]'))
      document.head.append(h("link", { rel: "stylesheet", href: "/vendor/leaflet/leaflet.css" }));
    [lib, config] = await Promise.all([import("/vendor/leaflet/leaflet-src.esm.js"), config || api("GET", "/config")]);
    lib.Icon.Default.imagePath = "/vendor/leaflet/images/";
    return { L: lib, map: config.map };
  } catch (e) {
    return null;
  }
}

// A Leaflet map in box, with the page's language on its controls and a note when the tiles
// fail (the map still shows its markers on a blank ground).
function makeMap(L, map, box, note) {
  const m = L.map(box, { zoomControl: false, scrollWheelZoom: false });
  L.control.zoom({ zoomInTitle: t("mapZoomIn"), zoomOutTitle: t("mapZoomOut") }).addTo(m);
  m.attributionControl.setPrefix(false);
  const tiles = L.tileLayer(map.tiles, { attribution: map.attribution, maxZoom: 19 });
  tiles.once("tileerror", () => { note.textContent = t("mapTilesFailed"); note.hidden = false; });
  tiles.addTo(m);
  return m;
}

// Leaflet measures its box: it starts once the box is in the document and laid out.
function whenShown(el, fn) {
  let tries = 0;
  const tick = () => {
    if (el.isConnected && el.clientWidth) fn();
    else if (++tries < 100) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

const located = (p) => p.location && typeof p.location.lat === "number" && typeof p.location.lng === "number";

// The proposals that have a place, as markers with their titles; null when none has one.
// titleOf(p) is the title in the page's language; hrefOf(p) where a marker leads (or null).
export function proposalsMap(proposals, titleOf, hrefOf) {
  const placed = proposals.filter(located);
  if (!placed.length) return null;
  const box = h("div", { class: "map", role: "region", "aria-label": t("mapOfProposals") });
  const note = h("p", { class: "hint", hidden: true });
  whenShown(box, async () => {
    const got = await leaflet();
    if (!got) { note.textContent = t("mapUnavailable"); note.hidden = false; return; }
    const m = makeMap(got.L, got.map, box, note);
    const markers = placed.map((p) => {
      const name = titleOf(p), href = hrefOf ? hrefOf(p) : null;
      const popup = href ? h("a", { href }, name) : h("span", {}, name);
      return got.L.marker([p.location.lat, p.location.lng], { alt: name, title: name }).bindPopup(popup);
    });
    const group = got.L.featureGroup(markers).addTo(m);
    m.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 15 });
  });
  return h("section", { class: "map-section" }, h("h2", {}, t("map")), box, note);
}

// The place of an idea: tap (or click) the map to set the pin, tap again to move it; Remove
// takes it away. initial: {lat, lng} or null; center: where to start without one.
// Returns {node, value()} where value() is {lat, lng} or null.
export function placePicker(initial, center) {
  let at = initial && typeof initial.lat === "number" ? { lat: initial.lat, lng: initial.lng } : null;
  const box = h("div", { class: "map", id: "idea-map", role: "application", "aria-label": t("mapPickHelp") });
  const note = h("p", { class: "hint", hidden: true });
  const status = h("p", { class: "hint", id: "idea-place-status", "aria-live": "polite" });
  const clear = h("button", { type: "button", class: "secondary", hidden: !at }, t("mapRemovePin"));
  let marker = null, L = null, m = null;
  function draw() {
    status.textContent = at ? t("mapPinAt", { lat: at.lat.toFixed(5), lng: at.lng.toFixed(5) }) : t("mapNoPin");
    clear.hidden = !at;
    if (!m) return;
    if (at && !marker) marker = L.marker([at.lat, at.lng], { alt: t("mapPin"), keyboard: false }).addTo(m);
    else if (at) marker.setLatLng([at.lat, at.lng]);
    else if (marker) { marker.remove(); marker = null; }
  }
  clear.addEventListener("click", () => { at = null; draw(); });
  whenShown(box, async () => {
    const got = await leaflet();
    if (!got) { note.textContent = t("mapUnavailable"); note.hidden = false; return; }
    L = got.L;
    m = makeMap(L, got.map, box, note);
    const c = at || center || { lat: 55.68, lng: 12.57 };
    m.setView([c.lat, c.lng], at ? 16 : 12);
    m.on("click", (ev) => {
      const ll = ev.latlng.wrap();
      at = { lat: Math.round(ll.lat * 1e6) / 1e6, lng: Math.round(ll.lng * 1e6) / 1e6 };
      draw();
    });
    draw();
  });
  draw();
  return { node: [h("p", { class: "hint", id: "idea-map-help" }, t("mapPickHelp")), box, note, h("div", { class: "row" }, status, clear)],
           value: () => at };
}
