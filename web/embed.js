// Borgerbudget on a municipality's own site. Paste where the widget should appear:
//   <script src="https://BORGERBUDGET-SERVER/embed.js" data-election="ID" async></script>
// data-view: proposals (default), results, turnout or vote (voting only where the
// organisation allows it); data-lang: da, en, ... (default: the page's own language);
// data-title: the frame's name for screen readers. The frame is served with the
// organisation's allowed sites as its frame-ancestors, so it shows only on those sites.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.getAttribute("data-election")) return;
  var origin = new URL(script.src).origin;
  var view = script.getAttribute("data-view") || "proposals";
  var lang = script.getAttribute("data-lang") || (document.documentElement.lang || "").slice(0, 2);
  var src = origin + "/embed/" + encodeURIComponent(script.getAttribute("data-election")) +
    "?view=" + encodeURIComponent(view) + (lang ? "&lang=" + encodeURIComponent(lang) : "");
  if (view === "vote") src += "#/e/" + encodeURIComponent(script.getAttribute("data-election"));
  var frame = document.createElement("iframe");
  frame.src = src;
  frame.title = script.getAttribute("data-title") || "Borgerbudget";
  frame.loading = "lazy";
  frame.style.width = "100%";
  frame.style.border = "0";
  frame.style.height = view === "vote" ? "720px" : "480px";
  script.parentNode.insertBefore(frame, script.nextSibling);
  // The widget says how tall its content is; only that frame, from that origin, is heard.
  window.addEventListener("message", function (ev) {
    var d = ev.data;
    if (ev.source !== frame.contentWindow || ev.origin !== origin || !d || d.type !== "borgerbudget:height") return;
    var px = Number(d.height);
    if (px > 0 && px < 20000) frame.style.height = Math.ceil(px) + "px";
  });
})();
