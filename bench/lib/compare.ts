/**
 * Are the three variants giving the same answer? A full comparison for a few households before
 * the run, and a digest (members, aid records, fen) of every answer during it.
 */
import type { HouseholdResult } from './query';

/** The answer with what may legitimately differ taken out: latencies, and the order of ties. */
export function canonical(h: HouseholdResult | null): unknown {
  if (h === null) return null;
  const copy = JSON.parse(JSON.stringify(h)) as HouseholdResult;
  for (const s of copy.sources) s.latencyMs = 0;
  // Members of the same relation and birth date (twins) have no defined order.
  copy.members.sort((a, b) => (a.person.idNumber < b.person.idNumber ? -1 : a.person.idNumber > b.person.idNumber ? 1 : 0));
  // byPurpose follows the order records arrive in, which the SQL does not fix.
  copy.aidSummary.byPurpose.sort((a, b) => (a.purpose < b.purpose ? -1 : 1));
  return copy;
}

/** The first path at which two JSON values differ, with both values, or null when equal. */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${path}: ${JSON.stringify(a)?.slice(0, 80)} ≠ ${JSON.stringify(b)?.slice(0, 80)}`;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return `${path}.length: ${a.length} ≠ ${b.length}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

/** Members, aid records, their fen, the summary's fen: cheap to compare for every answer. */
export function digest(h: HouseholdResult | null): string {
  if (h === null) return 'null';
  const fen = h.aid.reduce((n, r) => n + r.amountFen, 0);
  return `members ${h.members.length}, aid records ${h.aid.length}, aid fen ${fen}, summary fen ${h.aidSummary.totalFen}`;
}
