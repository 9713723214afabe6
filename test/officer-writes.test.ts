/**
 * The officer on record for the writes that recorded only their client (X-Officer, as
 * test/audit-officer.test.ts checks it for reads, cases, alerts and findings): aid reported
 * directly (aidReport and `npm run report -- --officer`) and the charity linkage's needs, pledges,
 * deliveries, corrections, reductions and releases. Each keeps the officer its request named beside
 * its client and shows it where its writer is shown; a retry under another officer answers the
 * first write, which keeps the first officer. Before, none of them kept an officer at all.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setRequireOfficer } from '../access/clients';
import { makeCreditCode } from '../domain/credit-code';
import { reportFile } from '../tools/report/index';
import { TestClock } from './support/clock';
import { startCharityScenario, type CharityScenario } from './support/charity-linkage';
import { okPayload } from './support/payloads';
import { TODAY, WANG } from './support/scenarios';

jest.setTimeout(120_000);

const clock = new TestClock(`${TODAY}T10:00:00+08:00`);
const ORG = makeCreditCode('53370811MJ1357913');

let s: CharityScenario<'org'>;
let emergency: { name: string; token: string };
let dir: string;

const REPORT = `mutation($r: [ReportedAidInput!]!) { aidReport(input: { records: $r }) { recorded alreadyRecorded userErrors { code } } }`;
const AID_OF = `query($id: String!) { person(idNumber: $id) { aid { reportedBy { clientName officer reference } } } }`;

/** How the person's aid names the reporter of the entry under `reference`. */
async function reportedBy(idNumber: string, reference: string) {
  const res = await s.hub.gql(AID_OF, { id: idNumber });
  expect(res.errors).toBeUndefined();
  return res.data.person.aid.map((a: any) => a.reportedBy).find((r: any) => r?.reference === reference);
}

async function ledgerOfficer(client: string, reference: string): Promise<string | null | undefined> {
  const [rows] = await s.dbs.hubPool.query('SELECT reporter_officer AS officer FROM reported_aid WHERE reporter_client = ? AND reference = ?', [client, reference]);
  return (rows as any[])[0]?.officer;
}

