/** Building blocks for rule tests: plain facts, no database. */
import { makeIdNumber } from '../../domain/id-number';
import { PROGRAMME_BY_CODE, type ProgrammeCode } from '../../domain/programmes';
import type { AidRecord, HouseholdFacts, PersonFacts, Spell } from '../../domain/findings/facts';
import { buildRuleSet, type Rule } from '../../domain/findings/rule-set';
import defaults from '../../rules/default.json';

export const TODAY = '2026-03-15';

export function person(birthDate: string, sequence: number, deathDate: string | null = null): PersonFacts {
  return { idNumber: makeIdNumber('370811', birthDate, sequence), birthDate, deathDate };
}

let seq = 0;

/** A record of `programme` for `who`: a period for recurring programmes, a date for one-off ones. */
export function aid(programme: ProgrammeCode, who: PersonFacts | string, when: { start?: string; end?: string | null; date?: string }, extra: Partial<AidRecord> = {}): AidRecord {
  const p = PROGRAMME_BY_CODE.get(programme)!;
  seq += 1;
  const recurring = p.kind === 'RECURRING';
  return {
    department: p.department,
    programme,
    beneficiaryIdNumber: typeof who === 'string' ? who : who.idNumber,
    sourceHouseholdRef: null,
    periodStart: recurring ? when.start! : null,
    periodEnd: recurring ? (when.end ?? null) : null,
    grantDate: recurring ? null : when.date!,
    amountFen: recurring ? 50_000 : 100_000,
    status: recurring ? ((when.end ?? '9999') < TODAY ? 'ENDED' : 'ACTIVE') : 'PAID',
    sourceRef: `t:${programme}:${seq}`,
    ...extra,
  };
}

export function spell(householdId: number, who: PersonFacts, joinedOn = '2000-01-01', leftOn: string | null = null): Spell {
  return { householdId, idNumber: who.idNumber, joinedOn, leftOn };
}

/** One household (id 1 unless spells say otherwise) whose home members are everyone in it today. */
export function household(people: PersonFacts[], records: AidRecord[], more: Partial<HouseholdFacts> = {}): HouseholdFacts {
  const spells = more.spells ?? people.map((p) => spell(1, p));
  return {
    householdId: 1,
    spells,
    homeMembers: new Set(people.map((p) => p.idNumber)),
    people: new Map(people.map((p) => [p.idNumber, p])),
    records,
    settlements: new Map(),
    certificates: [],
    students: [],
    secondAidApprovals: [],
    ...more,
  };
}

export const DEFAULT_RULES = buildRuleSet(defaults, null, { defaults: 'rules/default.json' }).rules;

export function rule(id: string): Rule {
  return DEFAULT_RULES.find((r) => r.id === id)!;
}
