// What every page (citizen, staff, observer) does the same way: draw a view into <main>,
// name the document after it, move the focus to it, speak in the live region, and keep the
// skip link from being taken for a route.
import { nodes } from "./api.js";

const main = document.getElementById("main");
let drawn = false;

// Routes are "#/..." only. "#main" (the skip link's target) or any other in-page anchor is not
// a route: the page must not leave the view for it.
export function isRoute(hash) { return hash === "" || hash === "#" || hash.startsWith("#/"); }

// The skip link focuses the content itself; without this, its "#main" would change the hash.
for (const a of document.querySelectorAll('a.skip[href="#main"]'))
  a.addEventListener("click", (ev) => { ev.preventDefault(); main.focus(); });

// A table wider than the screen (a staff table on a phone) scrolls in a box of its own, so
// that the page itself never scrolls sideways (where a tap can land on the wrong row). The box
// is a Tab stop only while it scrolls, so that a keyboard can scroll it too (focus lands on
// the table it holds). Every table put into <main>, by a view or later, gets its box.
const boxed = new WeakSet();
function boxTable(table) {
  if (boxed.has(table) || !table.isConnected) return;
  boxed.add(table);
  const box = document.createElement("div");
  box.className = "table-box";
  table.replaceWith(box);
  box.append(table);
  new ResizeObserver(() => {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls === box.hasAttribute("tabindex")) return;
    if (scrolls) box.tabIndex = 0; else box.removeAttribute("tabindex");
  }).observe(box);
}
if (main) {
  const boxAll = () => { for (const t of main.querySelectorAll("table")) boxTable(t); };
  new MutationObserver(boxAll).observe(main, { childList: true, subtree: true });
}

// Replaces the view. The first view of a page load leaves the focus where the browser has it
// (so the skip link is the first Tab stop); later views move it to their heading, so that
// screen readers and keyboards start at the new content.
export function show(appName, ...kids) {
  main.replaceChildren(...nodes(kids));
  const h1 = main.querySelector("h1");
  document.title = h1 ? `${h1.textContent} – ${appName}` : appName;
  if (h1 && drawn) { h1.tabIndex = -1; h1.focus(); }
  drawn = true;
}

// Marks <main> busy while a view is being fetched and drawn (until the last of overlapping
// routes is done).
let pending = 0;
export async function busy(fn) {
  pending++;
  main.setAttribute("aria-busy", "true");
  try { return await fn(); } finally { if (--pending === 0) main.removeAttribute("aria-busy"); }
}

// Says text in the polite live region (emptied first, so that a repeat is spoken again).
export function say(text) {
  const live = document.getElementById("live");
  if (!live) return;
  live.textContent = "";
  setTimeout(() => { live.textContent = text; }, 50);
}
