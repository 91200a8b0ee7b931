// The citizen pages: read proposals, sign in, vote with the ballot type's own interaction,
// review, cast, keep the receipt, check it on the bulletin board, see the results.
// Routes live in the URL hash: #/e/ID, #/e/ID/signin, #/e/ID/vote, #/e/ID/receipt,
// #/e/ID/board, #/e/ID/results. ?kiosk=1 signs the voter out after each ballot.
import { api, h, nodes } from "./api.js";
import { t, pick, money, errorText, getLang, setLang } from "./i18n.js";

const main = document.getElementById("main");
const kiosk = new URLSearchParams(location.search).get("kiosk") === "1";
const store = sessionStorage;
let election = null;   // the current election (from the API)
let proposals = [];    // its accepted proposals
let draft = null;      // the ballot being built

function session(eid) { try { return JSON.parse(store.getItem("pb-voter-" + eid)); } catch (e) { return null; } }
function setSession(eid, s) { if (s) store.setItem("pb-voter-" + eid, JSON.stringify(s)); else store.removeItem("pb-voter-" + eid); }
function say(text) { const live = document.getElementById("live"); live.textContent = ""; setTimeout(() => { live.textContent = text; }, 30); }

function show(...kids) {
  main.replaceChildren(...nodes(kids));
  const h1 = main.querySelector("h1");
  if (h1) { h1.tabIndex = -1; h1.focus(); }
}
function message(text, error) { return h("div", { class: "msg" + (error ? " error" : ""), role: error ? "alert" : "status" }, text); }
function fail(err) { show(h("h1", {}, t("app")), message(errorText(err), true), h("p", {}, h("a", { href: "#/" }, t("back")))); }
function title(x) { return pick(x, election && election.default_language); }
function cost(c) { return money(c, election && election.currency); }

async function loadElection(eid) {
  if (!election || String(election.id) !== String(eid)) {
    election = await api("GET", `/elections/${eid}`);
    proposals = (await api("GET", `/elections/${eid}/proposals`)).proposals;
  }
  return election;
}

async function home() {
  const list = (await api("GET", "/elections")).elections.filter((e) => e.phase !== "draft");
  show(h("h1", {}, t("elections")),
    list.length ? list.map((e) => h("div", { class: "card" },
      h("h2", { style: "margin-top:0" }, h("a", { href: `#/e/${e.id}` }, pick(e.title, e.default_language))),
      h("p", { class: "muted" }, t("phase_" + e.phase)))) : h("p", {}, t("noElections")));
}

function proposalCard(p, extra) {
  return h("article", { class: "card" },
    p.image_url ? h("img", { src: p.image_url, alt: "", style: "max-width:100%;border-radius:.3rem" }) : null,
    h("h3", {}, title(p.title)),
    h("p", {}, title(p.summary)),
    h("p", { class: "row" }, h("span", { class: "cost" }, cost(p.cost)),
      p.category ? h("span", { class: "tag" }, categoryName(p.category)) : null),
    extra || null);
}

function categoryName(key) {
  const c = (election.categories || []).find((x) => x.key === key);
  return c ? title(c.name) : key;
}

