/**
 * The chain of hand-overs (移交) a case ends: the case itself, then the case it continues, and so on
 * back to the first, read from the household's cases (each names the case it continues). A loop in
 * the data (none is possible: the unique predecessor index and the order of ids) stops the walk.
 */
export function caseAndPredecessorIdsOf(c: { id: number; predecessorCaseId: number | null }, householdCases: readonly { id: number; predecessorCaseId: number | null }[]): number[] {
  const predecessorOf = new Map(householdCases.map((r) => [r.id, r.predecessorCaseId]));
  const ids = [c.id];
  for (let p: number | null = c.predecessorCaseId; p !== null && !ids.includes(p); p = predecessorOf.get(p) ?? null) ids.push(p);
  return ids;
}
