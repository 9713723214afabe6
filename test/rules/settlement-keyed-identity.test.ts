/**
 * A finding's identity and content rebuilt as this release gives them from what an earlier release
 * stored, found on stays as a department held them (`zy001 `, `zy002`) before the hub keyed stays
 * (domain/aid.ts settlementKey): the rules run over the facts as that release read them, then as
 * this release reads them, over plain data.
 */
import { asciiLower, settlementKey, settlementReferenceOf, type HospitalSettlement } from '../../domain/aid';
import { settlementLookupForms } from '../../federation/settlement-refs';
import { evaluateHousehold } from '../../domain/findings/evaluate';
import type { Finding } from '../../domain/findings/facts';
import { contentHashAsHeld, settlementKeyedFingerprint } from '../../domain/findings/identity';
import { aid, DEFAULT_RULES, household, person, rule, TODAY } from './facts';

const patient = person('1958-04-04', 15);

function stay(settlementRef: string, settledOn: string, outOfPocketFen: number): HospitalSettlement {
  return { settlementRef, idNumber: patient.idNumber, hospitalName: '任城区人民医院', admittedOn: settledOn, dischargedOn: settledOn, settledOn, diagnosis: null, totalCostFen: outOfPocketFen * 3, basicInsurancePaidFen: outOfPocketFen * 2, criticalIllnessInsurancePaidFen: 0, medicalAidPaidFen: 0, outOfPocketFen };
}

/** The one finding of `ruleId` over stays (and aid tied to them) spelled by `spell`. */
function found(ruleId: string, spell: (ref: string) => string, stays: HospitalSettlement[], tied: { ref: string; amountFen: number }[] = []): Finding {
  const records = tied.map((t, i) => aid('UNION_ILLNESS', patient, { date: '2026-02-01' }, { sourceRef: `grant:${i}`, amountFen: t.amountFen, settlementRef: spell(t.ref) }));
  const facts = household([patient], records, { settlements: new Map(stays.map((s) => [spell(s.settlementRef), { ...s, settlementRef: spell(s.settlementRef) }])) });
  const all = evaluateHousehold(facts, [rule(ruleId)], TODAY).filter((f) => f.ruleId === ruleId);
  expect(all).toHaveLength(1);
  return all[0];
}

/** A finding as the hub stores it (db/findings/store.ts FindingDetail beside its row). */
const stored = (f: Finding) => ({ ruleId: f.ruleId, fingerprint: f.fingerprint, householdId: f.householdId, idNumbers: f.idNumbers, records: f.records, measure: f.measure });

const asHeld = (ref: string) => ref;

describe('a finding stored on stays as a department held them', () => {
  it('M4 (out-of-pocket over the line, no medical aid): the fingerprint and content of its stays as keyed', () => {
    const stays = [stay('zy001 ', '2025-11-02', 700_000), stay('zy002', '2026-01-20', 600_000)];
    const earlier = found('M4', asHeld, stays);
    const now = found('M4', settlementKey, stays);
    expect(now.fingerprint).not.toBe(earlier.fingerprint);
    expect(settlementKeyedFingerprint(stored(earlier))).toBe(now.fingerprint);
    // The dismissal's content: the same, spelled as the earlier release spelled it.
    expect(now.contentHash).not.toBe(earlier.contentHash);
    expect(contentHashAsHeld(now, stored(earlier))).toBe(earlier.contentHash);
    // A stay's amount changed since: not the content it was dismissed on.
    const changed = found('M4', settlementKey, [stays[0], stay('zy002', '2026-01-20', 650_000)]);
    expect(contentHashAsHeld(changed, stored(earlier))).not.toBe(earlier.contentHash);
  });

  it('X7 (aid tied to one stay beyond its burden): the stay in its identity, each tied record in its content', () => {
    const stays = [stay('zy009 ', '2026-01-09', 300_000)];
    const tied = [{ ref: 'zy009 ', amountFen: 350_000 }];
    const earlier = found('X7', asHeld, stays, tied);
    const now = found('X7', settlementKey, stays, tied);
    expect(settlementKeyedFingerprint(stored(earlier))).toBe(now.fingerprint);
    expect(contentHashAsHeld(now, stored(earlier))).toBe(earlier.contentHash);
  });

  it('names none but keyed stays, is keyed already, or its fingerprint is not its detail’s: nothing to rewrite', () => {
    const stays = [stay('ZY001', '2025-11-02', 1_300_000)];
    const keyed = found('M4', settlementKey, stays);
    expect(settlementKeyedFingerprint(stored(keyed))).toBeNull();
    expect(contentHashAsHeld(keyed, stored(keyed))).toBeNull();
    const earlier = found('M4', asHeld, [stay('zy001 ', '2025-11-02', 1_300_000)]);
    expect(settlementKeyedFingerprint({ ...stored(earlier), fingerprint: keyed.fingerprint })).toBeNull();
    expect(settlementKeyedFingerprint({ ...stored(earlier), fingerprint: '0'.repeat(32) })).toBeNull();
  });
});

// Session 43 (docs/performance.md) returns a reference already keyed as it is, and writes each key's
// forms into one array: the keys and forms must be those of the three steps and of a set per key.
it('keys a reference, and lists its forms, as the full steps do', () => {
  const refs = ['ZY001', 'zy001 ', ' ZY-002', 'ＺＹ００３', 'Zy004', '7-1', '  ', '', 'ZY001', 'É1', 'zy005'];
  for (const ref of refs) expect(settlementKey(ref)).toBe(settlementReferenceOf(ref) ?? ref);
  const asBefore = (keys: string[], comparison: 'EXACT' | 'CASE_AND_PAD_IGNORED') => {
    const forms = new Set<string>();
    for (const ref of keys) {
      const key = settlementKey(ref);
      if (comparison === 'CASE_AND_PAD_IGNORED') forms.add(key).add(` ${key}`);
      else for (const written of new Set([key, asciiLower(key)])) forms.add(written).add(`${written} `).add(` ${written}`);
    }
    return [...forms];
  };
  for (const comparison of ['EXACT', 'CASE_AND_PAD_IGNORED'] as const) expect(settlementLookupForms(refs, comparison)).toEqual(asBefore(refs, comparison));
});
