/** The scan assembles and evaluates only households where someone holds a department fact. */
import { assembleHouseholds, householdsWithFacts } from '../../domain/findings/assemble';
import { evaluateHousehold } from '../../domain/findings/evaluate';
import type { DisabilityCertificate } from '../../domain/findings/facts';
import { aid, DEFAULT_RULES, person, spell, TODAY } from './facts';

const certificate = (idNumber: string, level: number): DisabilityCertificate => ({ certificateNumber: `${idNumber}4${level}`, idNumber, category: 4, level, issuedOn: '2019-05-01', validUntil: null, status: 'VALID' });

describe('householdsWithFacts', () => {
  const [past, disabled, none, student, patient] = [person('1960-01-01', 11), person('1977-09-03', 42), person('1980-02-02', 13), person('2012-05-05', 15), person('1955-06-06', 17)];
  const spells = [spell(1, past, '2000-01-01', '2020-01-01'), spell(2, disabled), spell(3, none), spell(4, student), spell(5, patient), spell(6, past)];
  const departments = {
    records: [aid('DIBAO', past, { start: '2010-01-01', end: '2015-12-31' })],
    certificates: [certificate(disabled.idNumber, 1)],
    students: [{ idNumber: student.idNumber }],
    settlements: new Map([['S1', { settlementRef: 'S1', idNumber: patient.idNumber } as never]]),
  };

  it('keeps, in order, the households where a member past or present holds a record, certificate, place on the roll or stay', () => {
    expect(householdsWithFacts([6, 5, 4, 3, 2, 1], spells, departments)).toEqual([6, 5, 4, 2, 1]);
    expect(householdsWithFacts([3], spells, departments)).toEqual([]);
    expect(householdsWithFacts([1, 2], spells, { records: [], certificates: [], students: [], settlements: new Map() })).toEqual([]);
  });

  it('drops only households where no rule finds anything, and keeps one where a rule does', () => {
    const people = new Map([past, disabled, none, student, patient].map((p) => [p.idNumber, p]));
    const all = [1, 2, 3, 4, 5, 6];
    const facts = assembleHouseholds({ householdIds: all, spells, people, departments: { ...departments, settlements: new Map() }, secondAidApprovals: [] });
    const withFindings = facts.filter((f) => evaluateHousehold(f, DEFAULT_RULES, TODAY).length > 0).map((f) => f.householdId);
    // The level-1 certificate without a nursing subsidy is missed aid (M1): household 2 has a finding and is kept.
    expect(withFindings).toContain(2);
    const kept = new Set(householdsWithFacts(all, spells, departments));
    for (const id of withFindings) expect(kept.has(id!)).toBe(true);
    expect(kept.has(3)).toBe(false);
  });
});