async function electionPage(eid) {
  await loadElection(eid);
  const s = session(eid);
  const districtSel = h("select", { id: "f-district" }, h("option", { value: "" }, t("allDistricts")),
    election.districts.map((d) => h("option", { value: d.id }, title(d.name))));
  const cats = [...new Set(proposals.map((p) => p.category).filter(Boolean))];
  const catSel = h("select", { id: "f-cat" }, h("option", { value: "" }, t("allCategories")),
    cats.map((c) => h("option", { value: c }, categoryName(c))));
  const sortSel = h("select", { id: "f-sort" }, h("option", { value: "cost" }, t("sortCost")),
    h("option", { value: "-cost" }, t("sortCostDesc")), h("option", { value: "title" }, t("sortTitle")));
  const list = h("div", {});
  function render() {
    let ps = proposals.filter((p) => (!districtSel.value || String(p.district_id) === districtSel.value) &&
                                     (!catSel.value || p.category === catSel.value));
    const k = sortSel.value;
    ps.sort((a, b) => k === "title" ? title(a.title).localeCompare(title(b.title)) : (k === "cost" ? a.cost - b.cost : b.cost - a.cost));
    list.replaceChildren(...ps.map((p) => proposalCard(p)));
  }
  for (const el of [districtSel, catSel, sortSel]) el.addEventListener("change", render);
  render();
  const actions = h("p", { class: "row" });
  if (election.phase === "voting")
    actions.append(h("a", { class: "button", href: s ? `#/e/${eid}/vote` : `#/e/${eid}/signin` }, s ? t("yourBallot") : t("signIn")));
  if (election.phase === "published")
    actions.append(h("a", { class: "button", href: `#/e/${eid}/results` }, t("results")));
  if (["voting", "closed", "published"].includes(election.phase))
    actions.append(h("a", { class: "button secondary", href: `#/e/${eid}/board` }, t("board")));
  show(h("h1", {}, title(election.title)), h("p", {}, title(election.description)),
    h("p", { class: "muted" }, t("phase_" + election.phase)), actions,
    h("h2", {}, t("proposals")),
    h("div", { class: "row" },
      h("div", { class: "grow" }, h("label", { for: "f-district" }, t("district")), districtSel),
      h("div", { class: "grow" }, h("label", { for: "f-cat" }, t("category")), catSel),
      h("div", { class: "grow" }, h("label", { for: "f-sort" }, t("sort")), sortSel)),
    list);
}

async function signInPage(eid) {
  await loadElection(eid);
  if (election.phase !== "voting") return show(h("h1", {}, title(election.title)), message(t("votingClosed"), true));
  const msg = h("div", {});
  const forms = {
    code: () => {
      const input = h("input", { id: "code", name: "code", autocomplete: "one-time-code", autocapitalize: "characters",
                                 spellcheck: "false", "aria-describedby": "code-help", required: true });
      return h("form", { onsubmit: (ev) => { ev.preventDefault(); login({ method: "code", code: input.value.trim() }); } },
        h("label", { for: "code" }, t("code")), input, h("p", { id: "code-help", class: "muted" }, t("codeHelp")),
        h("button", { type: "submit" }, t("continue")));
    },
    register: () => {
      const f = ["personal_id", "birth_date", "postcode"];
      const labels = [t("personalId"), t("birthDate"), t("postcode")];
      const inputs = f.map((k) => h("input", { id: "r-" + k, name: k, autocomplete: "off" }));
      return h("form", { onsubmit: (ev) => { ev.preventDefault();
        const reg = {}; f.forEach((k, i) => { if (inputs[i].value.trim()) reg[k] = inputs[i].value.trim(); });
        login({ method: "register", register: reg }); } },
        f.map((k, i) => [h("label", { for: "r-" + k }, labels[i]), inputs[i]]), h("p", {}, h("button", { type: "submit" }, t("continue"))));
    },
    otp: () => {
      const contact = h("input", { id: "o-contact", autocomplete: "tel email" });
      const code = h("input", { id: "o-code", autocomplete: "one-time-code", inputmode: "numeric" });
      let challenge = null;
      const step2 = h("div", { hidden: true }, h("label", { for: "o-code" }, t("otp")), code,
        h("p", {}, h("button", { type: "button", onclick: () => login({ method: "otp", challenge_id: challenge, otp: code.value.trim() }) }, t("continue"))));
      return h("div", {}, h("label", { for: "o-contact" }, t("contact")), contact,
        h("p", {}, h("button", { type: "button", onclick: async () => {
          try { challenge = (await api("POST", `/elections/${eid}/voter-sessions`, { method: "otp", contact: contact.value.trim() })).challenge_id;
                step2.hidden = false; code.focus(); } catch (e) { msg.replaceChildren(message(errorText(e), true)); } } }, t("sendCode"))), step2);
    },
  };
  const area = h("div", {});
  const tabs = h("div", { class: "tabs", role: "group", "aria-label": t("signInTitle") });
  function pickMethod(m) {
    for (const b of tabs.children) b.setAttribute("aria-pressed", String(b.dataset.m === m));
    area.replaceChildren(forms[m]());
  }
  for (const [m, label] of [["code", t("methodCode")], ["register", t("methodRegister")], ["otp", t("methodOtp")]])
    tabs.append(h("button", { type: "button", "data-m": m, onclick: () => pickMethod(m) }, label));
  async function login(body) {
    msg.replaceChildren();
    try {
      const r = await api("POST", `/elections/${eid}/voter-sessions`, body);
      setSession(eid, { token: r.token, district_id: r.district_id, has_voted: r.has_voted });
      draft = null;
      location.hash = `#/e/${eid}/vote`;
    } catch (e) { msg.replaceChildren(message(errorText(e), true)); say(errorText(e)); }
  }
  show(h("h1", {}, t("signInTitle")), h("p", {}, title(election.title)), tabs, msg, area);
  pickMethod("code");
}

