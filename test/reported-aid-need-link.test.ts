/**
 * `aidReport`'s `needId` links a reported record to a published charity need, and is shown with
 * the aid as the need it answers. It was free text: any words, an id no need has, or another
 * household's need were stored and shown. Now it must name a need (NEED_UNKNOWN otherwise, also for
 * a need outside the reporter's region, which it must not learn of) of a household the beneficiary
 * is or was a member of (NEED_NOT_OF_BENEFICIARY); the batch is refused whole, nothing written.
 */
import { sql } from 'drizzle-orm';
import { aidCase } from '../db/cases/schema';
import { charityClaim, charityConsent, charityNeed } from '../db/charity/schema';
import { household, householdMember, person } from '../db/household/schema';
import { registerCharity } from '../db/reported-aid/store';
import { makeCreditCode } from '../domain/credit-code';
import { makeIdNumber } from '../domain/id-number';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

const PATIENT = makeIdNumber('370811', '1958-03-03', 61);
/** Left the patient's household on 2026-02-01 for a household of his own. */
const SON = makeIdNumber('370811', '1984-04-04', 63);
const NEIGHBOUR = makeIdNumber('370811', '1970-05-05', 65);
const ELSEWHERE = makeIdNumber('370812', '1972-06-06', 67);
const CHARITY_CODE = makeCreditCode('53370800MJD67890X');

const DRY_RUN = /* GraphQL */ `
  mutation($records: [ReportedAidInput!]!, $dryRun: Boolean!) {
    aidReport(input: { records: $records, dryRun: $dryRun }) { recorded userErrors { index code field } }
  }
`;

const REPORT = /* GraphQL */ `
  mutation($records: [ReportedAidInput!]!) {
    aidReport(input: { records: $records }) { recorded entries { reference needId } userErrors { index code field } }
  }
`;

let dbs: TestDatabases;
let hub: TestHub;
let emergency: { gql: TestHub['gql'] };
let charity: { gql: TestHub['gql'] };
/** Needs by whose household they are of. */
/** Hub case references (AH-2026-…) by whose household the case is of. */
const caseRef: Record<'patient' | 'elsewhere', string> = { patient: '', elsewhere: '' };
let patientCaseId = 0;

async function openCase(householdId: number, townshipCode: string): Promise<number> {
  const [res] = await dbs.hub.insert(aidCase).values({ householdId, townshipCode, origin: 'APPLICATION', urgency: 'NORMAL', state: 'REPORTED', summary: '占位', firstOffice: 'CIVIL_AFFAIRS', ownerOffice: 'CIVIL_AFFAIRS', reportedAt: '2026-03-01 02:00:00.000' });
  return res.insertId;
}

const need: Record<'patient' | 'neighbour' | 'elsewhere' | 'patientRevoked' | 'neighbourEducation', string> = { patient: '', neighbour: '', elsewhere: '', patientRevoked: '', neighbourEducation: '' };

async function addHousehold(registrationNo: string, regionCode: string): Promise<number> {
  const [res] = await dbs.hub.insert(household).values({ registrationNo, regionCode, address: registrationNo });
  return res.insertId;
}

/** The household's consent, revoked at `revokedAt` (UTC) when given. */
async function addConsent(householdId: number, revokedAt: string | null = null): Promise<number> {
  const [res] = await dbs.hub.insert(charityConsent).values({ householdId, scopes: 'NEED_PUBLICATION', givenBy: '户主', recordedByClient: 'test-office', recordedByOfficer: 'mz-0001', recordedAt: '2026-02-20 02:00:00.000', expiresOn: '2027-02-20', revokedAt, revokedByClient: revokedAt ? 'test-office' : null });
  return res.insertId;
}

async function publishNeed(householdId: number, countyCode: string, purpose: 'LIVING' | 'EDUCATION' = 'LIVING', revokedAt: string | null = null): Promise<string> {
  const [res] = await dbs.hub.insert(charityNeed).values({
    caseId: 1,
    householdId,
    consentId: await addConsent(householdId, revokedAt),
    countyCode,
    purpose,
    urgency: 'NORMAL',
    uncoveredFen: 500_000,
    pledgedFen: 0,
    deliveredFen: 0,
    description: '生活困难',
    involvesHealth: false,
    involvesMinor: false,
    state: 'OPEN',
    publishedByClient: 'test-office',
    publishedAt: '2026-03-01 02:00:00.000',
  });
  return String(res.insertId);
}

