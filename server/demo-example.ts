/**
 * The household the start banner and the query page show as an example: a Jining household (the
 * city-wide demo clients may see it) whose members receive aid from the most departments, so the
 * first query a newcomer runs shows what the hub is for rather than an empty list.
 */
import { asc, inArray, like } from 'drizzle-orm';
import type { HubDb } from '../db/connect';
import { household, householdMember } from '../db/household/schema';
import { todayIso } from '../domain/dates';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES, type DepartmentCode } from '../domain/departments';
import { ADAPTERS } from '../federation/registry';
import type { Sources } from '../federation/sources';

/** Looks among the first `candidates` Jining households; null when none has any aid (or none exists). */
export async function exampleHouseholdId(hub: HubDb, sources: Sources, candidates = 200): Promise<string | null> {
  const ids = (await hub.select({ id: household.id }).from(household).where(like(household.regionCode, '3708%')).orderBy(asc(household.id)).limit(candidates)).map((r) => r.id);
  if (ids.length === 0) return null;
  const members = await hub.select({ householdId: householdMember.householdId, idNumber: householdMember.idNumber }).from(householdMember).where(inArray(householdMember.householdId, ids));
  const householdOf = new Map(members.map((m) => [m.idNumber, m.householdId]));
  const people = [...householdOf.keys()];
  const departments = new Map<number, Set<string>>();
  const today = todayIso();
  await Promise.all(
    DEPARTMENT_CODES.map(async (code) => {
      const records = await ADAPTERS[code].aidByIdNumbers(sources[code].db, people, today).catch(() => []);
      for (const r of records) {
        const h = householdOf.get(r.beneficiaryIdNumber);
        if (h === undefined) continue;
        if (!departments.has(h)) departments.set(h, new Set());
        departments.get(h)!.add(code);
      }
    }),
  );
  let best: number | null = null;
  for (const id of ids) {
    const n = departments.get(id)?.size ?? 0;
    if (n > 0 && (best === null || n > departments.get(best)!.size)) best = id;
  }
  return best === null ? null : String(best);
}

/**
 * The federated departments whose demo tables are all empty while the hub holds the demo: added
 * to the code after the demo was loaded (the demo loads into an empty hub only, so their
 * databases were made and migrated, and left empty). One `SELECT 1 … LIMIT 1` per demo table; a
 * department that does not answer is not listed (its source reports itself).
 */
export async function departmentsWithoutDemo(sources: Sources): Promise<DepartmentCode[]> {
  const empty = await Promise.all(
    DEPARTMENT_CODES.filter((code) => !HUB_LEDGER_SOURCES.includes(code) && ADAPTERS[code].demo).map(async (code) => {
      const tables = Object.keys(ADAPTERS[code].demo!.tables);
      try {
        for (const table of tables) {
          const [rows] = await sources[code].pool.query('SELECT 1 FROM ?? LIMIT 1', [table]);
          if ((rows as unknown[]).length > 0) return null;
        }
        return code;
      } catch {
        return null;
      }
    }),
  );
  return empty.filter((code): code is DepartmentCode => code !== null);
}
