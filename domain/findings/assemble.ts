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
}

export interface AssembleInput {
  householdIds: readonly number[];
  /** Every spell of every person ever in one of these households, in whatever household. */
  spells: readonly Spell[];
  people: ReadonlyMap<string, PersonFacts>;
  departments: DepartmentFactsLike;
  secondAidApprovals: readonly SecondAidApprovalFacts[];
}

/** One HouseholdFacts per household id asked for (in that order). */
export function assembleHouseholds(input: AssembleInput): HouseholdFacts[] {
  const spellsByPerson = groupBy(input.spells, (s) => s.idNumber);
  const spellsByHousehold = groupBy(input.spells, (s) => s.householdId);
  const records = groupBy(input.departments.records, (r) => r.beneficiaryIdNumber);
  const certificates = groupBy(input.departments.certificates, (c) => c.idNumber);
  const students = groupBy(input.departments.students, (s) => s.idNumber);
  const approvals = groupBy(input.secondAidApprovals, (a) => a.idNumber);
  const stays = groupBy([...input.departments.settlements.values()], (s) => s.idNumber);
  const home = new Map<string, number | null>();
  for (const [id, own] of spellsByPerson) home.set(id, homeHousehold(own));

  return input.householdIds.map((householdId) => {
    const spells = spellsByHousehold.get(householdId) ?? [];
    const ids = [...new Set(spells.map((s) => s.idNumber))];
    const theirRecords = ids.flatMap((id) => records.get(id) ?? []);
    const settlements = new Map<string, HospitalSettlement>();
    for (const id of ids) for (const s of stays.get(id) ?? []) settlements.set(s.settlementRef, s);
    for (const r of theirRecords) {
      const s = r.settlementRef ? input.departments.settlements.get(r.settlementRef) : undefined;
      if (s) settlements.set(s.settlementRef, s);
    }
    const people = new Map<string, PersonFacts>();
    for (const id of ids) {
      const p = input.people.get(id);
      if (p) people.set(id, p);
    }
    return {
      householdId,
      spells,
      homeMembers: new Set(ids.filter((id) => home.get(id) === householdId)),
      people,
      records: theirRecords,
      settlements,
      certificates: ids.flatMap((id) => certificates.get(id) ?? []),
      students: ids.flatMap((id) => students.get(id) ?? []),
      secondAidApprovals: ids.flatMap((id) => approvals.get(id) ?? []),
    };
  });
}

/** Facts for a person the hub has in no household: only person-scope rules can run. */
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
  };
}
