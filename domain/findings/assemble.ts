/**
 * From set-wise reads to one HouseholdFacts per household: everything is grouped by person once,
 * then each household takes its own people's share, so a chunk of ten thousand households costs
 * time in proportion to its records, not to households × records.
 */
import { groupBy } from '../group-by';
import type { AidRecord, DisabilityCertificate, HospitalSettlement, HouseholdFacts, PersonFacts, SecondAidApprovalFacts, Spell, StudentFacts } from './facts';

/**
 * A person's home household: where their person-scope findings belong. The household they are in
 * now (the latest joined, if the data show two); if none, the one they were in last.
 */
export function homeHousehold(spells: readonly Spell[]): number | null {
  let best: Spell | null = null;
  for (const s of spells) {
    if (!best) best = s;
    else if ((s.leftOn === null) !== (best.leftOn === null)) best = s.leftOn === null ? s : best;
    else if (s.joinedOn > best.joinedOn || (s.joinedOn === best.joinedOn && s.householdId > best.householdId)) best = s;
  }
  return best?.householdId ?? null;
}

export interface DepartmentFactsLike {
  records: readonly AidRecord[];
  settlements: ReadonlyMap<string, HospitalSettlement>;
  certificates: readonly DisabilityCertificate[];
  students: readonly StudentFacts[];
  /** Every aid record tied to one of `settlements`, whoever received it (X7 adds them up per stay). */
  settlementAid?: readonly AidRecord[];
}

/**
 * The household a settlement's findings belong to: the patient's home; for a patient in no
 * household, the home of the first beneficiary (by ID number) of the aid tied to it who has one;
 * null when nobody has one. `home` must know everyone involved (orchestrators read their spells).
 */
export function settlementOwner(s: HospitalSettlement, aid: readonly AidRecord[], home: ReadonlyMap<string, number | null>): number | null {
  const patient = home.get(s.idNumber);
  if (patient !== undefined && patient !== null) return patient;
  for (const id of [...new Set(aid.map((r) => r.beneficiaryIdNumber))].sort()) {
    const h = home.get(id);
    if (h !== undefined && h !== null) return h;
  }
  return null;
}

