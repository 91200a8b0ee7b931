// A frame's (district's) ballot and counting rule: its group's own where the group has them
// (a city-wide knapsack beside district approval ballots), else the election's. Shared by the
// citizens' ballot and results and the clerks' paper form.
function groupOf(election, districtId) {
  const d = election.districts.find((x) => x.id === districtId);
  return d && d.group_id ? (election.district_groups || []).find((g) => g.id === d.group_id) : null;
}

export function frameBallot(election, districtId) {
  return groupOf(election, districtId)?.ballot || election.ballot || { type: "approval" };
}

export function frameRule(election, districtId) {
  return groupOf(election, districtId)?.rule || election.rule;
}
