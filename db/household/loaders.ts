/**
 * Per-request DataLoaders over the hub's own tables. Each batch function is one prepared statement
 * and returns exactly one entry per key, in key order; a missing row is null, never an error.
 */
import DataLoader from 'dataloader';
import { and, eq, gte, isNull, lt, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/mysql-core';
import { divisionLevel } from '../../domain/division-code';
import { secondAidApprovalOf, type PersonFacts, type SecondAidApprovalFacts, type Spell } from '../../domain/findings/facts';
import { byKey, groupByKey } from '../batch';
import { HeldLoader } from '../held-loader';
import type { HubDb } from '../connect';
import { inPlaceholder, preparedPer } from '../prepared';
import { household, householdMember, person, region } from './schema';
import { reportedAid, type ReportedAidRow } from '../reported-aid/schema';
import { secondAidApproval } from '../cases/schema';

export type HouseholdRow = typeof household.$inferSelect;
export type PersonRow = typeof person.$inferSelect;
export type RegionRow = typeof region.$inferSelect;
/** The households a person has been in, as `householdsOfPerson` reads them. */
export interface PersonHouseholds {
  /** Every spell of every household the person has been in, theirs among them. */
  spells: Spell[];
  /** Their own dates; null when the hub has no such person. */
  person: PersonFacts | null;
  /** The household they belong to now. */
  current: HouseholdRow | null;
  /**
   * Second temporary aids approved at the hub for everyone with a spell in these households (the
   * person among them), by person, then day approved: what a temporary-aid check's X5 exemption
   * reads, in the statement that found the household, not in one of its own beside the department
   * round. None for a person in no household.
   */
  approvals: SecondAidApprovalFacts[];
}

/** A division the hub's table does not list still answers with its code and level. */
export function unknownRegion(code: string): RegionRow {
  return { code, name: code, level: divisionLevel(code), parentCode: null };
}

export interface MemberRow {
  householdId: number;
  relation: (typeof householdMember.$inferSelect)['relation'];
  joinedOn: string;
  person: PersonRow;
}

/**
 * The order members are listed in: head first, then by relation, each relation oldest first. The one
 * list of it: the hub's reads sort by it here, the bench's hand-written SQL builds its FIELD from it.
 */
export const RELATIONS_IN_ORDER = ['HEAD', 'SPOUSE', 'PARENT', 'GRANDPARENT', 'CHILD', 'GRANDCHILD', 'SIBLING', 'OTHER'] as const;
/** A relation's rank: 1 for HEAD on, 0 for none (a household without current members), as FIELD ranks it. */
const RELATION_RANK = new Map<string | null, number>(RELATIONS_IN_ORDER.map((r, i) => [r, i + 1]));

interface MemberOrderKeys {
  relation: string | null;
  person: { birthDate: string; idNumber: string } | null;
}

/**
 * The members' order, `ORDER BY household id, FIELD(relation, RELATIONS_IN_ORDER), birth_date,
 * id_number`, as a comparator over rows of either read, `householdOf` finding the household id in
 * the row's shape. Done by the hub, not the server: a sort over joined tables is a temporary table
 * and a filesort per statement (docs/performance.md, Session 27), where a household's few rows cost
 * the hub next to nothing. The ID number, the person's key and the only one both reads have, orders
 * twins (same relation, same birth date); rows that tie on all keys (a member's several ledger
 * entries) keep the statement's order, as Array#sort is stable.
 */
function memberOrder<R extends MemberOrderKeys>(householdOf: (row: R) => number): (a: R, b: R) => number {
  return (a, b) => {
    const ha = householdOf(a);
    const hb = householdOf(b);
    if (ha !== hb) return ha - hb;
    const ra = RELATION_RANK.get(a.relation) ?? 0;
    const rb = RELATION_RANK.get(b.relation) ?? 0;
    if (ra !== rb) return ra - rb;
    // NULL first, as MySQL sorts it ascending; a row without a person is its household's only row.
    if (!a.person || !b.person) return a.person ? 1 : b.person ? -1 : 0;
    if (a.person.birthDate !== b.person.birthDate) return a.person.birthDate < b.person.birthDate ? -1 : 1;
    // ID numbers are 18 ASCII characters, so code-unit order is the collation's.
    if (a.person.idNumber !== b.person.idNumber) return a.person.idNumber < b.person.idNumber ? -1 : 1;
    return 0;
  };
}

/** The household read's joined rows (household, member, ledger entry) in the members' order, sorted in place. */
export function inMemberOrder<R extends MemberOrderKeys & { household: { id: number } }>(rows: R[]): R[] {
  return rows.sort(memberOrder((r) => r.household.id));
}

/** membersOf's rows, which carry their household id bare, compared in the same order. */
const membersInOrder = memberOrder<MemberRow>((r) => r.householdId);

/** The loaders' statements, prepared once per database handle (db/prepared.ts). */
const statements = preparedPer((db: HubDb) => ({
  /**
   * Households with their region, their current members (person rows joined) and the members'
   * standing entries in the reported-aid ledger, which lives in this database: one statement for
   * what a household query shows before it asks the departments. A household without current
   * members comes back once, its member columns null; a member with several ledger entries once each.
   */
  householdsById: db
    .select({ household, region, relation: householdMember.relation, joinedOn: householdMember.joinedOn, person, ledger: reportedAid })
    .from(household)
    .leftJoin(region, eq(region.code, household.regionCode))
    .leftJoin(householdMember, and(eq(householdMember.householdId, household.id), isNull(householdMember.leftOn)))
    .leftJoin(person, eq(person.idNumber, householdMember.idNumber))
    .leftJoin(reportedAid, and(eq(reportedAid.beneficiaryIdNumber, person.idNumber), isNull(reportedAid.supersededBy)))
    .where(inPlaceholder(household.id, 'ids'))
    // Ordered by the hub (inMemberOrder), not the server.
    .prepare(),
  membersOf: db
    .select({
      householdId: householdMember.householdId,
      relation: householdMember.relation,
      joinedOn: householdMember.joinedOn,
      person,
    })
    .from(householdMember)
    .innerJoin(person, eq(person.idNumber, householdMember.idNumber))
    .where(and(inPlaceholder(householdMember.householdId, 'ids'), isNull(householdMember.leftOn)))
    // Ordered by the hub (membersInOrder), not the server.
    .prepare(),
  peopleByIdNumber: db.select().from(person).where(inPlaceholder(person.idNumber, 'ids')).prepare(),
  householdsOfPeople: (() => {
    const other = alias(householdMember, 'other');
    return db
      .select({
        asked: householdMember.idNumber,
        askedLeftOn: householdMember.leftOn,
        household,
        idNumber: other.idNumber,
        joinedOn: other.joinedOn,
        leftOn: other.leftOn,
        birthDate: person.birthDate,
        deathDate: person.deathDate,
        approval: { id: secondAidApproval.id, idNumber: secondAidApproval.idNumber, cause: secondAidApproval.cause, approvedOn: secondAidApproval.approvedOn, aidSourceRef: secondAidApproval.aidSourceRef },
      })
      .from(householdMember)
      .innerJoin(household, eq(household.id, householdMember.householdId))
      .innerJoin(other, eq(other.householdId, householdMember.householdId))
      .leftJoin(person, eq(person.idNumber, householdMember.idNumber))
      // Rare (a handful of people have one), so a spell's row is repeated only for those who have several.
      .leftJoin(secondAidApproval, eq(secondAidApproval.idNumber, other.idNumber))
      .where(inPlaceholder(householdMember.idNumber, 'ids'))
      .prepare();
  })(),
  regionsByCode: db.select().from(region).where(inPlaceholder(region.code, 'codes')).prepare(),
  /** A household whose division sorts before `below` or from `from` on: two probes of the region index. */
  householdOutside: db
    .select({ id: household.id })
    .from(household)
    .where(or(lt(household.regionCode, sql.placeholder('below')), gte(household.regionCode, sql.placeholder('from'))))
    .limit(1)
    .prepare(),
  /** A person whose ID number's address code sorts before `below` or from `from` on: two probes of the primary key. */
  personOutside: db
    .select({ idNumber: person.idNumber })
    .from(person)
    .where(or(lt(person.idNumber, sql.placeholder('below')), gte(person.idNumber, sql.placeholder('from'))))
    .limit(1)
    .prepare(),
}));

export interface HubLoaderOptions {
  /**
   * Told the standing reported-aid ledger entries of every current member a household read found
   * (by entry id, in the order read; none for a member with none), so the ledger need not be asked
   * again for them, and how long the read took (it is the ledger's read, reported as a source's:
   * server/metrics.ts).
   */
  onLedger?: (entries: ReadonlyMap<string, ReadonlyMap<number, ReportedAidRow>>, latencyMs: number) => void;
}

/**
 * Every household a person has been in, with every spell of each (theirs among them, past members
 * too), their own dates, and the household they belong to now: one statement, which the region
 * check of a person-keyed field and a pre-grant check share. The household rows are handed to
 * `householdById`, so asking for one again costs nothing.
 */
function householdsOfPersonLoader(q: ReturnType<typeof statements>, householdById: DataLoader<number, HouseholdRow | null>): DataLoader<string, PersonHouseholds> {
  return new DataLoader<string, PersonHouseholds>(async (ids) => {
    const rows = await q.householdsOfPeople.execute({ ids });
    for (const r of rows) householdById.prime(r.household.id, r.household);
    return groupByKey(ids, rows, (r) => r.asked).map((mine, i) => {
      const spells: Spell[] = [];
      const seen = new Set<string>();
      const approvals = new Map<number, NonNullable<(typeof mine)[number]['approval']>>();
      for (const r of mine) {
        // A member in two of the households (or twice in one) meets their approvals once each.
        if (r.approval) approvals.set(r.approval.id, r.approval);
        const key = `${r.household.id}|${r.idNumber}|${r.joinedOn}`;
        if (seen.has(key)) continue;
        seen.add(key);
        spells.push({ householdId: r.household.id, idNumber: r.idNumber, joinedOn: r.joinedOn, leftOn: r.leftOn });
      }
      const first = mine[0];
      return {
        spells,
        person: first?.birthDate ? { idNumber: ids[i], birthDate: first.birthDate, deathDate: first.deathDate } : null,
        current: mine.find((r) => r.askedLeftOn === null)?.household ?? null,
        // As secondAidApprovalsByIdNumbers orders them.
        approvals: [...approvals.values()].sort((a, b) => (a.idNumber !== b.idNumber ? (a.idNumber < b.idNumber ? -1 : 1) : a.approvedOn !== b.approvedOn ? (a.approvedOn < b.approvedOn ? -1 : 1) : a.id - b.id)).map(secondAidApprovalOf),
      };
    });
  });
}

export function createHubLoaders(db: HubDb, opts: HubLoaderOptions = {}) {
  const q = statements(db);
  const membersByHousehold = new HeldLoader<number, MemberRow[]>(async (ids) => groupByKey(ids, (await q.membersOf.execute({ ids })).sort(membersInOrder), (r) => r.householdId));
  const personByIdNumber = new HeldLoader<string, PersonRow | null>(async (ids) => byKey(ids, await q.peopleByIdNumber.execute({ ids }), (r) => r.idNumber));
  const regionByCode = new HeldLoader<string, RegionRow | null>(async (codes) => byKey(codes, await q.regionsByCode.execute({ codes }), (r) => r.code));
  /**
   * A household, read with its region and current members, which are handed to their loaders: the
   * household, its members and its region cost one statement between them.
   */
  // Households this request reads or has read whole (with region, members and ledger entries), not
  // only primed from a person's look-up. Marked as the read is sent, not when it answers: a
  // `wholeHouseholdById` asked while it is in flight waits on it rather than reading again.
  const readWhole = new Set<number>();
  const householdById = new DataLoader<number, HouseholdRow | null>(async (ids) => {
    for (const id of ids) readWhole.add(id);
    const started = performance.now();
    const rows = inMemberOrder(await q.householdsById.execute({ ids }));
    const latencyMs = Math.round(performance.now() - started);
    const members = new Map<number, MemberRow[]>();
    const seen = new Set<string>();
    // By person, then by entry: a person in two of the households read has their entries twice.
    const ledger = new Map<string, Map<number, ReportedAidRow>>();
    for (const r of rows) {
      let list = members.get(r.household.id);
      if (!list) {
        members.set(r.household.id, (list = []));
        regionByCode.prime(r.household.regionCode, r.region);
      }
      if (!r.person || !r.relation || !r.joinedOn) continue;
      // A member's first row; the others repeat it, each with another ledger entry.
      const member = `${r.household.id}|${r.person.idNumber}`;
      if (!seen.has(member)) {
        seen.add(member);
        list.push({ householdId: r.household.id, relation: r.relation, joinedOn: r.joinedOn, person: r.person });
        personByIdNumber.prime(r.person.idNumber, r.person);
      }
      let entries = ledger.get(r.person.idNumber);
      if (!entries) ledger.set(r.person.idNumber, (entries = new Map()));
      if (r.ledger) entries.set(r.ledger.id, r.ledger);
    }
    for (const [id, list] of members) membersByHousehold.prime(id, list);
    opts.onLedger?.(ledger, latencyMs);
    return byKey(ids, rows.map((r) => r.household), (h) => h.id);
  });
  // The loaders a household query does not use are made when first asked (the getters below), not
  // for every request.
  let byPerson: DataLoader<string, PersonHouseholds> | undefined;
  let currentByIdNumber: DataLoader<string, HouseholdRow | null> | undefined;
  let whole: DataLoader<number, HouseholdRow | null> | undefined;
  let householdOutside: DataLoader<string, boolean> | undefined;
  let personOutside: DataLoader<string, boolean> | undefined;
  return {
    householdById,

    /** Current members (no leaving date), head first, each with their person row. */
    membersByHousehold,

    personByIdNumber,

    get householdsOfPerson() {
      return (byPerson ??= householdsOfPersonLoader(q, householdById));
    },

    /** The household a person belongs to now (no leaving date). */
    get currentHouseholdByIdNumber() {
      return (currentByIdNumber ??= new DataLoader<string, HouseholdRow | null>(async (ids) =>
        (await (byPerson ??= householdsOfPersonLoader(q, householdById)).loadMany(ids)).map((h) => (h instanceof Error ? h : h.current)),
      ));
    },

    /**
     * A household read whole, as `householdById` reads one, also when a person's look-up primed
     * `householdById` with its bare row: its members, region and ledger entries were then read in
     * three statements more (`householdByMember`; README "What a query looks like", Cost).
     */
    get wholeHouseholdById() {
      return (whole ??= new DataLoader<number, HouseholdRow | null>(async (ids) => {
        for (const id of ids) if (!readWhole.has(id)) householdById.clear(id);
        return householdById.loadMany(ids);
      }));
    },

    regionByCode,

    /**
     * Whether any household lies outside a division (by its prefix, domain/division-code.ts): the
     * codes under it are the ones from the prefix up to the prefix followed by thirteen 9s, longer
     * than any division code, so only digits are compared, whatever the collation.
     */
    get householdOutsideDivision() {
      return (householdOutside ??= new DataLoader<string, boolean>(async (prefixes) =>
        Promise.all(prefixes.map(async (prefix) => (await q.householdOutside.execute({ below: prefix, from: `${prefix}${'9'.repeat(13)}` })).length > 0)),
      ));
    },

    /**
     * Whether any person the hub holds has an ID number whose address code lies outside a division
     * (by its prefix, as `householdOutsideDivision`): a person in no household is placed by that
     * code (access/policy.ts personRegion). Any such person counts, in a household or not, which
     * errs towards a caller not covering every person.
     */
    get personOutsideDivision() {
      return (personOutside ??= new DataLoader<string, boolean>(async (prefixes) =>
        Promise.all(prefixes.map(async (prefix) => (await q.personOutside.execute({ below: prefix, from: `${prefix}${'9'.repeat(19)}` })).length > 0)),
      ));
    },
  };
}

export type HubLoaders = ReturnType<typeof createHubLoaders>;
