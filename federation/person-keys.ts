/**
 * Which people each department holds anything about: the columns through which its adapter finds
 * a person's records (beneficiary ID numbers, and the keys those records hang from: a certificate,
 * a student, an application). A region scan reads these once, index only, and then asks each
 * department only about the people it has rows for. In a city most people have nothing in most
 * departments, so this replaces millions of empty index look-ups with one pass over each index.
 *
 * Every department folder must declare its person columns (`personKeys` in its adapter), or a scan would miss that department's
 * records: test/findings-person-keys.test.ts checks each department table's ID-number columns
 * against this list, and test/findings-planted.test.ts compares the scan with the household view.
 */
import type { MySqlColumn } from 'drizzle-orm/mysql-core';
import { sql } from 'drizzle-orm';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { isAskedStoredForm, normaliseIdNumber } from '../domain/id-number';
import { DepartmentReadError, departmentReadError, withinScanLimit } from './reads';
import { ADAPTERS, factProvider, factProviders } from './registry';
import type { FactKind } from './contract';
import type { Sources } from './sources';

/** Each department's person columns, as its folder declares them (`personKeys`). */
export const PERSON_KEY_COLUMNS: Record<DepartmentCode, readonly MySqlColumn[]> = Object.fromEntries(DEPARTMENT_CODES.map((code) => [code, ADAPTERS[code].personKeys])) as Record<
  DepartmentCode,
  readonly MySqlColumn[]
>;

/**
 * ID numbers in one key column. One statement, read off the column's index. `writings`, if given,
 * gathers the ID numbers stored otherwise than the hub keys them (an old 15-digit number, full-width
 * digits, a lower-case x, a space around it), as stored, under the person as the hub keys them: a
 * scan asks the department for those forms of those people only, and the key alone of everyone else
 * (federation/id-numbers.ts `OtherWritings`).
 */
async function idsIn(sources: Sources, code: DepartmentCode, column: MySqlColumn, writings?: Map<string, string[]>): Promise<Set<string>> {
  const rows = (await withinScanLimit(sources, code, (db) => db.execute(sql`SELECT DISTINCT ${column} AS id FROM ${column.table} WHERE ${column} IS NOT NULL`))) as unknown as [{ id: string }[]];
  // An ID number stored with whitespace around it other than the one space the hub asks for too
  // (`storedForms`: ` 370811…`, `…123X `), such as a tab, two spaces or a full-width space, matches
  // nobody the hub asks about: that person's rows would be missing from the run without a word,
  // their aid read as missed. The run stops, naming the department, as for a record it cannot read;
  // the log counts such ID numbers and names none.
  const padded = rows[0].filter((r) => r.id !== r.id.trim() && !isAskedStoredForm(r.id)).length;
  if (padded > 0) throw new DepartmentReadError(code, 'ID_NUMBER_SPACES', 'UNREADABLE_ROWS', { idNumberWithSpaces: padded });
  // As a department wrote them, perhaps with a lower-case x; the hub asks about people normalised (federation/id-numbers.ts).
  // An old 15-digit number or full-width digits: normalised to the person's 18-digit number.
  const ids = new Set<string>();
  for (const { id: stored } of rows[0]) {
    const id = normaliseIdNumber(stored);
    ids.add(id);
    // Every spelling other than the hub's key (another writing, a lower-case x, a space around it), as
    // the column's DISTINCT gave it: one value of each group its collation holds equal, which asked
    // finds the whole group. A scan asks a person in these and the key alone (federation/id-numbers.ts).
    if (writings && stored !== id) {
      const forms = writings.get(id);
      if (!forms) writings.set(id, [stored]);
      else if (!forms.includes(stored)) forms.push(stored);
    }
  }
  return ids;
}

/**
 * ID numbers of everyone a department holds a row about. One statement per key column. `writings`,
 * if given, gathers those stored otherwise than the hub keys them (`idsIn`).
 */
export async function peopleKnownTo(sources: Sources, code: DepartmentCode, writings?: Map<string, string[]>): Promise<Set<string>> {
  const out = new Set<string>();
  for (const column of PERSON_KEY_COLUMNS[code]) for (const id of await idsIn(sources, code, column, writings)) out.add(id);
  return out;
}

