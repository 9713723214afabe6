/**
 * A pre-grant check of a beneficiary outside the caller's region (a county office checking an
 * applicant registered in another county: DUPLICATE_CHECK, the LIMITED view), over HTTP against
 * real databases. Whatever the check selects, its verdict is answered: the explanation is the rule
 * alone (as aidReport words a conflict there), and other offices' amounts and references are null,
 * each with its own FORBIDDEN (LIMITED_VIEW) error, never in the answer.
 */
import { makeIdNumber } from '../domain/id-number';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';
import { addHousehold, insertPneumoniaStay } from './findings-scenario';

const PATIENT = makeIdNumber('370811', '1958-03-03', 51);
const SETTLEMENT = 'SETL-PGLV-1';

// Everything a department system might select, the withheld fields among them.
const CHECK = /* GraphQL */ `
  query($id: String!) {
    preGrantCheck(input: { programme: "RED_CROSS_ILLNESS", beneficiaryIdNumber: $id, grantDate: "2026-01-25", amountFen: 400000, settlementReference: "${SETTLEMENT}" }) {
      clear complete conflicts warnings
      findings { rule { id } severity departments { code } explanation records { department { code } programme { code } grantDate status amountFen sourceReference } measure { ... on SettlementExcess { aidFen excessFen } } }
    }
  }
`;

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('pregrant_limited_view');
  await insertRegions(dbs);
  // The patient's household lies in 任城区 (370811).
  await addHousehold(dbs, 'F-PGLV', [{ idNumber: PATIENT, name: '癸', gender: 'M', birthDate: '1958-03-03' }]);
  // Burden of the stay before aid: 3,000 out of pocket + 2,000 medical aid = 5,000 yuan.
  await insertPneumoniaStay(dbs, SETTLEMENT, PATIENT);
  hub = await startTestHub(dbs, { today: TODAY, client: { department: 'HEALTH', roles: ['READER', 'DEPARTMENT_WRITER'], regionScope: '370800' } });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

async function office(scope: string) {
  const c = await hub.createClient({ name: `test-red-cross-${scope}`, department: 'RED_CROSS', regionScope: scope, roles: ['DEPARTMENT_WRITER'] });
  return hub.as({ token: c.token, purpose: 'DUPLICATE_CHECK' });
}

describe('preGrantCheck of a beneficiary of another county (LIMITED view)', () => {
  it('answers the verdict whatever is selected: the rule alone for the explanation, amounts and references null with their own errors', async () => {
    const inScope = await (await office('370811')).gql(CHECK, { id: PATIENT });
    const outside = await (await office('370812')).gql(CHECK, { id: PATIENT });

    // In its region the office reads it all: the stay's medical aid, 2,000 yuan, and its reference.
    // Save the stay's excess, health detail this office does not read: withheld at that field alone (it took the check with it).
    expect(inScope.errors?.map((e) => [e.path?.at(-1), e.extensions?.reason])).toEqual([['excessFen', 'HEALTH_DETAIL']]);
    const near = inScope.data.preGrantCheck;
    expect(near).toMatchObject({ clear: false, complete: true });
    const nearX7 = near.findings.find((f: { rule: { id: string } }) => f.rule.id === 'X7');
    expect(nearX7.explanation).toContain('2000.00 元');
    expect(nearX7.records.some((r: { amountFen: number | null }) => r.amountFen === 200_000)).toBe(true);
    const references = nearX7.records.map((r: { sourceReference: string }) => r.sourceReference).filter((s: string) => s !== 'PROPOSED');
    expect(references.length).toBeGreaterThan(0);

    // Outside it the same verdict, not null (it was null, with FORBIDDEN LIMITED_VIEW).
    const far = outside.data.preGrantCheck;
    expect(far).not.toBeNull();
    expect({ clear: far.clear, complete: far.complete, conflicts: far.conflicts, warnings: far.warnings }).toEqual({ clear: false, complete: true, conflicts: near.conflicts, warnings: near.warnings });
    const bare = (fs: { rule: { id: string }; severity: string; departments: unknown }[]) => fs.map((f) => ({ rule: f.rule, severity: f.severity, departments: f.departments }));
    expect(bare(far.findings)).toEqual(bare(near.findings));
    const farX7 = far.findings.find((f: { rule: { id: string } }) => f.rule.id === 'X7');
    // The explanation names the rule alone: no amount, no day.
    expect(farX7.explanation).not.toMatch(/元|\d{4}-\d{2}-\d{2}/);
    expect(farX7.records.map((r: { department: unknown; programme: unknown; status: unknown }) => ({ department: r.department, programme: r.programme, status: r.status }))).toEqual(
      nearX7.records.map((r: { department: unknown; programme: unknown; status: unknown }) => ({ department: r.department, programme: r.programme, status: r.status })),
    );
    // Every amount and reference withheld, each with its own error at its own path.
    for (const f of far.findings) for (const r of f.records) expect({ amountFen: r.amountFen, sourceReference: r.sourceReference }).toEqual({ amountFen: null, sourceReference: null });
    // What the stay's sum measured is withheld alike (it took the check with it too).
    expect(farX7.measure).toEqual({ aidFen: null, excessFen: null });
    const withheld = far.findings.reduce((n: number, f: { records: unknown[]; measure: object }) => n + 2 * f.records.length + Object.keys(f.measure).length, 0);
    expect(outside.errors).toHaveLength(withheld);
    for (const e of outside.errors ?? []) {
      expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'LIMITED_VIEW' });
      expect(['amountFen', 'sourceReference', 'aidFen', 'excessFen']).toContain(e.path?.[e.path.length - 1]);
    }
    // Nothing withheld is anywhere in the answer.
    const body = JSON.stringify(outside);
    expect(body).not.toContain('200000');
    for (const reference of references) expect(body).not.toContain(reference);
    expect(body).not.toContain(SETTLEMENT);
  });
});