/** The aid tied to each settlement, from these records and the settlement reads, once each. */
function aidBySettlement(records: readonly AidRecord[], linked: readonly AidRecord[]): Map<string, AidRecord[]> {
  const out = new Map<string, AidRecord[]>();
  const seen = new Set<string>();
  for (const r of [...records, ...linked]) {
    if (!r.settlementRef) continue;
    const key = `${r.department}:${r.sourceRef}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = out.get(r.settlementRef);
    if (list) list.push(r);
    else out.set(r.settlementRef, [r]);
  }
  return out;
}

export interface AssembleInput {
  householdIds: readonly number[];
  /** Every spell of every person ever in one of these households, in whatever household. */
  spells: readonly Spell[];
  people: ReadonlyMap<string, PersonFacts>;
  departments: DepartmentFactsLike;
  secondAidApprovals: readonly SecondAidApprovalFacts[];
}

/**
 * Each person's home household (homeHousehold over their spells), folded over the spells in one
 * pass: the same choice as homeHousehold makes over the person's spells in this order.
 */
function homesOf(spells: readonly Spell[]): Map<string, number | null> {
  const best = new Map<string, Spell>();
  for (const s of spells) {
    const b = best.get(s.idNumber);
    if (b === undefined) best.set(s.idNumber, s);
    else if ((s.leftOn === null) !== (b.leftOn === null)) {
      if (s.leftOn === null) best.set(s.idNumber, s);
    } else if (s.joinedOn > b.joinedOn || (s.joinedOn === b.joinedOn && s.householdId > b.householdId)) best.set(s.idNumber, s);
  }
  // The same map, each spell replaced by its household (a key set again is not added again).
  const home = best as unknown as Map<string, number | null>;
  for (const [id, s] of best) home.set(id, s.householdId);
  return home;
}

/** The lists of these people in `byPerson`, one after another, in a new array. */
function gathered<T>(ids: readonly string[], byPerson: ReadonlyMap<string, T[]>): T[] {
  const out: T[] = [];
  for (const id of ids) {
    const own = byPerson.get(id);
    if (own) for (const x of own) out.push(x);
  }
  return out;
}

/**
 * One HouseholdFacts per household id asked for (in that order). A county's scan assembles some
 * 70,000 households: each is built from the groups made once, with no arrays, sets or pairs made
 * and dropped on the way (their garbage collection was a fifth of the scan's CPU: docs/performance.md,
 * Session 41).
 */
export function assembleHouseholds(input: AssembleInput): HouseholdFacts[] {
  const spellsByHousehold = groupBy(input.spells, (s) => s.householdId);
  const records = groupBy(input.departments.records, (r) => r.beneficiaryIdNumber);
  const certificates = groupBy(input.departments.certificates, (c) => c.idNumber);
  const students = groupBy(input.departments.students, (s) => s.idNumber);
  const approvals = groupBy(input.secondAidApprovals, (a) => a.idNumber);
  const stays = groupBy(input.departments.settlements.values(), (s) => s.idNumber);
  const home = homesOf(input.spells);
  // People the hub knows with no spell at all are in no household.
  for (const id of input.people.keys()) if (!home.has(id)) home.set(id, null);
  const tiedTo = aidBySettlement(input.departments.records, input.departments.settlementAid ?? []);

  const out: HouseholdFacts[] = new Array(input.householdIds.length);
  for (let h = 0; h < input.householdIds.length; h++) {
    const householdId = input.householdIds[h];
    const spells = spellsByHousehold.get(householdId) ?? [];
    // Its people in the order of their first spell (a household's few spells: a list, not a set).
    const ids: string[] = [];
    for (const s of spells) if (!ids.includes(s.idNumber)) ids.push(s.idNumber);
    const theirRecords = gathered(ids, records);
    const settlements = new Map<string, HospitalSettlement>();
    for (const id of ids) {
      const own = stays.get(id);
      if (own) for (const s of own) settlements.set(s.settlementRef, s);
    }
    for (const r of theirRecords) {
      const s = r.settlementRef ? input.departments.settlements.get(r.settlementRef) : undefined;
      if (s) settlements.set(s.settlementRef, s);
    }
    const settlementAid: AidRecord[] = [];
    const settlementOwners = new Map<string, number | null>();
    for (const s of settlements.values()) {
      const tied = tiedTo.get(s.settlementRef) ?? [];
      for (const r of tied) if (!ids.includes(r.beneficiaryIdNumber)) settlementAid.push(r);
      settlementOwners.set(s.settlementRef, settlementOwner(s, tied, home));
    }
    const people = new Map<string, PersonFacts>();
    const homeMembers = new Set<string>();
    for (const id of ids) {
      const p = input.people.get(id);
      if (p) people.set(id, p);
      if (home.get(id) === householdId) homeMembers.add(id);
    }
    out[h] = {
      householdId,
      spells,
      homeMembers,
      people,
      records: theirRecords,
      settlements,
      certificates: gathered(ids, certificates),
      students: gathered(ids, students),
      secondAidApprovals: gathered(ids, approvals),
      settlementAid,
      settlementOwners,
    };
  }
  return out;
}

/** Facts for a person the hub has in no household: the household rules judge them as a household of one (HouseholdContext.subjects). */
export function assembleLonePerson(idNumber: string, person: PersonFacts | null, departments: DepartmentFactsLike, secondAidApprovals: readonly SecondAidApprovalFacts[]): HouseholdFacts {
  const settlements = new Map<string, HospitalSettlement>();
  for (const s of departments.settlements.values()) if (s.idNumber === idNumber) settlements.set(s.settlementRef, s);
  const records = departments.records.filter((r) => r.beneficiaryIdNumber === idNumber);
  for (const r of records) {
    const s = r.settlementRef ? departments.settlements.get(r.settlementRef) : undefined;
    if (s) settlements.set(s.settlementRef, s);
  }
  return {
    householdId: null,
    spells: [],
    homeMembers: new Set([idNumber]),
    people: new Map(person ? [[idNumber, person]] : []),
    records,
    settlements,
    certificates: departments.certificates.filter((c) => c.idNumber === idNumber),
    students: departments.students.filter((s) => s.idNumber === idNumber),
    secondAidApprovals: secondAidApprovals.filter((a) => a.idNumber === idNumber),
    // Others' aid for this person's stays (or for a stay their own aid is tied to) counts too.
    settlementAid: (departments.settlementAid ?? []).filter((r) => r.beneficiaryIdNumber !== idNumber && r.settlementRef !== null && r.settlementRef !== undefined && settlements.has(r.settlementRef)),
  };
}

/**
 * The households, of these, where someone who was ever a member has a department fact: an aid
 * record, a certificate, a place on the roll or a hospital stay. Only they can have a finding:
 * every rule needs one of those to apply (`mayApply`; a missed-aid rule has at least one
 * condition, and each condition reads one of them), so a scan assembles and evaluates only them.
 */
export function householdsWithFacts(householdIds: readonly number[], spells: readonly Spell[], departments: DepartmentFactsLike): number[] {
  const holders = new Set<string>();
  for (const r of departments.records) holders.add(r.beneficiaryIdNumber);
  for (const c of departments.certificates) holders.add(c.idNumber);
  for (const s of departments.students) holders.add(s.idNumber);
  for (const s of departments.settlements.values()) holders.add(s.idNumber);
  if (holders.size === 0) return [];
  const wanted = new Set(householdIds);
  const found = new Set<number>();
  for (const s of spells) if (wanted.has(s.householdId) && holders.has(s.idNumber)) found.add(s.householdId);
  return householdIds.filter((id) => found.has(id));
}
