/**
 * Settlement references as they enter the hub from the departments (README, "References held by
 * departments"). A hospital stay is keyed by medical insurance's settlement number; the union's
 * illness grants, medical insurance's aid paid apart from the settlement and the reported-aid
 * ledger name it in their own rows, written by their own systems and clerks.
 * The server compares the hub's `IN ('X')` with its column's collation: MariaDB's defaults are
 * case-insensitive and PAD SPACE (`'X '` and `'x'` match), MySQL 8's `utf8mb4_0900_ai_ci` is
 * case-insensitive and NO PAD (`'x'` matches, `'X '` does not), TiDB's `utf8mb4_bin` is
 * case-sensitive and PAD SPACE (`'X '` matches, `'x'` does not). The hub then grouped what came
 * back by the exact string: a row `X ` or `x` the server returned was dropped, and X7 added up the
 * stay's aid without it, the check `complete`; and whether it came back at all was the server's.
 *
 * So every read of a department through the registry goes through here once, after the ID
 * numbers' layer (federation/id-numbers.ts, the same idea for people):
 * - it asks for every form the hub's key may be held in (`settlementLookupForms`: the key, its
 *   letters lower-case, each with one space before and after it), a few more constants in the same
 *   `IN` list, through the same index: no statement more, and the same rows on every server;
 * - it hands every settlement reference it returns back as the hub keys it (`settlementKey`:
 *   trimmed, letters upper-case), on aid records and on stays;
 * - a row read by reference whose key is none of the keys asked (a server equating more than the
 *   hub: an accent, a full-width letter under `utf8mb4_0900_ai_ci`), or two stays of one key (a NO
 *   PAD column holding both `X` and `X `), refuse the read as UnreadableRows counted under
 *   `settlementRef`: the department is reported UNREADABLE_ROWS and the rules reading it are not
 *   run, rather than a stay's aid dropped unseen.
 */
import { asciiLower, settlementKey } from '../domain/aid';
import type { AidRecord, Comparison, DepartmentAdapter, HospitalSettlement } from './contract';
import { UnreadableRows } from './unreadable-rows';

/**
 * Every form in which a department may hold the stays keyed `keys` (`settlementKey`): each key, and
 * with letters also lower-case (for a case-sensitive column: TiDB's default), each with one space
 * after it (for a NO PAD column: MySQL 8's default) and before it (which no collation ignores).
 * Other spellings (mixed case in a case-sensitive column, two spaces in a NO PAD one) are not asked
 * for: README, "References held by departments". Frozen: db/prepared.ts writes a frozen list's SQL once.
 */
export function settlementLookupForms(keys: readonly string[], comparison: Comparison = 'EXACT'): readonly string[] {
  const forms = new Set<string>();
  const one: string[] = [];
  for (const ref of keys) for (const form of formsOfKey(settlementKey(ref), comparison, one)) forms.add(form);
  return Object.freeze([...forms]);
}

/**
 * The forms of one key (`settlementLookupForms` of `[key]`), written into `into` (emptied first) and
 * returned: a scan's slice asks them of 500 keys a department, and a set and a frozen array per key
 * were garbage made and dropped at once.
 */
function formsOfKey(key: string, comparison: Comparison, into: string[]): string[] {
  into.length = 0;
  // A server ignoring case and trailing spaces (federation/comparisons.ts) returns `x1` and `X1 ` for `X1` itself.
  if (comparison === 'CASE_AND_PAD_IGNORED') {
    addForm(into, key);
    addForm(into, ` ${key}`);
    return into;
  }
  const lower = asciiLower(key);
  addWritten(into, key);
  if (lower !== key) addWritten(into, lower);
  return into;
}

function addWritten(into: string[], written: string): void {
  addForm(into, written);
  addForm(into, `${written} `);
  addForm(into, ` ${written}`);
}

function addForm(into: string[], form: string): void {
  if (!into.includes(form)) into.push(form);
}

/**
 * The most constants one statement's `IN` list of settlement references holds. MariaDB turns a
 * list of 1,000 or more (in_predicate_conversion_threshold) into a derived table joined in a
 * semi-join, which reads the table from start to end whatever index is named: a region scan's
 * slice of 500 stays, asked in three forms each (`settlementLookupForms`), read every aid payment
 * of medical insurance and every entry of the ledger once a slice (docs/performance.md, Session 39).
 */
export const SETTLEMENT_FORMS_PER_STATEMENT = 999;

/**
 * `read` for the stays keyed `keys`, in as many statements as keep each `IN` list within
 * SETTLEMENT_FORMS_PER_STATEMENT constants, one after another; every form of one key in the same
 * statement (a row two forms of its key match, as under PAD SPACE, comes back once). One statement
 * for the few stays of a check.
 */
