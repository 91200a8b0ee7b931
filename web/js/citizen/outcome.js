// How a result is said: a score in the ballot's own unit (a cumulative ballot gives points,
// the others votes) and the counting rule in one sentence.
import { t } from "../i18n.js";
import { rulesOf } from "./ballot.js";

export function scoreText(election, n) { return t(rulesOf(election).type === "cumulative" ? "points" : "votes", { n }); }

const RULES = ["greedy", "equal_shares", "phragmen"];
export function ruleText(rule) { return RULES.includes(rule) ? t("rule_" + rule) : null; }
