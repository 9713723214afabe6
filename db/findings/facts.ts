/**
 * The hub's side of the findings' facts, read set-wise: households of a division a page at a
 * time, membership spells (past ones too, so aid stays with the household it was paid to), people's
 * birth and death dates, and second temporary aids approved at the hub (issue 5's cases).
 */
import { eq, sql } from 'drizzle-orm';
import { divisionPage } from '../household/region-pages';
import { inPlaceholder, preparedPer, rowsAsArrays } from '../prepared';
import { secondAidApprovalOf, type PersonFacts, type SecondAidApprovalFacts, type Spell } from '../../domain/findings/facts';
import { secondAidApprovalsByIdNumbers } from '../cases/store';
import type { HubDb } from '../connect';
import { householdMember, person } from '../household/schema';

export interface HouseholdKey {
  id: number;
  regionCode: string;
}

/**
 * Households under a division prefix, in hub id order, after a household id: householdsInRegion's
 * statement (region-pages.ts divisionPage). A household's id never changes, so a scan or monthly
 * comparison judges every household under the division throughout exactly once, whatever moves
 * happen between its pages; by village then id (before session 34) one moved to a village the
 * pages had passed was missed, and one moved from a passed village to one ahead judged twice.
 */
export async function householdKeysPage(db: HubDb, prefix: string, afterId: number | null, limit: number): Promise<HouseholdKey[]> {
  const rows = await divisionPage(db, prefix, limit, afterId === null ? null : { prefix, id: afterId });
  return rows.map((r) => ({ id: r.id, regionCode: r.regionCode }));
}

/**
 * The scan's reads of spells, prepared once per database handle (db/prepared.ts): a scan runs them
 * once or twice a slice with a list of thousands, and drizzle's builder and row mapping of them
 * cost the scan's process about as much as the server's work (docs/performance.md, Session 40).
 */
const statements = preparedPer((db: HubDb) => ({
  /** Membership spells in these households joined to their people's dates. */
  spellsOfHouseholds: rowsAsArrays(
    db
      .select({
        householdId: householdMember.householdId,
        idNumber: householdMember.idNumber,
        joinedOn: householdMember.joinedOn,
        leftOn: householdMember.leftOn,
        birthDate: person.birthDate,
        deathDate: person.deathDate,
      })
      .from(householdMember)
      .innerJoin(person, eq(person.idNumber, householdMember.idNumber))
      .where(inPlaceholder(householdMember.householdId, 'ids'))
      .prepare(),
  ),
  /** These people with their spells, if any, in any household. */
  spellsAndPeople: rowsAsArrays(
    db
      .select({
        householdId: householdMember.householdId,
        idNumber: person.idNumber,
        joinedOn: householdMember.joinedOn,
        leftOn: householdMember.leftOn,
        birthDate: person.birthDate,
        deathDate: person.deathDate,
      })
      .from(person)
      .leftJoin(householdMember, eq(householdMember.idNumber, person.idNumber))
      .where(inPlaceholder(person.idNumber, 'ids'))
      .prepare(),
  ),
}));

/** Every spell in these households (past members too), with the people's birth and death dates. One statement. */
export async function spellsOfHouseholds(db: HubDb, householdIds: readonly number[]): Promise<{ spells: Spell[]; people: PersonFacts[] }> {
  if (householdIds.length === 0) return { spells: [], people: [] };
  return spellsOfRows(await statements(db).spellsOfHouseholds.execute({ ids: householdIds }));
}

/**
 * Every spell of these people, in any household, with their birth and death dates. One statement.
 * Read from the person, so that someone in no household (an institutionalised 特困 person) still
 * has their dates: the rules read a death wherever the person is.
 */
export async function spellsAndPeople(db: HubDb, idNumbers: readonly string[]): Promise<{ spells: Spell[]; people: PersonFacts[] }> {
  if (idNumbers.length === 0) return { spells: [], people: [] };
  return spellsOfRows(await statements(db).spellsAndPeople.execute({ ids: idNumbers }));
}

/**
 * The spells and people of the statements' rows (householdId, idNumber, joinedOn, leftOn,
 * birthDate, deathDate): a spell per row with a household (a person in none has a row without),
 * each person once. Made from the row arrays: a scan reads some 370,000 rows a county.
 */
function spellsOfRows(rows: unknown[][]): { spells: Spell[]; people: PersonFacts[] } {
  const seen = new Set<string>();
  const people: PersonFacts[] = [];
  const spells: Spell[] = [];
  for (const r of rows) {
    const idNumber = r[1] as string;
    if (r[0] !== null && r[2] !== null) spells.push({ householdId: r[0] as number, idNumber, joinedOn: r[2] as string, leftOn: r[3] as string | null });
    if (!seen.has(idNumber)) {
      seen.add(idNumber);
      people.push({ idNumber, birthDate: r[4] as string, deathDate: r[5] as string | null });
    }
  }
  return { spells, people };
}

/**
 * Second temporary aids approved at the hub for these people (db/cases/store.ts), keyed to the aid
 * record they paid once civil affairs has reported it. One statement.
 */
export async function secondAidApprovalFacts(db: HubDb, idNumbers: readonly string[]): Promise<SecondAidApprovalFacts[]> {
  return (await secondAidApprovalsByIdNumbers(db, idNumbers)).map(secondAidApprovalOf);
}

/** How many people the hub holds. One statement (an index count: under a second for millions). */
export async function countPeople(db: HubDb): Promise<number> {
  const [row] = await db.select({ n: sql<number>`COUNT(*)` }).from(person);
  return Number(row.n);
}
