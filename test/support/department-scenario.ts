/** Shared bits of the department adapter scenarios: a fixed "today" and synthetic ID numbers. */
import { makeIdNumber } from '../../domain/id-number';
import type { AidRecord } from '../../federation/contract';

/** Every status that depends on the date is judged against this day, not the clock. */
export const TODAY = '2026-03-15';

/** A valid, synthetic ID number (任城区); no real person's. */
export function syntheticId(birthDate: string, sequence: number): string {
  return makeIdNumber('370811', birthDate, sequence);
}

/** Adapters return records in no particular order; tests compare them by source reference. */
export function bySourceRef(records: readonly AidRecord[]): AidRecord[] {
  return [...records].sort((a, b) => (a.sourceRef < b.sourceRef ? -1 : a.sourceRef > b.sourceRef ? 1 : 0));
}

/** Each record's reference, status and (UNRECOGNISED only) the source's status code, by reference. */
export function statusCodes(records: readonly AidRecord[]): [string, string, string | null][] {
  return bySourceRef(records).map((r) => [r.sourceRef, r.status, r.sourceStatusCode ?? null]);
}

/** Each record's reference, programme, status and (a programme code undocumented only) the source's programme code, by reference. */
export function programmeCodes(records: readonly AidRecord[]): [string, string, string, string | null][] {
  return bySourceRef(records).map((r) => [r.sourceRef, r.programme, r.status, r.sourceProgrammeCode ?? null]);
}
