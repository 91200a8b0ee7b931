// How a result is said: a score in the ballot's own unit (a cumulative ballot gives points,
// the others votes) and the counting rule in one sentence.
import { t } from "../i18n.js";
import { frameBallot } from "../frames.js";

export function scoreText(election, n, districtId) {
  return t(frameBallot(election, districtId).type === "cumulative" ? "points" : "votes", { n });
}
// The rule a district was counted by (each frame may have its own).
export function resultRule(res, d) { return d.rule || res.rule; }

const RULES = ["greedy", "equal_shares", "phragmen"];
export function ruleText(rule) { return RULES.includes(rule) ? t("rule_" + rule) : null; }