// --- the ballot ---

function ballotRules() { return election.ballot || { type: "approval" }; }

function newDraft(s) {
  return { district_id: s.district_id, chosen: [], points: {} };
}

function districtOf(id) { return election.districts.find((d) => d.id === id); }

async function loadMyBallot(eid, s) {
  try {
    const b = await api("GET", `/elections/${eid}/ballot`, undefined, s.token);
    const d = newDraft(s);
    if (b.points) { d.points = Object.fromEntries(Object.entries(b.points).map(([k, v]) => [Number(k), v])); d.chosen = Object.keys(d.points).map(Number); }
    else d.chosen = b.approvals || b.ranking || [];
    return { draft: d, tracker: b.tracker };
  } catch (e) { if (e.status === 401) { setSession(eid, null); throw e; } return { draft: newDraft(s), tracker: null }; }
}

function check(d) {
  // the rules the server enforces, in the user's language, before the server sees it
  const r = ballotRules(), n = d.chosen.length, budget = districtOf(d.district_id).budget;
  const spent = d.chosen.reduce((a, id) => a + (proposals.find((p) => p.id === id) || { cost: 0 }).cost, 0);
  if (r.type === "knapsack" && spent > budget) return t("overBudget");
  if (r.min_selections && n < r.min_selections) return t("minSelections", { n: r.min_selections });
  if (r.type === "knapsack" && r.min_spend_share && spent < r.min_spend_share * budget)
    return t("minSpend", { n: cost(Math.ceil(r.min_spend_share * budget)) });
  return null;
}

