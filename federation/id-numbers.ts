/**
 * ID numbers as they enter the hub from the departments. The hub keys people by the normalised
 * ID number (domain/id-number.ts: a check character `X` upper-case, as `checkIdNumber` gives every
 * caller's), but a department's front-end database is written by its own system and clerks, and
 * many write `x`. Under MySQL's and MariaDB's default (case-insensitive) collations the hub's
 * `id_no IN ('…X')` matches such a row and it comes back as `…x`: every join the hub makes in
 * memory (a loader's keys, a household's members, the rules' grouping by person, the audit's
 * pseudonym, monitoring's people) compares exact strings, so the record was dropped or belonged to
 * nobody. Under a binary or case-sensitive collation (TiDB's default `utf8mb4_bin`, a column a
 * department declared `_bin` or `_cs`) the row did not match at all.
 *
 * So every read of a department through the registry goes through here once: it asks for the
 * lower-case form too, and each form with one space before and after it (`storedForms`: a few more
 * constants in the same `IN` list, through the same index: no statement more, and no function on
 * the column), and hands every ID number it returns back normalised (trimmed, `X` upper-case). References into the department (`sourceRef`, a certificate's number) stay as the
 * department wrote them: they name its rows, and stored findings' and alerts' identities are built
 * from them. The scan's person keys (federation/person-keys.ts) and monitoring's change feeds
 * (federation/change-feed.ts) read ID-number columns directly and normalise what they read the same way.
 *
 * Some records hold a person under another writing of the number: elderly people's old records
 * under the first-generation 15-digit number (no century, no check character), and a clerk's input
 * method left in full-width mode types `３７０８…`. No collation matches either to the 18-digit
 * number, so a read of a person asks for those forms too (`otherWrittenForms`: three constants a
 * person born 1900–1999, one for a person born later, who never held an old number), and
 * `normaliseIdNumber` reads them back as the 18-digit number. A region scan, which has every stored
 * ID number in hand when it starts, asks these forms, and the lower-case and spaced ones, only of the
 * people a department holds in them, exactly as stored (`OtherWritings`): everyone else by the key
 * alone. A spelling first written after the scan started is not asked, as a person a department
 * first holds after it started is not (federation/person-keys.ts).
 *
 * Full-width digits are not ASCII, and a department's ID-number column may be in a character set
 * without them: latin1 (an ASCII-only legacy system) has none. MySQL and MariaDB then refuse the
 * whole statement ("Illegal mix of collations … for operation 'in'", errors 1267/1270/1271: the
 * constant cannot be converted to the column's set, and converting the column instead would lose
 * its index; MySQL 9.7 "Cannot convert string … from utf8mb4 to latin1", 3854), and every
 * household's read of that department failed. A department whose server
 * refuses them so is asked again, in the same call, without the forms outside ASCII (which such a
 * column cannot hold), and only those from then on (`askingForms`, kept for the department's
 * database handle: a hub's start). GBK and GB18030 columns hold full-width digits: asked as they are,
 * through the index (test/id-number-charset.test.ts, README "ID numbers").
 */
import { caseAndSpaceForms, normaliseIdNumber, otherWrittenForms } from '../domain/id-number';
import { baseOf } from '../db/db-view';
import { serverErrorOf } from './statement-refused';
import type { AidRecord, Comparison, DepartmentAdapter, DepartmentFactReaders, FactReader } from './contract';

/**
 * Which forms of an ID number a read asks besides the number itself: `DERIVED`, every one it can be
 * stored in (`caseAndSpaceForms`, or those a case- and pad-ignoring server does not match itself, and
 * `otherWrittenForms`), for every read of a person (a household, a pre-grant check, monitoring); or,
 * for a region scan, the spellings other than the key the department's rows held each person in when
 * the scan started (`peopleKnownTo`, federation/person-keys.ts: an old or full-width number, a
 * lower-case x, a space around it), exactly as stored, one of each group the column's collation
 * holds equal: the scan asks everyone else by the key alone (docs/performance.md, Sessions 40 and 43).
 */