export async function bySettlementForms<T>(keys: readonly string[], read: (forms: readonly string[]) => Promise<T[]>, comparison: Comparison = 'EXACT'): Promise<T[]> {
  const out: T[] = [];
  let part: string[] = [];
  const flush = async () => {
    if (part.length === 0) return;
    for (const row of await read(Object.freeze(part))) out.push(row);
    part = [];
  };
  // Keyed first: two references of one key (`x1`, `X1 `) are one key, asked once.
  const forms: string[] = [];
  for (const key of new Set(keys.map(settlementKey))) {
    formsOfKey(key, comparison, forms);
    if (part.length + forms.length > SETTLEMENT_FORMS_PER_STATEMENT) await flush();
    for (let i = 0; i < forms.length; i++) part.push(forms[i]);
  }
  await flush();
  return out;
}

/** The record with its settlement reference as the hub keys stays. */
function keyedRecord(r: AidRecord): AidRecord {
  const ref = r.settlementRef == null ? r.settlementRef : settlementKey(r.settlementRef);
  const read = ref === r.settlementRef ? r : { ...r, settlementRef: ref };
  return r.supersededBy ? { ...read, supersededBy: keyedRecord(r.supersededBy) } : read;
}

/** Stays with their reference as the hub keys them; two of one key are refused (a NO PAD column holding `X` and `X `). */
function keyedStays(stays: readonly HospitalSettlement[]): HospitalSettlement[] {
  const seen = new Set<string>();
  let twice = 0;
  const keyed = stays.map((s) => {
    const ref = settlementKey(s.settlementRef);
    if (seen.has(ref)) twice++;
    seen.add(ref);
    return ref === s.settlementRef ? s : { ...s, settlementRef: ref };
  });
  if (twice > 0) throw new UnreadableRows({ settlementRef: twice });
  return keyed;
}

/** `rows` read by reference, every one of them of a key asked: otherwise refused, counted (never which rows: a reference can be anything a clerk typed). */
function asked<T>(rows: T[], keys: readonly string[], refOf: (row: T) => string | null | undefined): T[] {
  const wanted = new Set(keys.map(settlementKey));
  const strays = rows.filter((r) => !wanted.has(refOf(r) ?? '')).length;
  if (strays > 0) throw new UnreadableRows({ settlementRef: strays });
  return rows;
}

const tiedOf = (rows: AidRecord[], keys: readonly string[]) => asked(rows.map(keyedRecord), keys, (r) => r.settlementRef);
const staysOf = (rows: HospitalSettlement[], keys: readonly string[]) => asked(keyedStays(rows), keys, (s) => s.settlementRef);

/** The adapter as the rest of the hub reads it: asked for every stored form of a settlement reference, answering it as the hub keys it. */
export function readingKeyedSettlementRefs(adapter: DepartmentAdapter, comparison: Comparison = 'EXACT'): DepartmentAdapter {
  const { aidBySettlementRefs, aidAndFacts, recordsNoLongerStanding, facts } = adapter;
  const stays = facts?.settlements;
  return {
    ...adapter,
    aidByIdNumbers: async (db, idNumbers, today, programmes) => (await adapter.aidByIdNumbers(db, idNumbers, today, programmes)).map(keyedRecord),
    ...(aidBySettlementRefs ? { aidBySettlementRefs: async (db, refs, today) => tiedOf(await bySettlementForms(refs, (forms) => aidBySettlementRefs.call(adapter, db, forms, today), comparison), refs) } : {}),
    ...(aidAndFacts
      ? {
          aidAndFacts: async (db, ask) => {
            const tiedTo = ask.tiedTo && settlementLookupForms(ask.tiedTo, comparison);
            const staysAsked = ask.stays && (ask.stays === ask.tiedTo ? tiedTo : settlementLookupForms(ask.stays, comparison));
            const read = await aidAndFacts.call(adapter, db, { ...ask, ...(tiedTo ? { tiedTo } : {}), ...(staysAsked ? { stays: staysAsked } : {}) });
            return { ...read, aid: read.aid.map(keyedRecord), tied: tiedOf(read.tied, ask.tiedTo ?? []), stays: staysOf(read.stays, ask.stays ?? []) };
          },
        }
      : {}),
    ...(recordsNoLongerStanding ? { recordsNoLongerStanding: async (db, refs, today) => new Map([...(await recordsNoLongerStanding.call(adapter, db, refs, today))].map(([ref, r]) => [ref, keyedRecord(r)])) } : {}),
    ...(facts && stays
      ? {
          facts: {
            ...facts,
            settlements: {
              ...stays,
              byIdNumbers: async (db, idNumbers) => keyedStays(await stays.byIdNumbers(db, idNumbers)),
              byRefs: async (db, refs) => staysOf(await bySettlementForms(refs, (forms) => stays.byRefs(db, forms), comparison), refs),
            },
          },
        }
      : {}),
  };
}