async function votePage(eid) {
  await loadElection(eid);
  const s = session(eid);
  if (!s) { location.hash = `#/e/${eid}/signin`; return; }
  if (election.phase !== "voting") return show(h("h1", {}, title(election.title)), message(t("votingClosed"), true));
  if (!draft || draft.eid !== eid) {
    const mine = await loadMyBallot(eid, s);
    draft = mine.draft; draft.eid = eid; draft.hadVoted = !!mine.tracker;
  }
  const r = ballotRules(), district = districtOf(draft.district_id);
  const mine = proposals.filter((p) => p.district_id === draft.district_id);
  const status = h("div", { class: "sticky" });
  const note = h("div", { "aria-live": "polite" });
  const list = h("div", {});

  function spent() { return draft.chosen.reduce((a, id) => a + mine.find((p) => p.id === id).cost, 0); }
  function pointsUsed() { return Object.values(draft.points).reduce((a, v) => a + v, 0); }
  function block(text) { note.replaceChildren(message(text, true)); say(text); }

  function renderStatus() {
    const parts = [];
    if (r.type === "knapsack") {
      const used = spent(), pct = Math.min(100, Math.round(100 * used / district.budget));
      parts.push(h("p", { style: "margin:0 0 .3rem" }, `${t("budgetUsed")}: ${cost(used)} ${t("of")} ${cost(district.budget)}`),
        h("div", { class: "bar" + (used > district.budget ? " over" : ""), role: "progressbar", "aria-valuemin": 0,
                   "aria-valuemax": district.budget, "aria-valuenow": used, "aria-label": t("budgetUsed") }, h("span", { style: `width:${pct}%` })));
    } else if (r.type === "cumulative") {
      parts.push(h("p", { style: "margin:0" }, `${t("pointsLeft")}: ${r.points - pointsUsed()} ${t("of")} ${r.points}`));
    } else {
      parts.push(h("p", { style: "margin:0" }, `${draft.chosen.length}${r.max_selections || r.max_ranks ? " " + t("of") + " " + (r.max_ranks || r.max_selections) : ""} ${t("chosen")}`));
    }
    parts.push(h("p", { class: "row", style: "margin:.5rem 0 0" }, h("button", { type: "button", id: "review", onclick: () => { location.hash = `#/e/${eid}/review`; } }, t("review"))));
    status.replaceChildren(...parts);
  }

  function toggle(p, on) {
    note.replaceChildren();
    if (on) {
      const max = r.type === "ordinal" ? (r.max_ranks || r.max_selections) : r.max_selections;
      if (max && draft.chosen.length >= max) { block(t("maxReached", { n: max })); return false; }
      if (r.type === "knapsack" && spent() + p.cost > district.budget) { block(t("overBudget")); return false; }
      draft.chosen.push(p.id);
    } else {
      draft.chosen = draft.chosen.filter((x) => x !== p.id);
    }
    return true;
  }

  function renderList() {
    list.replaceChildren();
    if (r.type === "ordinal" && draft.chosen.length) {
      const ol = h("ol", {});
      draft.chosen.forEach((id, i) => {
        const p = mine.find((x) => x.id === id);
        ol.append(h("li", { class: "card" }, h("strong", {}, title(p.title)), " ", h("span", { class: "cost" }, cost(p.cost)),
          h("div", { class: "row" },
            h("button", { type: "button", class: "small secondary", disabled: i === 0, "aria-label": `${t("moveUp")}: ${title(p.title)}`,
                          onclick: () => { [draft.chosen[i - 1], draft.chosen[i]] = [draft.chosen[i], draft.chosen[i - 1]]; renderAll(); } }, "↑"),
            h("button", { type: "button", class: "small secondary", disabled: i === draft.chosen.length - 1, "aria-label": `${t("moveDown")}: ${title(p.title)}`,
                          onclick: () => { [draft.chosen[i + 1], draft.chosen[i]] = [draft.chosen[i], draft.chosen[i + 1]]; renderAll(); } }, "↓"),
            h("button", { type: "button", class: "small secondary", onclick: () => { toggle(p, false); renderAll(); } }, t("remove")))));
      });
      list.append(h("h2", {}, t("ranking")), ol);
    }
    for (const p of mine) {
      let control;
      if (r.type === "cumulative") {
        const v = draft.points[p.id] || 0;
        const out = h("output", { id: "pts-" + p.id, "aria-live": "polite" }, v);
        control = h("div", { class: "stepper", role: "group", "aria-label": title(p.title) },
          h("button", { type: "button", class: "small secondary", "aria-label": `− ${title(p.title)}`, disabled: v === 0,
                        onclick: () => { draft.points[p.id] = v - 1; if (!draft.points[p.id]) delete draft.points[p.id]; draft.chosen = Object.keys(draft.points).map(Number); renderAll(); } }, "−"),
          out,
          h("button", { type: "button", class: "small", "aria-label": `+ ${title(p.title)}`,
                        onclick: () => {
                          if (pointsUsed() >= r.points) return block(t("maxPoints"));
                          if (v >= (r.max_points_per_project || r.points)) return block(t("maxPerProject", { n: r.max_points_per_project || r.points }));
                          draft.points[p.id] = v + 1; draft.chosen = Object.keys(draft.points).map(Number); renderAll(); } }, "+"));
      } else if (r.type === "ordinal") {
        if (draft.chosen.includes(p.id)) continue;
        control = h("button", { type: "button", class: "secondary", onclick: () => { if (toggle(p, true)) renderAll(); } }, `${t("add")}`);
      } else {
        const box = h("input", { type: "checkbox", id: "p-" + p.id, checked: draft.chosen.includes(p.id) });
        box.addEventListener("change", () => { if (!toggle(p, box.checked)) box.checked = false; renderStatus(); });
        control = h("label", { for: "p-" + p.id, class: "row", style: "margin:0" }, box, t("choose"));
      }
      list.append(proposalCard(p, h("div", {}, control)));
    }
  }
  function renderAll() { renderList(); renderStatus(); }
  renderAll();
  show(h("h1", {}, t("yourBallot")), h("p", {}, `${title(election.title)} · ${title(district.name)}`),
    draft.hadVoted ? message(t("alreadyVoted")) : null, note, list, status);
}