const winterRelief = (reference: string, beneficiaryIdNumber = WANG.head) => ({ reference, beneficiaryIdNumber, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-01-20', amountFen: 30_000 });

beforeAll(async () => {
  s = await startCharityScenario('officer_writes', { clock: clock.now, officeClient: 'officer-writes-civil', clientPrefix: 'officer-writes', organisations: { org: { creditCode: ORG, name: '任城区慈善会丙' } } });
  emergency = await s.hub.createClient({ name: 'officer-writes-emergency', department: 'EMERGENCY_MANAGEMENT', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-officer-writes-'));
});

afterAll(async () => {
  await s?.hub.close();
  await s?.dbs.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('aid reported directly', () => {
  it('keeps the officer the request named beside its client, shown in the aid and the reporter’s history; a retry under another officer keeps the first', async () => {
    const reporter = s.hub.as({ token: emergency.token, purpose: 'DUPLICATE_CHECK' });
    const first = await reporter.gql(REPORT, { r: [winterRelief('OW-1')] }, { 'x-officer': 'yjj-0042' });
    expect(first.data.aidReport).toEqual({ recorded: 1, alreadyRecorded: 0, userErrors: [] });
    expect(await reportedBy(WANG.head, 'OW-1')).toEqual({ clientName: emergency.name, officer: 'yjj-0042', reference: 'OW-1' });

    // The same batch sent again by a colleague after a lost answer: the same record, recorded once,
    // under its first officer (the retry's audit rows name the colleague).
    const retry = await reporter.gql(REPORT, { r: [winterRelief('OW-1')] }, { 'x-officer': 'yjj-0043', 'x-request-id': 'officer-writes-retry' });
    expect(retry.data.aidReport).toEqual({ recorded: 0, alreadyRecorded: 1, userErrors: [] });
    expect(await ledgerOfficer(emergency.name, 'OW-1')).toBe('yjj-0042');
    const [audit] = await s.dbs.hubPool.query(`SELECT DISTINCT officer FROM access_log WHERE request_id = 'officer-writes-retry'`);
    expect((audit as any[]).map((r) => r.officer)).toEqual(['yjj-0043']);

    // A correction under another officer is that officer's entry; the chain shows each entry's.
    const corrected = await reporter.gql(REPORT, { r: [{ ...winterRelief('OW-1-C'), entryKind: 'CORRECTION', supersedesReference: 'OW-1', amountFen: 25_000 }] }, { 'x-officer': 'yjj-0043' });
    expect(corrected.data.aidReport.recorded).toBe(1);
    const history = await reporter.gql(`query { reportedAidHistory(reference: "OW-1") { reference officer } }`);
    expect(history.data.reportedAidHistory).toEqual([
      { reference: 'OW-1', officer: 'yjj-0042' },
      { reference: 'OW-1-C', officer: 'yjj-0043' },
    ]);

    // A system that names no officer (a nightly job): none, as before.
    await okPayload(reporter.gql, REPORT, { r: [winterRelief('OW-2', WANG.spouse)] }, 'aidReport');
    expect(await reportedBy(WANG.spouse, 'OW-2')).toEqual({ clientName: emergency.name, officer: null, reference: 'OW-2' });
  });

  it('npm run report sends --officer as X-Officer; a client that must name one is refused OFFICER_REQUIRED without it, nothing recorded', async () => {
    const file = path.join(dir, 'aid.csv');
    fs.writeFileSync(file, `reference,beneficiary_id_number,programme,grant_date,amount_fen\nOW-F-1,${WANG.grandmother},WINTER_SPRING_RELIEF,2026-01-21,20000\n`);
    const sent = await reportFile(s.hub.url, emergency.token, file, { officer: 'yjj-0050' });
    expect(sent).toMatchObject({ recorded: 1, problems: [] });
    expect(await ledgerOfficer(emergency.name, 'OW-F-1')).toBe('yjj-0050');

    const justice = await s.hub.createClient({ name: 'officer-writes-justice', department: 'JUSTICE', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
    await setRequireOfficer(s.hub.accessDb, justice.name, true);
    const legal = path.join(dir, 'legal.csv');
    fs.writeFileSync(legal, `reference,beneficiary_id_number,programme,grant_date,amount_fen\nOW-L-1,${WANG.grandmother},LEGAL_AID,2026-01-21,0\n`);
    const refused = await reportFile(s.hub.url, justice.token, legal);
    expect(refused.recorded).toBe(0);
    expect(refused.problems.map((p) => p.code)).toEqual(['OFFICER_REQUIRED']);
    expect(await ledgerOfficer(justice.name, 'OW-L-1')).toBeUndefined();
    expect(await reportFile(s.hub.url, justice.token, legal, { officer: 'sfj-7' })).toMatchObject({ recorded: 1, problems: [] });
    expect(await ledgerOfficer(justice.name, 'OW-L-1')).toBe('sfj-7');
  });
});

describe('charity linkage', () => {
  it('keeps the officer of each need, pledge, delivery, correction, reduction and release, shown to the office; a retried pledge keeps its first', async () => {
    type Gql = typeof s.office.gql;
    const named = (gql: Gql, officer: string): Gql => (q, v, h) => gql(q, v, { 'x-officer': officer, ...h });
    const office = (officer: string) => named(s.office.gql, officer);
    const charity = (officer: string) => named(s.charities.org.gql, officer);

    const published = await okPayload(
      office('RC-0042'),
      `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id officer } userErrors { code } } }`,
      { input: { caseId: s.caseId, consentId: s.consentId, purpose: 'MEDICAL', urgency: 'URGENT', uncoveredFen: 500_000, beneficiaryIdNumber: WANG.grandmother, description: '家中老人住院，自付部分难以承担' } },
      'charityNeedPublish',
    );
    const needId = published.need.id as string;
    expect(published.need.officer).toBe('RC-0042');
    await okPayload(s.charities.org.gql, `mutation($id: ID!) { charityNeedClaim(input: { needId: $id }) { claim { needId } userErrors { code } } }`, { id: needId }, 'charityNeedClaim');

    const PLEDGE = `mutation($input: CharityPledgeCreateInput!) { charityPledgeCreate(input: $input) { pledge { id officer } replayed userErrors { code } } }`;
    const pledgeInput = { input: { needId, amountFen: 100_000, reference: 'OW-P-1' } };
    const pledged = await okPayload(charity('jncs-07'), PLEDGE, pledgeInput, 'charityPledgeCreate');
    expect(pledged).toMatchObject({ pledge: { officer: 'jncs-07' }, replayed: false });
    // Sent again by another of its staff after a lost answer: the first pledge, under its officer.
    expect(await okPayload(charity('jncs-08'), PLEDGE, pledgeInput, 'charityPledgeCreate')).toMatchObject({ pledge: { id: pledged.pledge.id, officer: 'jncs-07' }, replayed: true });

    const delivered = await okPayload(
      charity('jncs-07'),
      `mutation($input: CharityDeliveryReportInput!) { charityDeliveryReport(input: $input) { delivery { id officer } userErrors { code } } }`,
      { input: { pledgeId: pledged.pledge.id, amountFen: 100_000, deliveredOn: TODAY, reference: 'OW-D-1' } },
      'charityDeliveryReport',
    );
    expect(delivered.delivery.officer).toBe('jncs-07');
    const corrected = await okPayload(
      charity('jncs-08'),
      `mutation($input: CharityDeliveryCorrectInput!) { charityDeliveryCorrect(input: $input) { delivery { officer } userErrors { code } } }`,
      { input: { deliveryId: delivered.delivery.id, amountFen: 80_000, reason: '实际发放800元', reference: 'OW-D-1-C' } },
      'charityDeliveryCorrect',
    );
    expect(corrected.delivery.officer).toBe('jncs-08');
    await okPayload(
      charity('jncs-08'),
      `mutation($input: CharityPledgeReduceInput!) { charityPledgeReduce(input: $input) { pledge { amountFen } userErrors { code } } }`,
      { input: { pledgeId: pledged.pledge.id, amountFen: 80_000, reason: '按实际发放调减', reference: 'OW-P-1-R' } },
      'charityPledgeReduce',
    );
    await okPayload(
      charity('jncs-09'),
      `mutation($input: CharityClaimReleaseInput!) { charityClaimRelease(input: $input) { release { reference } userErrors { code } } }`,
      { input: { needId, reason: '已按实际发放完毕', reference: 'OW-R-1' } },
      'charityClaimRelease',
    );

    const res = await s.office.gql(
      `query($caseId: ID!) { charityNeedsOfCase(caseId: $caseId) { id officer pledges { officer reductions { officer } } deliveryHistory { entryKind officer } claimReleases { officer } } }`,
      { caseId: s.caseId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.charityNeedsOfCase.find((n: any) => n.id === needId)).toEqual({
      id: needId,
      officer: 'RC-0042',
      pledges: [{ officer: 'jncs-07', reductions: [{ officer: 'jncs-08' }] }],
      deliveryHistory: [
        { entryKind: 'DELIVERY', officer: 'jncs-07' },
        { entryKind: 'CORRECTION', officer: 'jncs-08' },
      ],
      claimReleases: [{ officer: 'jncs-09' }],
    });
    // The ledger's entries, which the household's aid shows, name the same officers.
    expect(await reportedBy(WANG.grandmother, 'OW-D-1-C')).toEqual({ clientName: 'officer-writes-org', officer: 'jncs-08', reference: 'OW-D-1-C' });
    expect(await ledgerOfficer('officer-writes-org', 'OW-D-1')).toBe('jncs-07');
  });

  describe('who closed a consent or a need', () => {
    type Gql = typeof s.office.gql;
    const office = (officer: string): Gql => (q, v, h) => s.office.gql(q, v, { 'x-officer': officer, ...h });
    const NEED = `id state closeReason withdrawnByOfficer`;
    let wangHouseholdId: string;
    const publish = async (consentId: string, uncoveredFen: number) =>
      (
        await okPayload(
          office('RC-0042'),
          `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { ${NEED} } userErrors { code } } }`,
          { input: { caseId: s.caseId, consentId, purpose: 'MEDICAL', urgency: 'URGENT', uncoveredFen, beneficiaryIdNumber: WANG.grandmother, description: '家中老人住院，自付部分难以承担' } },
          'charityNeedPublish',
        )
      ).need;
    const newConsent = async () =>
      (
        await okPayload(
          office('RC-0042'),
          `mutation($input: CharityConsentRecordInput!) { charityConsentRecord(input: $input) { consent { id } userErrors { code } } }`,
          { input: { householdId: wangHouseholdId, scopes: ['NEED_PUBLICATION', 'HEALTH_DATA'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042' } },
          'charityConsentRecord',
        )
      ).consent.id as string;
    const REVOKE = `mutation($id: ID!) { charityConsentRevoke(input: { consentId: $id }) { consent { id revokedByOfficer } withdrawnNeeds userErrors { code } } }`;
    const WITHDRAW = `mutation($id: ID!) { charityNeedWithdraw(input: { needId: $id }) { need { ${NEED} } userErrors { code } } }`;
    /** Who the need's row names as its withdrawers (client and officer). */
    async function withdrawers(needId: string) {
      const [rows] = await s.dbs.hubPool.query('SELECT withdrawn_by_client AS client, withdrawn_by_officer AS officer FROM charity_need WHERE id = ?', [Number(needId)]);
      return (rows as any[])[0];
    }

    beforeAll(async () => {
      const [rows] = await s.dbs.hubPool.query('SELECT household_id AS id FROM charity_consent WHERE id = ?', [Number(s.consentId)]);
      wangHouseholdId = String((rows as any[])[0].id);
    });

    it('charityNeedWithdraw keeps the client and officer who withdrew the need; a retry under another officer answers it as it stands, with the first', async () => {
      const need = await publish(s.consentId, 200_000);
      expect(need).toMatchObject({ state: 'OPEN', withdrawnByOfficer: null });
      const withdrawn = await okPayload(office('RC-0043'), WITHDRAW, { id: need.id }, 'charityNeedWithdraw');
      expect(withdrawn.need).toEqual({ id: need.id, state: 'WITHDRAWN', closeReason: 'WITHDRAWN_BY_OFFICE', withdrawnByOfficer: 'RC-0043' });
      expect(await withdrawers(need.id)).toEqual({ client: 'officer-writes-civil', officer: 'RC-0043' });

      const retried = await okPayload(office('RC-0044'), WITHDRAW, { id: need.id }, 'charityNeedWithdraw');
      expect(retried.need).toEqual(withdrawn.need);
      expect(await withdrawers(need.id)).toEqual({ client: 'officer-writes-civil', officer: 'RC-0043' });

      // A system naming no officer withdraws as its client alone.
      const unnamed = await publish(s.consentId, 200_000);
      expect((await okPayload(s.office.gql, WITHDRAW, { id: unnamed.id }, 'charityNeedWithdraw')).need.withdrawnByOfficer).toBeNull();
      expect(await withdrawers(unnamed.id)).toEqual({ client: 'officer-writes-civil', officer: null });
    });

    it('charityConsentRevoke keeps the revoking officer, and its needs name the revokers as their withdrawers, also one a reduction uncovers later; a retry keeps the first', async () => {
      const consentId = await newConsent();
      const open = await publish(consentId, 300_000);
      // Covered by a pledge: a revocation leaves it, a reduction uncovering it withdraws it.
      const covered = await publish(consentId, 10_000);
      await okPayload(s.charities.org.gql, `mutation($id: ID!) { charityNeedClaim(input: { needId: $id }) { claim { needId } userErrors { code } } }`, { id: covered.id }, 'charityNeedClaim');
      const pledged = await okPayload(
        s.charities.org.gql,
        `mutation($input: CharityPledgeCreateInput!) { charityPledgeCreate(input: $input) { pledge { id } remainingFen userErrors { code } } }`,
        { input: { needId: covered.id, amountFen: 10_000, reference: 'OW-P-2' } },
        'charityPledgeCreate',
      );
      expect(pledged.remainingFen).toBe(0);

      const revoked = await okPayload(office('RC-0050'), REVOKE, { id: consentId }, 'charityConsentRevoke');
      expect(revoked).toMatchObject({ consent: { id: consentId, revokedByOfficer: 'RC-0050' }, withdrawnNeeds: 1 });
      const retried = await okPayload(office('RC-0051'), REVOKE, { id: consentId }, 'charityConsentRevoke');
      expect(retried).toMatchObject({ consent: { id: consentId, revokedByOfficer: 'RC-0050' }, withdrawnNeeds: 0 });
      const [consents] = await s.dbs.hubPool.query('SELECT revoked_by_client AS client, revoked_by_officer AS officer FROM charity_consent WHERE id = ?', [Number(consentId)]);
      expect((consents as any[])[0]).toEqual({ client: 'officer-writes-civil', officer: 'RC-0050' });

      const withdrawnOpen = await okPayload(office('RC-0052'), WITHDRAW, { id: open.id }, 'charityNeedWithdraw');
      expect(withdrawnOpen.need).toEqual({ id: open.id, state: 'WITHDRAWN', closeReason: 'CONSENT_REVOKED', withdrawnByOfficer: 'RC-0050' });
      expect(await withdrawers(open.id)).toEqual({ client: 'officer-writes-civil', officer: 'RC-0050' });

      // The organisation's reduction (its own officer) uncovers the need under the revoked consent:
      // withdrawn for the revocation, by its revokers.
      await okPayload(
        (q, v, h) => s.charities.org.gql(q, v, { 'x-officer': 'jncs-10', ...h }),
        `mutation($input: CharityPledgeReduceInput!) { charityPledgeReduce(input: $input) { pledge { amountFen } userErrors { code } } }`,
        { input: { pledgeId: pledged.pledge.id, amountFen: 5_000, reason: '部分资金未到位', reference: 'OW-P-2-R' } },
        'charityPledgeReduce',
      );
      const res = await s.office.gql(`query($caseId: ID!) { charityNeedsOfCase(caseId: $caseId) { ${NEED} consent { id revokedByOfficer } } }`, { caseId: s.caseId });
      expect(res.errors).toBeUndefined();
      expect(res.data.charityNeedsOfCase.find((n: any) => n.id === covered.id)).toEqual({
        id: covered.id,
        state: 'WITHDRAWN',
        closeReason: 'CONSENT_REVOKED',
        withdrawnByOfficer: 'RC-0050',
        consent: { id: consentId, revokedByOfficer: 'RC-0050' },
      });
      expect(await withdrawers(covered.id)).toEqual({ client: 'officer-writes-civil', officer: 'RC-0050' });
    });
  });
});
