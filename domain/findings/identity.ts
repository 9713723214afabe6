/**
 * A finding's identity and content. The fingerprint is the rule plus the records (or facts) it is
 * about, so the same duplicate found by next month's scan is the same finding. The content hash
 * covers what those records say (periods, amounts, causes, flags): a dismissal holds while it is
 * unchanged. Neither depends on today's date, so a finding does not change identity overnight.
 */
import crypto from 'node:crypto';
import { settlementKey } from '../aid';
import { recordKey, type AidRecord, type Finding, type Measure } from './facts';

function sha(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, 32);
}

export function fingerprintOf(ruleId: string, keys: readonly string[]): string {
  return sha(`${ruleId}\n${[...keys].sort().join('\n')}`);
}

/** What a record says, without the status the adapters derive from today's date. */
export function recordContent(r: AidRecord): string {
  return [
    recordKey(r),
    r.programme,
    r.beneficiaryIdNumber,
    r.periodStart ?? '',
    r.periodEnd ?? '',
    r.grantDate ?? '',
    r.amountFen,
    r.status === 'CANCELLED' ? 'C' : r.status === 'SUSPENDED' ? 'S' : '',
    r.cause ?? '',
    r.secondAid ? '2' : '',
    r.settlementRef ?? '',
    r.schoolYear ?? '',
  ].join('|');
}

export function contentHashOf(parts: readonly string[]): string {
  return sha([...parts].sort().join('\n'));
}

/** What a stored finding says of itself, as it was written (db/findings/store.ts FindingDetail). */
export interface HeldFinding {
  ruleId: string;
  fingerprint: string;
  householdId: number | null;
  idNumbers: readonly string[];
  records: readonly AidRecord[];
  measure: Measure;
}

/** The hospital stays a finding's identity names (X7's stay, a missed-aid rule's stays over the out-of-pocket line), as its detail spells them. */
function staysNamed(measure: Measure): string[] {
  if (measure.type === 'SETTLEMENT_EXCESS') return [measure.settlementRef];
  if (measure.type === 'MISSED') return measure.met.flatMap((m) => (m.fact === 'OUT_OF_POCKET' ? m.settlementRefs : []));
  return [];
}

/**
 * The identity keys of a finding beyond its records' (kinds.ts build), rebuilt from what it says,
 * with its stays spelled by `stay`; one list per subject it may have been found for (a missed-aid
 * rule's person or household, not stored apart). Only for the kinds that name a stay.
 */
function keysBeyondRecords(f: HeldFinding, stay: (ref: string) => string): string[][] {
  const m = f.measure;
  if (m.type === 'SETTLEMENT_EXCESS') return [[`settlement:${stay(m.settlementRef)}`]];
  if (m.type !== 'MISSED') return [];
  const met = m.met.flatMap((c) => {
    switch (c.fact) {
      case 'DISABILITY_CERTIFICATE':
        return [`cert:${c.certificateNumber}`];
      case 'STUDENT':
        return [`schoolYear:${c.schoolYear}`];
      case 'OUT_OF_POCKET':
        return [...new Set(c.settlementRefs.map((r) => `settlement:${stay(r)}`))];
      default:
        return [];
    }
  });
  const subjects = [...(f.householdId !== null ? [`H:${f.householdId}`] : []), ...f.idNumbers.map((id) => `P:${id}`)];
  return subjects.map((subject) => [subject, ...met]);
}

/**
 * The fingerprint this release gives a stored finding that names a stay by a reference not keyed
 * (`zy001 `, as a department held it before references were keyed: domain/aid.ts settlementKey),
 * rebuilt from its detail; null when it names none such, or when its stored fingerprint is not
 * the one its detail, as written, gives (nothing is rewritten on a guess). The fingerprint already
 * keyed (a second run) answers null too.
 */
export function settlementKeyedFingerprint(f: HeldFinding): string | null {
  const stays = staysNamed(f.measure);
  if (stays.every((r) => settlementKey(r) === r)) return null;
  const records = f.records.map(recordKey);
  for (const [held, keyed] of zip(keysBeyondRecords(f, (r) => r), keysBeyondRecords(f, settlementKey))) {
    if (fingerprintOf(f.ruleId, [...records, ...held]) === f.fingerprint) return fingerprintOf(f.ruleId, [...records, ...keyed]);
  }
  return null;
}

function zip<A, B>(a: readonly A[], b: readonly B[]): [A, B][] {
  return a.map((x, i) => [x, b[i]]);
}

/**
 * The content hash of a finding found now, with each stay and each record's stay reference spelled
 * as a stored finding's detail spells it (`held`, written by an earlier release from references as
 * the departments held them: `zy001 `): the hash that release gave the same content. Null when
 * `held` spells nothing otherwise than `found` does. A dismissal made on that content still holds:
 * the records say the same, only the hub's spelling of the stay changed (db/findings/store.ts).
 */
export function contentHashAsHeld(found: Pick<Finding, 'records' | 'contentBeyondRecords'>, held: Pick<HeldFinding, 'records' | 'measure'>): string | null {
  const heldRef = new Map(held.records.flatMap((r) => (r.settlementRef ? [[recordKey(r), r.settlementRef] as const] : [])));
  const heldStay = new Map(staysNamed(held.measure).map((r) => [settlementKey(r), r]));
  let respelled = false;
  const records = found.records.map((r) => {
    const as = heldRef.get(recordKey(r));
    if (!r.settlementRef || as === undefined || as === r.settlementRef || settlementKey(as) !== r.settlementRef) return recordContent(r);
    respelled = true;
    return recordContent({ ...r, settlementRef: as });
  });
  const beyond = (found.contentBeyondRecords ?? []).map((part) => {
    for (const [key, as] of heldStay) {
      if (as !== key && part.startsWith(`settlement:${key}:`)) {
        respelled = true;
        return `settlement:${as}:${part.slice(`settlement:${key}:`.length)}`;
      }
    }
    return part;
  });
  return respelled ? contentHashOf([...records, ...beyond]) : null;
}
