// The signed exports: every file the manifest lists, downloaded under the name the server
// gives (Content-Disposition: .pb, .json, .csv), with its detached Ed25519 signature
// (X-Signature) offered as a .sig file, and the public key as key.pem, which is what
// build/pbtally --verify takes.
import { h } from "../api.js";
import { t } from "../i18n.js";
import { fetchFile } from "./session.js";

// What a manifest URL holds, in words.
function label(url, districtName) {
  const q = new URL(url, location.origin).searchParams;
  const d = q.get("district") ? districtName(Number(q.get("district"))) : null;
  switch (q.get("format")) {
    case "pb": return t("obs_filePb", { district: d });
    case "csv": return t(q.get("kind") === "ballots" ? "obs_fileCsvBallots" : "obs_fileCsv", { district: d });
    case "trackers": return t("obs_fileTrackers");
    case "manifest": return t("obs_fileManifest");
    default: return d ? t("obs_fileJson", { district: d }) : t("obs_fileElection");
  }
}

// The file name from Content-Disposition (attachment; filename="x.pb").
function fileName(res, fallback) {
  const m = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "");
  return m ? m[1] : fallback;
}

export function save(blob, name) {
  const a = h("a", { href: URL.createObjectURL(blob), download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// One row: the file's description and size, Download, and after it the signature.
function fileRow(url, text, bytes) {
  const out = h("div", { class: "sig", "aria-live": "polite" });
  const button = h("button", { type: "button", class: "secondary small", "data-url": url, onclick: async () => {
    try {
      const res = await fetchFile(url);
      const name = fileName(res, "export");
      const sig = res.headers.get("X-Signature");
      save(await res.blob(), name);
      out.replaceChildren(h("p", {}, t("obs_downloaded", { file: name })), h("code", { class: "tracker" }, sig),
        h("button", { type: "button", class: "secondary small", "data-sig": name, onclick: () =>
          save(new Blob([sig + "\n"], { type: "text/plain" }), name + ".sig") }, `${t("obs_downloadSig")} (${name}.sig)`));
    } catch (e) {
      out.replaceChildren(h("p", { class: "msg error", role: "alert" }, t("obs_downloadFailed")));
    }
  } }, t("obs_download"));
  return h("li", {}, h("div", { class: "row" }, button, h("span", {}, text, bytes !== undefined ? ` — ${t("obs_bytes", { n: bytes })}` : "")), out);
}

export function exportsSection(eid, manifest, key, districtName) {
  const manifestUrl = `/api/v1/elections/${eid}/export?format=manifest`;
  const list = h("ul", { class: "files" }, manifest.files.map((f) => fileRow(f.url, label(f.url, districtName), f.bytes)),
    fileRow(manifestUrl, label(manifestUrl, districtName)));
  return [h("h2", { id: "exports" }, t("obs_exports")), h("p", {}, t("obs_exportsIntro")),
    h("pre", {}, "build/pbtally --verify key.pem --signature FILE.pb.sig FILE.pb"),
    key ? h("details", {}, h("summary", {}, t("obs_publicKey")), h("pre", {}, key.pem),
      h("button", { type: "button", class: "secondary small", onclick: () => save(new Blob([key.pem], { type: "application/x-pem-file" }), "key.pem") }, t("obs_downloadKey"))) : null,
    list];
}