/** People with a hospital settlement, people holding a disability certificate, students on the roll. */
export async function peopleWithFacts(sources: Sources): Promise<{ settlements: Set<string>; certificates: Set<string>; students: Set<string> }> {
  const read = (code: DepartmentCode, column: MySqlColumn) => idsIn(sources, code, column).catch((err: unknown) => failed(code, err));
  const of = (kind: 'settlements' | 'certificates' | 'students') => {
    const { code, reader } = factProvider(kind);
    return read(code, reader.keyColumn);
  };
  const [settlements, certificates, students] = await Promise.all([of('settlements'), of('certificates'), of('students')]);
  return { settlements, certificates, students };
}

function failed(code: DepartmentCode, err: unknown): never {
  throw departmentReadError(code, err);
}

/**
 * For every department, the people it holds anything about. Throws DepartmentReadError naming one
 * that failed. `writings`, if given, gathers each department's ID numbers stored otherwise than the hub keys them (`idsIn`).
 */
export async function peopleKnownToDepartments(sources: Sources, writings?: Map<DepartmentCode, Map<string, string[]>>): Promise<Map<DepartmentCode, Set<string>>> {
  const sets = await Promise.all(
    DEPARTMENT_CODES.map((code) => {
      const held = new Map<string, string[]>();
      writings?.set(code, held);
      return peopleKnownTo(sources, code, writings ? held : undefined).catch((err: unknown) => failed(code, err));
    }),
  );
  return new Map(DEPARTMENT_CODES.map((code, i) => [code, sets[i]]));
}

type ScanFactKind = 'settlements' | 'certificates' | 'students';
const FACT_KINDS: readonly ScanFactKind[] = ['settlements', 'certificates', 'students'];

/**
 * Who each department (and each fact beside aid) holds anything about, as one bit per department
 * and fact kind for each person. A region scan asks it, slice by slice, for the few people of that
 * slice each department knows: one look-up per person of the slice, in place of one per person and
 * department in sets of the city's size (seventeen look-ups that miss the processor's caches cost
 * a 100,000-household scan seconds). Departments left out of `known` (those that hold something
 * about most people) stay out: they are asked about everyone.
 */
export class KnownPeople {
  private readonly bits = new Map<string, number>();
  private readonly departments: DepartmentCode[];

  constructor(known: ReadonlyMap<DepartmentCode, ReadonlySet<string>>, facts: Record<ScanFactKind, ReadonlySet<string>>) {
    this.departments = DEPARTMENT_CODES.filter((code) => known.has(code));
    const mark = (ids: ReadonlySet<string>, bit: number) => {
      for (const id of ids) this.bits.set(id, (this.bits.get(id) ?? 0) | bit);
    };
    this.departments.forEach((code, i) => mark(known.get(code)!, 1 << i));
    FACT_KINDS.forEach((kind, k) => mark(facts[kind], 1 << (this.departments.length + k)));
  }

  /** For these people: the sets `readDepartmentFacts` takes as `known` and `knownFacts`, holding only them. */
  among(ids: readonly string[]): { known: Map<DepartmentCode, Set<string>>; knownFacts: Record<ScanFactKind, Set<string>> } {
    const sets = [...this.departments, ...FACT_KINDS].map(() => new Set<string>());
    for (const id of ids) {
      let b = this.bits.get(id) ?? 0;
      for (let i = 0; b !== 0; i++, b >>>= 1) if (b & 1) sets[i].add(id);
    }
    const n = this.departments.length;
    return {
      known: new Map(this.departments.map((code, i) => [code, sets[i]])),
      knownFacts: { settlements: sets[n], certificates: sets[n + 1], students: sets[n + 2] },
    };
  }
}

/** For every department providing a kind of fact (job losses, the monitored roll), the people it holds one about. One statement each. */
export async function peopleWithFactOf(sources: Sources, kind: FactKind): Promise<Map<DepartmentCode, Set<string>>> {
  const providers = factProviders(kind);
  const sets = await Promise.all(providers.map(({ code, reader }) => idsIn(sources, code, reader.keyColumn).catch((err: unknown) => failed(code, err))));
  return new Map(providers.map(({ code }, i) => [code, sets[i]]));
}
