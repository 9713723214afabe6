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

/**
 * The cases continuing `c` after its hand-over (its successor, that one's successor, …), in order,
 * read from the household's cases as caseAndPredecessorIdsOf reads them the other way. A loop in the
 * data stops the walk.
 */
export function laterCasesOf<C extends { id: number; predecessorCaseId: number | null }>(c: { id: number }, householdCases: readonly C[]): C[] {
  const successorOf = new Map(householdCases.flatMap((k) => (k.predecessorCaseId === null ? [] : [[k.predecessorCaseId, k] as const])));
  const later: C[] = [];
  const seen = new Set([c.id]);
  for (let next = successorOf.get(c.id); next && !seen.has(next.id); next = successorOf.get(next.id)) {
    seen.add(next.id);
    later.push(next);
  }
  return later;
}