export type OtherWritings = 'DERIVED' | ReadonlyMap<string, readonly string[]>;

/** The last list asked about and its forms (`lookupForms`). */
let last: { idNumbers: readonly string[]; comparison: Comparison; others: OtherWritings; forms: readonly string[] } | null = null;

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Every form in which a department may hold these ID numbers. A household query asks every
 * department about the same members in one tick, one after another: the last list's forms are
 * kept and handed back for the same list (callers only read them), instead of being made again per
 * department (about a tenth of a millisecond a query, docs/performance.md, Session 25).
 */
export function lookupForms(idNumbers: readonly string[], comparison: Comparison = 'EXACT', others: OtherWritings = 'DERIVED'): readonly string[] {
  if (last && last.comparison === comparison && last.others === others && sameList(last.idNumbers, idNumbers)) return last.forms;
  const forms: string[] = [];
  for (const id of idNumbers) {
    // A region scan: the key, and the spellings the department held this person in when it started (and no others).
    if (others !== 'DERIVED') {
      forms.push(id);
      const held = others.get(id);
      // Not those a server ignoring case and trailing spaces matches by the key itself (`…x`, `…X `).
      if (held) for (const form of held) if (comparison !== 'CASE_AND_PAD_IGNORED' || form.trimEnd().toUpperCase() !== id) forms.push(form);
      continue;
    }
    // A server ignoring case and trailing spaces (federation/comparisons.ts) returns `…x` and `…X ` for `…X` itself.
    if (comparison === 'CASE_AND_PAD_IGNORED') forms.push(id, ` ${id}`);
    else for (const form of caseAndSpaceForms(id)) forms.push(form);
    for (const form of otherWrittenForms(id)) forms.push(form);
  }
  // Frozen: the same array goes to every department, and db/prepared.ts writes a frozen list's SQL once.
  const distinct = Object.freeze(idNumbers.length > 1 ? [...new Set(forms)] : forms);
  last = { idNumbers: [...idNumbers], comparison, others, forms: distinct };
  return distinct;
}

/**
 * Departments' database handles (db/db-view.ts `baseOf`: one a department for a hub's life) whose
 * server refused forms outside ASCII in an ID-number column's comparison (`askingForms`).
 */
const asciiOnly = new WeakSet<object>();

/** The last list cut to ASCII and the cut list (frozen, as `lookupForms`' are: db/prepared.ts). */
let lastCut: { forms: readonly string[]; ascii: readonly string[] } | null = null;

function asciiForms(forms: readonly string[]): readonly string[] {
  if (lastCut?.forms === forms) return lastCut.ascii;
  const ascii = Object.freeze(forms.filter((form) => /^[\x00-\x7f]*$/.test(form)));
  lastCut = { forms, ascii };
  return ascii;
}

/**
 * Whether the server refused a comparison of a column with a constant it cannot convert to the
 * column's character set: 1267 (two collations), 1270 (three), 1271 (an `IN` list's), in MySQL
 * and MariaDB alike, or 3854 (ER_CANNOT_CONVERT_STRING), MySQL 9.7's answer to full-width digits
 * asked of a latin1 column (an error packet: federation/statement-refused.ts, which looks through
 * drizzle's wrapping).
 */
function isCollationMix(error: unknown): boolean {
  const errno = serverErrorOf(error)?.errno;
  return errno === 1267 || errno === 1270 || errno === 1271 || errno === 3854;
}

/**
 * A department's read of `forms`: all of them; or, where its server refuses those outside ASCII
 * (a latin1 ID-number column), again without them, and from then on only the ASCII ones for that
 * database handle. A read refused for another cause, or refused again, fails as it did.
 */
function askingForms<T>(db: object, forms: readonly string[], read: (forms: readonly string[]) => Promise<T>): Promise<T> {
  const base = baseOf(db);
  if (asciiOnly.has(base)) return read(asciiForms(forms));
  // The read's own promise, not an async function's around it: this runs once a department read.
  let asked: Promise<T>;
  try {
    asked = read(forms);
  } catch (err) {
    return askedAgainInAscii(base, forms, read, err);
  }
  return asked.catch((err: unknown) => askedAgainInAscii(base, forms, read, err));
}