async function reviewPage(eid) {
  await loadElection(eid);
  const s = session(eid);
  if (!s || !draft) { location.hash = `#/e/${eid}/vote`; return; }
  const r = ballotRules();
  const problem = check(draft);
  const items = draft.chosen.map((id) => proposals.find((p) => p.id === id));
  const note = h("div", {});
  const list = items.length ? h(r.type === "ordinal" ? "ol" : "ul", {}, items.map((p) =>
      h("li", {}, `${title(p.title)} — ${cost(p.cost)}${r.type === "cumulative" ? ` — ${draft.points[p.id]} p` : ""}`)))
    : h("p", {}, t("nothingChosen"));
  async function cast() {
    const body = { district_id: draft.district_id };
    if (r.type === "cumulative") body.points = Object.fromEntries(Object.entries(draft.points).map(([k, v]) => [String(k), v]));
    else if (r.type === "ordinal") body.ranking = draft.chosen;
    else body.approvals = draft.chosen;
    try {
      const res = await api("PUT", `/elections/${eid}/ballot`, body, s.token);
      sessionStorage.setItem("pb-receipt-" + eid, res.tracker);
      draft = null;
      location.hash = `#/e/${eid}/receipt`;
    } catch (e) { note.replaceChildren(message(errorText(e), true)); say(errorText(e)); }
  }
  show(h("h1", {}, t("reviewTitle")), list, problem ? message(problem, true) : null, note,
    h("p", { class: "row" }, h("button", { type: "button", id: "cast", disabled: !!problem, onclick: cast }, t("castVote")),
      h("a", { class: "button secondary", href: `#/e/${eid}/vote` }, t("back"))));
}

async function receiptPage(eid) {
  await loadElection(eid);
  const tracker = sessionStorage.getItem("pb-receipt-" + eid) || "";
  const nodes = [h("h1", {}, t("thanks")), h("p", {}, t("trackerIntro")), h("p", { class: "tracker", id: "tracker" }, tracker),
    h("p", { class: "row" }, h("a", { class: "button secondary", href: `#/e/${eid}/board?t=${tracker}` }, t("checkBoard")),
      kiosk ? null : h("a", { class: "button secondary", href: `#/e/${eid}/vote` }, t("changeVote")))];
  if (kiosk) {
    let n = 20;
    const p = h("p", { "aria-live": "polite" }, t("kioskDone", { n }));
    nodes.push(p, h("button", { type: "button", onclick: reset }, t("newVoter")));
    const timer = setInterval(() => { n--; p.textContent = t("kioskDone", { n }); if (n <= 0) reset(); }, 1000);
    // The next citizen at the screen must not be able to read or change this ballot: the
    // token is ended on the server, not only forgotten here.
    async function reset() {
      clearInterval(timer);
      const s = session(eid);
      if (s && s.token) await api("DELETE", `/elections/${eid}/voter-sessions/current`, undefined, s.token).catch(() => {});
      sessionStorage.clear(); draft = null; location.hash = `#/e/${eid}/signin`;
    }
  }
  show(...nodes);
}