async function ledgerRows(): Promise<number> {
  const [rows] = (await dbs.hub.execute(sql`select count(*) as n from reported_aid`)) as unknown as [{ n: number }[]];
  return Number(rows[0].n);
}

beforeAll(async () => {
  dbs = await createTestDatabases('need_link');
  await insertRegions(dbs);
  const patients = await addHousehold('F-NL-P', '370811001001');
  const sons = await addHousehold('F-NL-S', '370811001001');
  const neighbours = await addHousehold('F-NL-N', '370811001001');
  const elsewhere = await addHousehold('F-NL-E', '370812001001');
  await dbs.hub.insert(person).values([
    { idNumber: PATIENT, name: '甲', gender: 'M', birthDate: '1958-03-03', deathDate: null },
    { idNumber: SON, name: '乙', gender: 'M', birthDate: '1984-04-04', deathDate: null },
    { idNumber: NEIGHBOUR, name: '丙', gender: 'F', birthDate: '1970-05-05', deathDate: null },
    { idNumber: ELSEWHERE, name: '丁', gender: 'F', birthDate: '1972-06-06', deathDate: null },
  ]);
  await dbs.hub.insert(householdMember).values([
    { householdId: patients, idNumber: PATIENT, relation: 'HEAD', joinedOn: '2000-01-01' },
    { householdId: patients, idNumber: SON, relation: 'CHILD', joinedOn: '2000-01-01', leftOn: '2026-02-01' },
    { householdId: sons, idNumber: SON, relation: 'HEAD', joinedOn: '2026-02-01' },
    { householdId: neighbours, idNumber: NEIGHBOUR, relation: 'HEAD', joinedOn: '2000-01-01' },
    { householdId: elsewhere, idNumber: ELSEWHERE, relation: 'HEAD', joinedOn: '2000-01-01' },
  ]);
  need.patient = await publishNeed(patients, '370811');
  need.neighbour = await publishNeed(neighbours, '370811');
  need.elsewhere = await publishNeed(elsewhere, '370812');
  // Its household revoked its consent on 2026-03-03, China time (10:00 there).
  patientCaseId = await openCase(patients, '370811001');
  caseRef.patient = `AH-2026-${String(patientCaseId).padStart(6, '0')}`;
  caseRef.elsewhere = `AH-2026-${String(await openCase(elsewhere, '370812001')).padStart(6, '0')}`;
  need.patientRevoked = await publishNeed(patients, '370811', 'LIVING', '2026-03-03 02:00:00.000');
  need.neighbourEducation = await publishNeed(neighbours, '370811', 'EDUCATION');
  hub = await startTestHub(dbs, { today: TODAY });
  const e = await hub.createClient({ name: 'test-emergency-nl', department: 'EMERGENCY_MANAGEMENT', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
  emergency = hub.as({ token: e.token, purpose: 'DUPLICATE_CHECK' });
  const c = await hub.createClient({ name: 'test-charity-nl', department: 'CHARITY', regionScope: '370800', roles: ['DEPARTMENT_WRITER'] });
  await registerCharity(dbs.hub as never, c.name, CHARITY_CODE, '济宁市慈善总会');
  charity = hub.as({ token: c.token, purpose: 'DUPLICATE_CHECK' });
}, 180_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const winter = (reference: string, beneficiaryIdNumber: string, needId: string) => ({ reference, beneficiaryIdNumber, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-03-05', amountFen: 60_000, needId });

describe('aidReport with a needId', () => {
  it('refuses a batch whose needId is no need’s id (words, a leading zero), writing nothing', async () => {
    const rows = await ledgerRows();
    const res = await emergency.gql(REPORT, { records: [winter('NL-1', PATIENT, need.patient), winter('NL-2', PATIENT, '帮扶项目第三期'), winter('NL-3', PATIENT, `0${need.patient}`)] });
    expect(res.errors).toBeUndefined();
    expect(res.data.aidReport).toEqual({
      recorded: 0,
      entries: [],
      userErrors: [
        { index: 1, code: 'NEED_UNKNOWN', field: 'needId' },
        { index: 2, code: 'NEED_UNKNOWN', field: 'needId' },
      ],
    });
    expect(await ledgerRows()).toBe(rows);
  });

  it('refuses a batch naming a need that does not exist, another household’s, or one outside the region, writing nothing', async () => {
    const rows = await ledgerRows();
    const res = await emergency.gql(REPORT, {
      records: [winter('NL-4', PATIENT, need.patient), winter('NL-5', PATIENT, '999999'), winter('NL-6', PATIENT, need.neighbour), winter('NL-7', ELSEWHERE, need.elsewhere)],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.aidReport).toEqual({
      recorded: 0,
      entries: [],
      userErrors: [
        { index: 1, code: 'NEED_UNKNOWN', field: 'needId' },
        { index: 2, code: 'NEED_NOT_OF_BENEFICIARY', field: 'needId' },
        // 370812 is outside this reporter's region: the need is not confirmed to exist.
        { index: 3, code: 'NEED_UNKNOWN', field: 'needId' },
      ],
    });
    expect(await ledgerRows()).toBe(rows);
  });

  it('tells a charity nothing of a need its organisation never claimed: NEED_UNKNOWN whoever the beneficiary, in a dry run too', async () => {
    // A charity reads an unclaimed need as an anonymous summary only. Told NEED_NOT_OF_BENEFICIARY
    // for one ID number and nothing for another, it learnt which household the need is of.
    const rows = await ledgerRows();
    const charityAid = (reference: string, beneficiary: string, needId: string) => ({ ...winter(reference, beneficiary, needId), programme: 'CHARITY_JISHIJIU_99' });
    for (const dryRun of [true, false]) {
      const res = await charity.gql(DRY_RUN, { dryRun, records: [charityAid('NL-C1', NEIGHBOUR, need.elsewhere), charityAid('NL-C2', ELSEWHERE, need.elsewhere)] });
      expect(res.errors).toBeUndefined();
      expect(res.data.aidReport.userErrors).toEqual([
        { index: 0, code: 'NEED_UNKNOWN', field: 'needId' },
        { index: 1, code: 'NEED_UNKNOWN', field: 'needId' },
      ]);
    }
    expect(await ledgerRows()).toBe(rows);

    // Once the organisation claimed it (by its linkage client; the claim lapsed since), the need is
    // the charity's to answer: another household's member is not of it, the household's is.
    await dbs.hub.insert(charityClaim).values({ needId: Number(need.elsewhere), creditCode: CHARITY_CODE, claimedAt: '2026-03-02 02:00:00.000', lapsesOn: '2026-03-09' });
    const claimed = await charity.gql(REPORT, { records: [charityAid('NL-C3', NEIGHBOUR, need.elsewhere)] });
    expect(claimed.data.aidReport.userErrors).toEqual([{ index: 0, code: 'NEED_NOT_OF_BENEFICIARY', field: 'needId' }]);
    const recorded = await charity.gql(REPORT, { records: [charityAid('NL-C4', ELSEWHERE, need.elsewhere)] });
    expect(recorded.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    expect(await ledgerRows()).toBe(rows + 1);
  });

  it('records aid for a need of the beneficiary’s household, or of one he has left since', async () => {
    const res = await emergency.gql(REPORT, { records: [winter('NL-8', PATIENT, need.patient), winter('NL-9', SON, need.patient)] });
    expect(res.errors).toBeUndefined();
    expect(res.data.aidReport).toEqual({
      recorded: 2,
      entries: [
        { reference: 'NL-8', needId: need.patient },
        { reference: 'NL-9', needId: need.patient },
      ],
      userErrors: [],
    });
  });

  it('refuses aid linked to a need dated after its household revoked consent, as a delivery is (CONSENT_REVOKED); takes it up to that day, and a reversal', async () => {
    const rows = await ledgerRows();
    const after = await emergency.gql(REPORT, { records: [winter('NL-R1', PATIENT, need.patientRevoked)] });
    expect(after.data.aidReport.userErrors).toEqual([{ index: 0, code: 'CONSENT_REVOKED', field: 'grantDate' }]);
    expect(await ledgerRows()).toBe(rows);
    const onTheDay = await emergency.gql(REPORT, { records: [{ ...winter('NL-R2', PATIENT, need.patientRevoked), grantDate: '2026-03-03' }] });
    expect(onTheDay.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    const reversal = await emergency.gql(REPORT, { records: [{ ...winter('NL-R2-R', PATIENT, need.patientRevoked), grantDate: '2026-03-03', entryKind: 'REVERSAL', supersedesReference: 'NL-R2', amountFen: 0 }] });
    expect(reversal.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
  });

  it("refuses a charity's record linked to a need under another programme than a delivery to it is recorded under (NEED_PURPOSE_MISMATCH)", async () => {
    await dbs.hub.insert(charityClaim).values({ needId: Number(need.neighbourEducation), creditCode: CHARITY_CODE, claimedAt: '2026-03-02 02:00:00.000', lapsesOn: '2026-03-09' });
    const aid = (reference: string, programme: string) => ({ ...winter(reference, NEIGHBOUR, need.neighbourEducation), programme });
    const rows = await ledgerRows();
    const medical = await charity.gql(REPORT, { records: [aid('NL-E1', 'CHARITY_MEDICAL')] });
    expect(medical.data.aidReport.userErrors).toEqual([{ index: 0, code: 'NEED_PURPOSE_MISMATCH', field: 'programme' }]);
    expect(await ledgerRows()).toBe(rows);
    const education = await charity.gql(REPORT, { records: [aid('NL-E2', 'CHARITY_EDUCATION')] });
    expect(education.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
  });
});

describe('aidReport with a caseReference in the hub’s own form', () => {
  const aid = (reference: string, beneficiaryIdNumber: string, caseReference: string) => ({ ...winter(reference, beneficiaryIdNumber, ''), needId: null, caseReference });

  it('refuses a hub case of another household, an unknown one, one of another year or outside the region, writing nothing', async () => {
    const rows = await ledgerRows();
    const res = await emergency.gql(REPORT, {
      records: [
        aid('NL-K1', NEIGHBOUR, caseRef.patient),
        aid('NL-K2', PATIENT, 'AH-2026-999999'),
        aid('NL-K3', PATIENT, `AH-2025-${String(patientCaseId).padStart(6, '0')}`),
        aid('NL-K4', PATIENT, caseRef.elsewhere),
      ],
    });
    expect(res.errors).toBeUndefined();
    const codes = ['CASE_NOT_OF_BENEFICIARY', 'CASE_UNKNOWN', 'CASE_UNKNOWN', 'CASE_UNKNOWN'];
    expect(res.data.aidReport.userErrors).toEqual(codes.map((code, index) => ({ index, code, field: 'caseReference' })));
    expect(await ledgerRows()).toBe(rows);
  });

  it('records a hub case of the beneficiary’s household (or one he has left), in any case, and an office’s own case number as written', async () => {
    const res = await emergency.gql(REPORT, { records: [aid('NL-K5', PATIENT, caseRef.patient), aid('NL-K6', SON, caseRef.patient.toLowerCase()), aid('NL-K7', NEIGHBOUR, 'YJ-AJ-2026-0007')] });
    expect(res.data.aidReport).toMatchObject({ recorded: 3, userErrors: [] });
  });

  it('tells a charity nothing of a case none of whose needs its organisation claimed: CASE_UNKNOWN whoever the beneficiary', async () => {
    const charityAid = (reference: string, beneficiary: string) => ({ ...aid(reference, beneficiary, caseRef.patient), programme: 'CHARITY_JISHIJIU_99' });
    const res = await charity.gql(DRY_RUN, { dryRun: true, records: [charityAid('NL-K8', PATIENT), charityAid('NL-K9', NEIGHBOUR)] });
    expect(res.data.aidReport.userErrors).toEqual([
      { index: 0, code: 'CASE_UNKNOWN', field: 'caseReference' },
      { index: 1, code: 'CASE_UNKNOWN', field: 'caseReference' },
    ]);
  });
});
