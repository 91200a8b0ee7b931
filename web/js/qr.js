// A QR code drawn in the page as SVG, by the qrcode-generator package from npm (vendored into
// web/vendor/ by scripts/vendor-web.sh: no outside service sees the tracker or a TOTP secret). One <rect> per run
// of dark modules in a row keeps the drawing small; the quiet zone is the 4 modules QR needs.
import qrcode from "/vendor/qrcode.mjs";

const SVG = "http://www.w3.org/2000/svg";

function el(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

// text as a QR code (error correction M); label: what it is, for people who cannot see it.
export function qrSvg(text, label) {
  const qr = qrcode(0, "M");
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount(), quiet = 4, size = n + 2 * quiet;
  const svg = el("svg", { viewBox: `0 0 ${size} ${size}`, role: "img", "aria-label": label, class: "qr",
                          "shape-rendering": "crispEdges" });
  svg.append(el("rect", { width: size, height: size, fill: "#fff" }));
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.isDark(r, c)) continue;
      let run = 1;
      while (c + run < n && qr.isDark(r, c + run)) run++;
      svg.append(el("rect", { x: c + quiet, y: r + quiet, width: run, height: 1, fill: "#000" }));
      c += run - 1;
    }
  }
  return svg;
}
