/**
 * Which records count, for whom and when: live records, periods, holdings on a day, and records
 * attributed to a household through its members' spells (so a person who moves keeps their past
 * aid with the household they were in when it was paid).
 */
import { addDays, type IsoDate } from '../dates';
import { inForce } from '../aid';
import { groupBy } from '../group-by';
import type { AidRecord, HouseholdFacts, Spell } from './facts';
import type { Interval } from './periods';

/**
 * Cancelled (revoked, reversed) aid was never paid, and pending aid (an application still under the
 * department's review) is not paid yet: no rule counts either. A pre-grant check for the pending
 * application proposes it, and is judged against what is in force.
 */
export function isLive(r: AidRecord): boolean {
  return inForce(r);
}

/**
 * The last day a recurring record is known to have run: its end date; for one the source marks
 * ended without an end date (a stop recorded, its day not), its start day: it certainly ran on that
 * day and is certainly not running now, and no rule claims the unknown days between. Every rule
 * reads periods through here, so the overlap rules (X1, X4, X9–X11) and aid after death (X8) agree:
 * such a record is never an ongoing overlap, and counts after a death only if it began after it.
 * A suspended record is read the same way. A reported entry beyond the longest term a grant is
 * approved for (`periodBeyondTerm`, recorded before aidReport refused such periods) is read up to the
 * term's last day: beyond it, it is no evidence of aid being paid (1939 for 2019, "running on").
 */
export function knownEnd(r: AidRecord): IsoDate | null {
  if (r.periodBeyondTerm) return r.periodBeyondTerm.countedTo;
  // Suspended (暂停): paused on a day no source records, and not paid now, so not current aid for
  // any duplicate check; read like a stop with no date: only its start day is known.
  if (r.status === 'SUSPENDED' && r.periodStart !== null) return r.periodStart;
  if (r.periodEnd !== null) return r.periodEnd;
  return r.status === 'ENDED' ? r.periodStart : null;
}

export function periodOf(r: AidRecord): Interval | null {
  return r.periodStart === null ? null : { start: r.periodStart, end: knownEnd(r) };
}

/**
 * Recurring aid being held on `day`: its period covers the day and it has not been stopped. The
 * missed-aid rules read it; a suspended record is held (the office has decided on it: a suspension
 * under review is not a gap), though no duplicate check counts it as current (`knownEnd`).
 */
export function heldOn(r: AidRecord, day: IsoDate): boolean {
  if (r.periodStart === null || r.periodStart > day || (r.periodEnd !== null && r.periodEnd < day)) return false;
  // Beyond its term (knownEnd): not held after the term's last day.
  if (r.periodBeyondTerm && r.periodBeyondTerm.countedTo < day) return false;
  return r.status === 'ACTIVE' || r.status === 'SUSPENDED';
}

/** A spell as an inclusive period: the leaving day is the first day outside. */
export function spellPeriod(s: Spell): Interval {
  return { start: s.joinedOn, end: s.leftOn === null ? null : addDays(s.leftOn, -1) };
}

function spellCovers(s: Spell, day: IsoDate): boolean {
  return s.joinedOn <= day && (s.leftOn === null || day < s.leftOn);
}

export function spellsByPerson(spells: readonly Spell[]): Map<string, Spell[]> {
  return groupBy(spells, (s) => s.idNumber);
}

/** Members of the household on `day`. */
export function membersOn(spells: readonly Spell[], day: IsoDate): Set<string> {
  return new Set(spells.filter((s) => spellCovers(s, day)).map((s) => s.idNumber));
}

/**
 * A record as far as it belongs to the household: a one-off grant paid while its beneficiary was a
 * member; the part of a recurring period spent as a member (one piece per spell it meets).
 */
export interface Piece {
  record: AidRecord;
  period: Interval | null;
}

export function householdPieces(records: readonly AidRecord[], spells: readonly Spell[]): Piece[] {
  const byPerson = spellsByPerson(spells);
  const pieces: Piece[] = [];
  for (const record of records) {
    if (!isLive(record)) continue;
    const own = byPerson.get(record.beneficiaryIdNumber);
    if (!own) continue;
    if (record.periodStart === null) {
      if (record.grantDate !== null && own.some((s) => spellCovers(s, record.grantDate!))) pieces.push({ record, period: null });
      continue;
    }
    for (const s of own) {
      const sp = spellPeriod(s);
      const start = record.periodStart > sp.start ? record.periodStart : sp.start;
      const recordEnd = knownEnd(record);
      const end = recordEnd === null ? sp.end : sp.end === null ? recordEnd : recordEnd < sp.end ? recordEnd : sp.end;
      if (end === null || start <= end) pieces.push({ record, period: { start, end } });
    }
  }
  return pieces;
}

/** Every live record of one person, as pieces with the record's own period. */
export function personPieces(records: readonly AidRecord[], idNumber: string): Piece[] {
  return records.filter((r) => r.beneficiaryIdNumber === idNumber && isLive(r)).map((record) => ({ record, period: periodOf(record) }));
}

/** Records grouped by beneficiary, built once per household. */
export function recordsByPerson(facts: HouseholdFacts): Map<string, AidRecord[]> {
  return groupBy(facts.records, (r) => r.beneficiaryIdNumber);
}