/** `askingForms`' read refused: again with the ASCII forms only, if it was refused for the others. */
async function askedAgainInAscii<T>(base: object, forms: readonly string[], read: (forms: readonly string[]) => Promise<T>, err: unknown): Promise<T> {
  const ascii = asciiForms(forms);
  if (ascii.length === forms.length || !isCollationMix(err)) throw err;
  const answer = await read(ascii);
  asciiOnly.add(base);
  return answer;
}

/** The record with its beneficiary's ID number as the hub keys people. */
export function normalisedRecord(r: AidRecord): AidRecord {
  const id = normaliseIdNumber(r.beneficiaryIdNumber);
  const read = id === r.beneficiaryIdNumber ? r : { ...r, beneficiaryIdNumber: id };
  // A superseded record carries the entry standing in its place (recordsNoLongerStanding): normalised as well.
  return r.supersededBy ? { ...read, supersededBy: normalisedRecord(r.supersededBy) } : read;
}

function normalisedRecords(records: AidRecord[]): AidRecord[] {
  return records.map(normalisedRecord);
}

function fact<T extends { idNumber: string }>(f: T): T {
  const id = normaliseIdNumber(f.idNumber);
  return id === f.idNumber ? f : { ...f, idNumber: id };
}

function factReader<T extends { idNumber: string }>(reader: FactReader<T> & { byRefs?(db: never, refs: readonly string[]): Promise<T[]> }, comparison: Comparison, others: OtherWritings): FactReader<T> {
  const byRefs = reader.byRefs?.bind(reader);
  return {
    ...reader,
    byIdNumbers: async (db, idNumbers) => (await askingForms(db, lookupForms(idNumbers, comparison, others), (forms) => reader.byIdNumbers(db, forms))).map(fact),
    ...(byRefs ? { byRefs: async (db: never, refs: readonly string[]) => (await byRefs(db, refs)).map(fact) } : {}),
  };
}

/**
 * The adapter as the rest of the hub reads it: asked for every stored form (or, for a server that
 * ignores case and trailing spaces, those it does not match itself), answering normalised ID numbers.
 */
export function readingNormalisedIdNumbers(adapter: DepartmentAdapter, comparison: Comparison = 'EXACT', others: OtherWritings = 'DERIVED'): DepartmentAdapter {
  const { aidBySettlementRefs, aidAndFacts, recordsNoLongerStanding, facts } = adapter;
  return {
    ...adapter,
    aidByIdNumbers: (db, idNumbers, today, programmes) => askingForms(db, lookupForms(idNumbers, comparison, others), (forms) => adapter.aidByIdNumbers(db, forms, today, programmes)).then(normalisedRecords),
    ...(aidBySettlementRefs ? { aidBySettlementRefs: async (db, refs, today) => (await aidBySettlementRefs.call(adapter, db, refs, today)).map(normalisedRecord) } : {}),
    ...(aidAndFacts
      ? {
          aidAndFacts: async (db, ask) => {
            const { aid, tied, certificates, stays, students } = await askingForms(db, lookupForms(ask.idNumbers, comparison, others), (idNumbers) => aidAndFacts.call(adapter, db, { ...ask, idNumbers }));
            return { aid: aid.map(normalisedRecord), tied: tied.map(normalisedRecord), certificates: certificates.map(fact), stays: stays.map(fact), students: students.map(fact) };
          },
        }
      : {}),
    ...(recordsNoLongerStanding ? { recordsNoLongerStanding: async (db, refs, today) => new Map([...(await recordsNoLongerStanding.call(adapter, db, refs, today))].map(([ref, r]) => [ref, normalisedRecord(r)])) } : {}),
    ...(facts ? { facts: Object.fromEntries(Object.entries(facts).map(([kind, reader]) => [kind, factReader(reader as FactReader<{ idNumber: string }>, comparison, others)])) as DepartmentFactReaders } : {}),
  };
}
