// Texts in Danish and English; the choice is remembered in localStorage.
const texts = {
  da: {
    app: "Borgerbudget", language: "Sprog", elections: "Afstemninger", noElections: "Der er ingen åbne afstemninger.",
    phase_draft: "Kladde", phase_proposals: "Idéfase", phase_review: "Behandling", phase_voting: "Afstemning åben",
    phase_closed: "Afstemning lukket", phase_published: "Resultat offentliggjort",
    proposals: "Forslag", district: "Område", allDistricts: "Alle områder", category: "Kategori", allCategories: "Alle kategorier",
    sort: "Sortér", sortCost: "Pris (lav til høj)", sortCostDesc: "Pris (høj til lav)", sortTitle: "Titel (A-Å)",
    signIn: "Log ind for at stemme", signInTitle: "Log ind", code: "Stemmekode", codeHelp: "Koden står på dit brev, fx K7QX-9MPD-2TRW-H4NC.",
    methodCode: "Stemmekode", methodRegister: "CPR-nummer og fødselsdato", methodOtp: "Engangskode på sms/e-mail",
    personalId: "CPR-nummer", birthDate: "Fødselsdato (ÅÅÅÅ-MM-DD)", postcode: "Postnummer", contact: "Telefon eller e-mail",
    sendCode: "Send kode", otp: "Engangskode", continue: "Fortsæt", signOut: "Log ud",
    yourBallot: "Din stemmeseddel", budgetUsed: "Brugt af budgettet", of: "af", chosen: "valgt", choose: "Vælg",
    remove: "Fjern", pointsLeft: "Point tilbage", moveUp: "Flyt op", moveDown: "Flyt ned", add: "Tilføj",
    ranking: "Din rangorden", review: "Se din stemme", reviewTitle: "Tjek din stemme", castVote: "Afgiv stemme", back: "Tilbage",
    nothingChosen: "Du har ikke valgt noget. En tom stemme tæller også.",
    overBudget: "Det er over budgettet. Fjern noget først.", maxReached: "Du kan højst vælge {n}.",
    maxPoints: "Du har ikke flere point.", maxPerProject: "Højst {n} point pr. forslag.",
    minSelections: "Vælg mindst {n}.", minSpend: "Brug mindst {n} af budgettet.",
    thanks: "Tak! Din stemme er modtaget.", trackerIntro: "Din kvittering (tracker). Gem den for at tjekke, at din stemme er talt med:",
    checkBoard: "Tjek på opslagstavlen", changeVote: "Skift din stemme", alreadyVoted: "Du har allerede stemt. Du kan ændre din stemme, indtil afstemningen lukker; kun den sidste tæller.",
    board: "Opslagstavle", boardIntro: "Alle talte stemmers kvitteringer. Indsæt din for at tjekke den.", check: "Tjek",
    found: "✓ Fundet: din stemme er talt med.", notFound: "✗ Ikke fundet. Har du skiftet stemme, gælder kun den nyeste kvittering.",
    results: "Resultat", funded: "Finansieret", notFunded: "Ikke finansieret", fundedLine: "Budgettet rækker hertil",
    votes: "Stemmer", spent: "Brugt", budget: "Budget", rule_greedy: "Flest stemmer først, så længe budgettet rækker.",
    rule_equal_shares: "Lige andele (Method of Equal Shares): hver vælger har en lige stor del af budgettet.",
    rule_phragmen: "Sekventiel Phragmén: byrden fordeles så jævnt som muligt.",
    loading: "Henter…", votingClosed: "Afstemningen er ikke åben.", kioskDone: "Tak! Skærmen nulstilles om {n} sekunder.",
    newVoter: "Næste vælger", turnout: "Valgdeltagelse", ballots: "stemmer",
    err_invalid_code: "Koden passer ikke. Tjek den og prøv igen.", err_rate_limited: "For mange forsøg. Vent lidt og prøv igen.",
    err_wrong_phase: "Det kan ikke lade sig gøre i denne fase af afstemningen.", err_unauthorized: "Du er ikke logget ind (længere).",
    err_budget_exceeded: "Forslagene koster mere end budgettet.", err_max_selections: "Du har valgt for mange forslag.",
    err_min_selections: "Du har valgt for få forslag.", err_network: "Ingen forbindelse. Prøv igen.",
    err_paper_ballot_exists: "Der er registreret en papirstemme for dig; den gælder.", err_generic: "Noget gik galt: {m}",
  },
  en: {
    app: "Citizens' budget", language: "Language", elections: "Votes", noElections: "There are no open votes.",
    phase_draft: "Draft", phase_proposals: "Ideas phase", phase_review: "Review", phase_voting: "Voting open",
    phase_closed: "Voting closed", phase_published: "Results published",
    proposals: "Proposals", district: "District", allDistricts: "All districts", category: "Category", allCategories: "All categories",
    sort: "Sort", sortCost: "Cost (low to high)", sortCostDesc: "Cost (high to low)", sortTitle: "Title (A-Z)",
    signIn: "Sign in to vote", signInTitle: "Sign in", code: "Voting code", codeHelp: "The code is in your letter, e.g. K7QX-9MPD-2TRW-H4NC.",
    methodCode: "Voting code", methodRegister: "Personal number and birth date", methodOtp: "One-time code by text/e-mail",
    personalId: "Personal number", birthDate: "Birth date (YYYY-MM-DD)", postcode: "Postcode", contact: "Phone or e-mail",
    sendCode: "Send code", otp: "One-time code", continue: "Continue", signOut: "Sign out",
    yourBallot: "Your ballot", budgetUsed: "Budget used", of: "of", chosen: "chosen", choose: "Choose",
    remove: "Remove", pointsLeft: "Points left", moveUp: "Move up", moveDown: "Move down", add: "Add",
    ranking: "Your ranking", review: "Review your vote", reviewTitle: "Check your vote", castVote: "Cast vote", back: "Back",
    nothingChosen: "You have chosen nothing. An empty ballot counts too.",
    overBudget: "That is over the budget. Remove something first.", maxReached: "You can choose at most {n}.",
    maxPoints: "You have no points left.", maxPerProject: "At most {n} points per proposal.",
    minSelections: "Choose at least {n}.", minSpend: "Spend at least {n} of the budget.",
    thanks: "Thank you! Your vote has been received.", trackerIntro: "Your receipt (tracker). Keep it to check that your vote was counted:",
    checkBoard: "Check on the bulletin board", changeVote: "Change your vote", alreadyVoted: "You have voted already. You can change your vote until voting closes; only the last one counts.",
    board: "Bulletin board", boardIntro: "The receipts of all counted ballots. Paste yours to check it.", check: "Check",
    found: "✓ Found: your vote is counted.", notFound: "✗ Not found. If you changed your vote, only the newest receipt counts.",
    results: "Results", funded: "Funded", notFunded: "Not funded", fundedLine: "The budget reaches this far",
    votes: "Votes", spent: "Spent", budget: "Budget", rule_greedy: "Most votes first, while the budget lasts.",
    rule_equal_shares: "Method of Equal Shares: every voter controls an equal part of the budget.",
    rule_phragmen: "Sequential Phragmén: the load is spread as evenly as possible.",
    loading: "Loading…", votingClosed: "Voting is not open.", kioskDone: "Thank you! The screen resets in {n} seconds.",
    newVoter: "Next voter", turnout: "Turnout", ballots: "ballots",
    err_invalid_code: "The code does not match. Check it and try again.", err_rate_limited: "Too many attempts. Wait a little and try again.",
    err_wrong_phase: "That is not possible in this phase of the vote.", err_unauthorized: "You are not signed in (any more).",
    err_budget_exceeded: "The proposals cost more than the budget.", err_max_selections: "You have chosen too many proposals.",
    err_min_selections: "You have chosen too few proposals.", err_network: "No connection. Try again.",
    err_paper_ballot_exists: "A paper ballot has been recorded for you; it counts.", err_generic: "Something went wrong: {m}",
  },
};

export const tables = texts;

let lang = localStorage.getItem("pb-lang") || (navigator.language || "da").slice(0, 2);
if (!texts[lang]) lang = "da";

export function getLang() { return lang; }
export function setLang(l) { if (texts[l]) { lang = l; localStorage.setItem("pb-lang", l); document.documentElement.lang = l; } }
export function t(key, vars) {
  let s = (texts[lang] && texts[lang][key]) || texts.en[key] || key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replace(`{${k}}`, v);
  return s;
}
// A language-keyed text from the API, with the election's default as fallback.
export function pick(text, fallback) {
  if (!text || typeof text !== "object") return text || "";
  return text[lang] || text[fallback] || Object.values(text)[0] || "";
}
// An API error in the user's language.
export function errorText(err) {
  const key = "err_" + (err && err.code);
  if (texts[lang][key]) return t(key);
  return t("err_generic", { m: (err && err.message) || "" });
}
export function money(minor, currency) {
  return new Intl.NumberFormat(lang === "da" ? "da-DK" : "en-GB", { style: "currency", currency: currency || "DKK",
    maximumFractionDigits: minor % 100 ? 2 : 0 }).format(minor / 100);
}
document.documentElement.lang = lang;
