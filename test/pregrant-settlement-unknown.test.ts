/**
 * A pre-grant check of aid for a hospital stay whose settlement number medical insurance does not
 * hold as a standing stay: mistyped, or reversed (冲销). X7 adds up the aid tied to one stay against
 * its out-of-pocket burden; with no stay there is no burden, and the check answered `clear: true`
 * for ¥99,999.99 of medical aid on a number that names nothing. It now says so
 * (`settlementUnknown`) and is not clear; a stay it holds is judged as before. Aid reported to the
 * hub for such a stay (a charity's, after the fact) is recorded, and its index named in
 * `aidReport`'s `settlementsUnknown`: it was taken without a word, counted in no stay's sum.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reportFile } from '../tools/report/index';
import { registerCharity } from '../db/reported-aid/store';
import { makeCreditCode } from '../domain/credit-code';
import { healthScenario } from '../federation/health/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertResident, TODAY } from './support/scenarios';

let PATIENT: string;
/** Another resident, of another household: not the patient of any stay here. */
let OTHER: string;
const STAY = { setlId: 'SETL-KNOWN-1', burdenFen: 400_000 };
const REVERSED = 'SETL-REVERSED-1';

const settlement = (setlId: string, refdSetlFlag: '0' | '1') => ({
  setlId,
  psnCertNo: PATIENT,
  fixmedinsName: '任城区人民医院',
  admDate: '2026-01-28',
  dscgDate: '2026-02-06',
  setlDate: '2026-02-06',
  diseName: '急性阑尾炎',
  medfeeSumamt: '10000.00',
  hifpPay: '6000.00',
  hifmiPay: '0.00',
  mafPay: '0.00',
  psnPay: '4000.00',
  refdSetlFlag,
});

let dbs: TestDatabases;
let hub: TestHub;
let charity: { gql: TestHub['gql'] };
let charityToken: string;