async function boardPage(eid, query) {
  await loadElection(eid);
  const board = (await api("GET", `/elections/${eid}/trackers`)).trackers;
  const input = h("input", { id: "mine", value: new URLSearchParams(query).get("t") || "", spellcheck: "false" });
  const out = h("div", { "aria-live": "polite" });
  function checkIt() {
    const v = input.value.trim().toLowerCase();
    out.replaceChildren(message(board.includes(v) ? t("found") : t("notFound"), !board.includes(v)));
  }
  show(h("h1", {}, t("board")), h("p", {}, t("boardIntro")), h("label", { for: "mine" }, "Tracker"), input,
    h("p", {}, h("button", { type: "button", id: "check", onclick: checkIt }, t("check"))), out,
    h("p", { class: "muted" }, `${board.length} ${t("ballots")}`));
  if (input.value) checkIt();
}

async function resultsPage(eid) {
  await loadElection(eid);
  const res = await api("GET", `/elections/${eid}/results`);
  const parts = [h("h1", {}, `${t("results")}: ${title(election.title)}`), h("p", {}, t("rule_" + res.rule))];
  for (const d of res.districts) {
    const dist = districtOf(d.district_id);
    const ps = [...d.projects].sort((a, b) => b.score - a.score || a.cost - b.cost);
    const max = Math.max(1, ...ps.map((p) => p.score));
    const winnersInOrder = d.winners;
    // the funded line: after the last funded project in score order (greedy funds in that order)
    const lastFunded = res.rule === "greedy" && winnersInOrder.length
      ? ps.findIndex((p) => p.id === winnersInOrder[winnersInOrder.length - 1]) : -1;
    const rows = [];
    ps.forEach((p, i) => {
      const prop = proposals.find((x) => x.id === p.id) || { title: { da: "#" + p.id } };
      rows.push(h("li", { class: "card result" + (p.selected ? " funded" : "") },
        h("div", { class: "row" }, h("strong", { class: "grow" }, title(prop.title)), h("span", { class: "cost" }, cost(p.cost))),
        h("div", { class: "row" }, h("div", { class: "bar grow", "aria-hidden": "true" }, h("span", { style: `width:${Math.round(100 * p.score / max)}%` })),
          h("span", {}, `${p.score} ${t("votes").toLowerCase()}`)),
        h("p", { class: "status" }, p.selected ? `✓ ${t("funded")}` : `✗ ${t("notFunded")}`)));
      if (i === lastFunded) rows.push(h("li", { class: "funded-line" }, t("fundedLine")));
    });
    parts.push(h("h2", {}, title(dist.name)),
      h("p", {}, `${t("spent")}: ${cost(d.spent)} ${t("of")} ${cost(d.budget)}`),
      h("ol", { class: "results" }, rows));
  }
  show(...parts);
}

async function route() {
  const [path, query] = location.hash.slice(1).split("?");
  const parts = (path || "/").split("/").filter(Boolean);
  try {
    if (parts[0] !== "e") return await home();
    const eid = parts[1];
    switch (parts[2]) {
      case "signin": return await signInPage(eid);
      case "vote": return await votePage(eid);
      case "review": return await reviewPage(eid);
      case "receipt": return await receiptPage(eid);
      case "board": return await boardPage(eid, query);
      case "results": return await resultsPage(eid);
      default: return await electionPage(eid);
    }
  } catch (e) { fail(e); }
}

const langSel = document.getElementById("lang");
langSel.value = getLang();
langSel.addEventListener("change", () => { setLang(langSel.value); applyChrome(); route(); });
function applyChrome() {
  document.getElementById("brand").textContent = t("app");
  document.getElementById("lang-label").textContent = t("language");
  if (kiosk) document.body.classList.add("kiosk");
}
applyChrome();
window.addEventListener("hashchange", route);
route();