beforeAll(async () => {
  dbs = await createTestDatabases('pregrant_setl_unknown');
  await insertRegions(dbs);
  PATIENT = (await insertResident(dbs, { prefix: 'SU', seq: 31, birthDate: '1960-05-05' })).idNumber;
  OTHER = (await insertResident(dbs, { prefix: 'SU', seq: 33, birthDate: '1962-07-07' })).idNumber;
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', [settlement(STAY.setlId, '0'), settlement(REVERSED, '1')]);
  hub = await startTestHub(dbs, { today: TODAY });
  const c = await hub.createClient({ name: 'test-charity-setl', department: 'CHARITY', regionScope: '370800', roles: ['DEPARTMENT_WRITER'] });
  await registerCharity(dbs.hub as never, c.name, makeCreditCode('53370800MJD54321X'), '济宁市慈善总会');
  charityToken = c.token;
  charity = hub.as({ token: c.token, purpose: 'DUPLICATE_CHECK' });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const Q = `query($i: PreGrantCheckInput!) { preGrantCheck(input: $i) { clear complete conflicts settlementUnknown settlementOtherPerson consulted { code } findings { rule { id } } } }`;

async function check(programme: string, settlementReference: string | null, amountFen: number, beneficiaryIdNumber = PATIENT) {
  const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(Q, { i: { beneficiaryIdNumber, programme, grantDate: TODAY, amountFen, settlementReference } });
  expect(res.errors).toBeUndefined();
  return res.data.preGrantCheck;
}

describe('a pre-grant check naming a settlement', () => {
  it('judges a stay medical insurance holds as before: within the burden clear, over it X7', async () => {
    expect(await check('MEDICAL_AID', STAY.setlId, STAY.burdenFen)).toMatchObject({ clear: true, complete: true, settlementUnknown: false, findings: [] });
    expect(await check('MEDICAL_AID', STAY.setlId, STAY.burdenFen + 1)).toMatchObject({ clear: false, settlementUnknown: false, conflicts: 1, findings: [{ rule: { id: 'X7' } }] });
  });

  it.each([
    ['no such settlement', 'SETL-TYPO-1'],
    ['a reversed settlement', REVERSED],
  ])('is not clear for %s, and says why', async (_, ref) => {
    for (const programme of ['MEDICAL_AID', 'UNION_ILLNESS']) {
      const out = await check(programme, ref, 9_999_999);
      expect(out).toMatchObject({ clear: false, complete: true, settlementUnknown: true, conflicts: 0, findings: [] });
      expect(out.consulted.map((d: any) => d.code)).toContain('HEALTH');
    }
  });

  it('reads no stay for aid tied to none', async () => {
    expect(await check('MEDICAL_AID', null, 100)).toMatchObject({ clear: true, settlementUnknown: false });
  });
});

describe('a pre-grant check naming another person\'s stay', () => {
  it('is not clear for medical aid (医疗救助 pays the patient\'s own costs), and says why', async () => {
    expect(await check('MEDICAL_AID', STAY.setlId, 100_000, OTHER)).toMatchObject({ clear: false, complete: true, settlementUnknown: false, settlementOtherPerson: true, findings: [] });
  });

  it('is clear for union illness aid within the burden: a family member\'s union may pay toward a stay (X7 allows it)', async () => {
    expect(await check('UNION_ILLNESS', STAY.setlId, 100_000, OTHER)).toMatchObject({ clear: true, settlementOtherPerson: false });
  });

  it('is clear for medical aid on the patient\'s own stay', async () => {
    expect(await check('MEDICAL_AID', STAY.setlId, 100_000)).toMatchObject({ clear: true, settlementOtherPerson: false });
  });
});

describe('a settlementReference on a programme not tied to a stay', () => {
  it('is refused: NOT_TIED_TO_STAY (it was ignored, the check answering as if none were named)', async () => {
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(Q, { i: { beneficiaryIdNumber: PATIENT, programme: 'PREMIUM_SUBSIDY', grantDate: TODAY, amountFen: 100, settlementReference: STAY.setlId } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NOT_TIED_TO_STAY', argument: 'input.settlementReference' });
  });

  it('is taken without one', async () => {
    expect(await check('PREMIUM_SUBSIDY', null, 100)).toMatchObject({ clear: true });
  });
});

describe('aid reported for a stay', () => {
  const REPORT = `mutation($r: [ReportedAidInput!]!, $dry: Boolean) { aidReport(input: { records: $r, dryRun: $dry }) { recorded conflicts { index } incompleteChecks { index } settlementsUnknown userErrors { code } } }`;
  const record = (reference: string, settlementRef: string) => ({ reference, beneficiaryIdNumber: PATIENT, programme: 'CHARITY_MEDICAL', grantDate: TODAY, amountFen: 100_000, settlementRef });

  it('names the records tied to a settlement medical insurance does not hold, and records them all the same', async () => {
    const r = [record('CS-SU-1', STAY.setlId), record('CS-SU-2', 'SETL-TYPO-2'), record('CS-SU-3', REVERSED)];
    const dry = await charity.gql(REPORT, { r, dry: true });
    expect(dry.errors).toBeUndefined();
    expect(dry.data.aidReport).toEqual({ recorded: 0, conflicts: [], incompleteChecks: [], settlementsUnknown: [1, 2], userErrors: [] });
    const res = await charity.gql(REPORT, { r });
    expect(res.data.aidReport).toEqual({ recorded: 3, conflicts: [], incompleteChecks: [], settlementsUnknown: [1, 2], userErrors: [] });
  });

  it('names the line of a file (npm run report)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-setl-unknown-'));
    const file = path.join(dir, 'aid.csv');
    fs.writeFileSync(file, `reference,beneficiary_id_number,programme,grant_date,amount_fen,settlement_ref\nCS-SU-4,${PATIENT},CHARITY_MEDICAL,${TODAY},10000,${STAY.setlId}\n\nCS-SU-5,${PATIENT},CHARITY_MEDICAL,${TODAY},10000,SETL-TYPO-5\n`);
    try {
      expect(await reportFile(hub.url, charityToken, file)).toMatchObject({ recorded: 2, conflicts: [], settlementsUnknown: [4], problems: [] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
