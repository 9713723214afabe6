/**
 * 司法's means-check exemption question (法律援助法 第四十二条（二）), through a real hub over real
 * databases: one applicant, whether a 社会救助对象 on a day and by which programmes, nothing else;
 * only to a legal-aid office stating its purpose; every ask audited; a civil-affairs database gone
 * is no answer, never a "no"; the same statements whatever the person's aid.
 */
import { household, householdMember, person, region } from '../db/household/schema';
import { freePort } from '../db/setup/private-server';
import { birthDateOf, makeIdNumber, maskIdNumber } from '../domain/id-number';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { healthScenario } from '../federation/health/scenario';
import { verifyChain } from '../access/audit';
import { auditRows, lastAuditSeq } from './support/audit-trail';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertResident, insertWang, TODAY, WANG } from './support/scenarios';

const STANDING = `query($n: String!, $d: Date) { socialAssistanceStanding(idNumber: $n, asOf: $d) { asOf recipient programmes { code name } complete unavailable { code } } }`;
const JUSTICE_ROLES = ['READER', 'DEPARTMENT_WRITER', 'REFERRAL_HANDLER'] as const;
/** The statements every ask costs: civil affairs' one read; the hub's none, since where the person lives decides nothing. */
const ONE_READ = { total: 1, bySource: { CIVIL_AFFAIRS: 1 } };

let dbs: TestDatabases;
let hub: TestHub;
/** Civil affairs' database is unreachable. */
let partial: TestHub;
let justice: TestHub['gql'];
let justiceToken: string;
/** Only medical aid (医疗救助 on a hospital settlement): not a recipient of social assistance here. */
let medicalOnly: string;
/** 特困 support that ended on 2025-12-31. */
let tekunEnded: string;
/** In the hub, with no aid at all. */
let noAid: string;

beforeAll(async () => {
  dbs = await createTestDatabases('legal_aid_standing');
  await insertRegions(dbs);
  await insertWang(dbs);
  medicalOnly = (await insertResident(dbs, { prefix: 'LA', seq: 61, birthDate: '1980-05-05' })).idNumber;
  tekunEnded = (await insertResident(dbs, { prefix: 'LA', seq: 63, birthDate: '1940-03-03' })).idNumber;
  noAid = (await insertResident(dbs, { prefix: 'LA', seq: 65, birthDate: '1990-07-07' })).idNumber;
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', [
    { setlId: 'SETL-LA-0001', psnCertNo: medicalOnly, fixmedinsName: '济宁市第一人民医院', admDate: '2026-02-01', dscgDate: '2026-02-08', setlDate: '2026-02-08', diseName: '肺炎', medfeeSumamt: '12000.00', hifpPay: '7000.00', hifmiPay: '0.00', mafPay: '2000.00', psnPay: '3000.00' },
  ]);
  await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'tekun', [{ idNo: tekunEnded, countyCode: '370811', careMode: 1, startOn: '2020-01-01', endOn: '2025-12-31', monthlyFen: 110_000 }]);
  hub = await startTestHub(dbs, { today: TODAY });
  justiceToken = (await hub.createClient({ name: 'legal-aid-jining', department: 'JUSTICE', regionScope: '370800', roles: JUSTICE_ROLES })).token;
  justice = hub.as({ token: justiceToken, purpose: 'LEGAL_AID_MEANS_CHECK' }).gql;
  const deadPort = await freePort();
  partial = await startTestHub(dbs, { today: TODAY, sources: { CIVIL_AFFAIRS: { url: `mysql://root@127.0.0.1:${deadPort}/nowhere` } } });
}, 120_000);

afterAll(async () => {
  await partial?.close();
  await hub?.close();
  await dbs?.close();
});

describe('socialAssistanceStanding answers one applicant', () => {
  it('a 低保 member is a recipient, by DIBAO, and nothing else is read', async () => {
    const res = await justice(STANDING, { n: WANG.head });
    expect(res.errors).toBeUndefined();
    expect(res.data.socialAssistanceStanding).toEqual({ asOf: TODAY, recipient: true, programmes: [{ code: 'DIBAO', name: '最低生活保障' }], complete: true, unavailable: [] });
    // Civil affairs alone holds the programmes that count: the Wangs' health, education, housing, union and disability records are not read.
    expect(Object.keys(res.extensions!.sqlStatements!.bySource).filter((s) => s !== 'HUB')).toEqual(['CIVIL_AFFAIRS']);
  });

  it('a person with only medical aid is not', async () => {
    const res = await justice(STANDING, { n: medicalOnly });
    expect(res.errors).toBeUndefined();
    expect(res.data.socialAssistanceStanding).toEqual({ asOf: TODAY, recipient: false, programmes: [], complete: true, unavailable: [] });
  });

  it('answers for the day asked: 低保 before it began is no standing, 特困 on a day it ran is', async () => {
    const before = await justice(STANDING, { n: WANG.head, d: '2023-06-01' });
    expect(before.data.socialAssistanceStanding).toMatchObject({ asOf: '2023-06-01', recipient: false, programmes: [] });
    const ran = await justice(STANDING, { n: tekunEnded, d: '2025-12-31' });
    expect(ran.data.socialAssistanceStanding).toMatchObject({ recipient: true, programmes: [{ code: 'TEKUN' }] });
    const ended = await justice(STANDING, { n: tekunEnded });
    expect(ended.data.socialAssistanceStanding).toMatchObject({ asOf: TODAY, recipient: false, programmes: [] });
  });

  it('sends the same statements whatever the person’s aid', async () => {
    const counts = [];
    for (const n of [WANG.head, medicalOnly, tekunEnded, noAid]) {
      const res = await justice(STANDING, { n });
      expect(res.errors).toBeUndefined();
      counts.push(res.extensions!.sqlStatements);
    }
    // Civil affairs' one read, and nothing of the hub: answered wherever the person lives (RootRule.scope HUB), no look-up of where that is.
    expect(counts).toEqual(Array(4).fill(ONE_READ));
  });

  it('with civil affairs down, answers no answer (recipient null), never a "no"', async () => {
    const gql = partial.as({ token: justiceToken, purpose: 'LEGAL_AID_MEANS_CHECK' }).gql;
    for (const n of [WANG.head, medicalOnly]) {
      const res = await gql(STANDING, { n });
      expect(res.data.socialAssistanceStanding).toEqual({ asOf: TODAY, recipient: null, programmes: [], complete: false, unavailable: [{ code: 'CIVIL_AFFAIRS' }] });
      expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.department])).toEqual([['DEPARTMENT_UNAVAILABLE', 'CIVIL_AFFAIRS']]);
    }
  });

  it('refuses a malformed ID number with the reasons person(idNumber:) gives', async () => {
    const malformed = ['37081119750412', `${WANG.head.slice(0, 17)}${WANG.head[17] === '0' ? '1' : '0'}`, '37081119751312003X', 'ABCDEFGHIJKLMNOPQR'];
    const reasons = async (gql: TestHub['gql'], query: string) => Promise.all(malformed.map(async (n) => (await gql(query, { n })).errors?.map((e) => [e.extensions?.code, e.extensions?.reason])));
    const mine = await reasons(justice, STANDING);
    expect(mine).toEqual(await reasons(hub.gql, `query($n: String!) { person(idNumber: $n) { name } }`));
    expect(mine.map((r) => r?.[0]?.[0])).toEqual(Array(malformed.length).fill('BAD_USER_INPUT'));
    expect(new Set(mine.map((r) => r?.[0]?.[1])).size).toBeGreaterThan(1);
  });
});

describe('who may ask', () => {
  it('another department’s client may not state the purpose, whatever its roles; stating another, it is refused the field', async () => {
    for (const department of ['EDUCATION', 'CIVIL_AFFAIRS'] as const) {
      const { token } = await hub.createClient({ department, regionScope: '370800', roles: ['READER', 'DEPARTMENT_WRITER', 'CASEWORKER'] });
      // Refused where the purpose is read, before anything runs (test/access-purposes-by-department.test.ts).
      const res = await hub.as({ token, purpose: 'LEGAL_AID_MEANS_CHECK' }).gql(STANDING, { n: WANG.head });
      expect(res.status).toBe(403);
      expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.reason])).toEqual([['FORBIDDEN', 'PURPOSE_NOT_ALLOWED']]);
      const other = await hub.as({ token, purpose: 'ELIGIBILITY_REVIEW' }).gql(STANDING, { n: WANG.head });
      expect(other.data).toBeNull();
      expect(other.errors?.map((e) => [e.extensions?.code, e.extensions?.reason])).toEqual([['FORBIDDEN', 'ROLE_NOT_ALLOWED']]);
    }
    // Supervision reads no person beyond what a case shows.
    const supervisor = await hub.createClient({ regionScope: '370800', roles: ['SUPERVISOR'] });
    const res = await hub.as({ token: supervisor.token, purpose: 'SUPERVISION' }).gql(STANDING, { n: WANG.head });
    expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.reason])).toEqual([['FORBIDDEN', 'ROLE_NOT_ALLOWED']]);
  });

  it('a legal-aid office must state its purpose, and no other serves', async () => {
    const none = await hub.as({ token: justiceToken, purpose: null }).gql(STANDING, { n: WANG.head });
    expect(none.errors?.map((e) => [e.extensions?.code, e.extensions?.reason])).toEqual([['FORBIDDEN', 'PURPOSE_REQUIRED']]);
    const other = await hub.as({ token: justiceToken, purpose: 'ELIGIBILITY_REVIEW' }).gql(STANDING, { n: WANG.head });
    expect(other.errors?.map((e) => [e.extensions?.code, e.extensions?.reason])).toEqual([['FORBIDDEN', 'PURPOSE_NOT_SERVED']]);
    // The purpose reads nothing else: a household look-up stating it is refused.
    const household = await justice(`query($n: String!) { householdByMember(idNumber: $n) { id } }`, { n: WANG.head });
    expect(household.errors?.map((e) => [e.extensions?.code, e.extensions?.reason])).toEqual([['FORBIDDEN', 'PURPOSE_NOT_SERVED']]);
  });

});

/**
 * 法律援助法 第三十八条: a litigation matter's applicant applies where the case is handled, not where
 * they live, so a 任城区 office receives applicants living in 邹城市. For this one field a legal-aid
 * office is answered for any person the hub holds (RootRule.scope 'HUB'); nothing else widens.
 */
describe('a county’s legal-aid office asks about an applicant living in another county', () => {
  let rencheng: TestHub['gql'];
  let renchengToken: string;
  /** A 低保 recipient in 邹城市, held by the hub. */
  let zouchengRecipient: string;
  /** A 邹城市 resident the hub holds, with no aid. */
  let zouchengNoAid: string;

  beforeAll(async () => {
    await dbs.hub.insert(region).values([
      { code: '370883', name: '邹城市', level: 'COUNTY', parentCode: '370800' },
      { code: '370883001', name: '钢山街道', level: 'TOWNSHIP', parentCode: '370883' },
    ]);
    zouchengRecipient = makeIdNumber('370883', '1968-08-08', 71);
    zouchengNoAid = makeIdNumber('370883', '1985-10-10', 73);
    for (const [i, idNumber] of [zouchengRecipient, zouchengNoAid].entries()) {
      const [res] = await dbs.hub.insert(household).values({ registrationNo: `ZC-${i}`, regionCode: '370883001', address: `钢山街道 ${i} 号` });
      await dbs.hub.insert(person).values({ idNumber, name: '邹城', gender: 'M', birthDate: birthDateOf(idNumber) });
      await dbs.hub.insert(householdMember).values({ householdId: res.insertId, idNumber, relation: 'HEAD', joinedOn: '2010-01-01' });
    }
    await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'dibaoFamilies', [{ familyNo: 'DB370883-0001', countyCode: '370883', headIdNo: zouchengRecipient, areaType: 2, approvedOn: '2024-06-01' }]);
    await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'dibaoMembers', [{ familyNo: 'DB370883-0001', idNo: zouchengRecipient, relationToHead: '本人', joinedOn: '2024-06-01', monthlyShareFen: 65_000 }]);
    renchengToken = (await hub.createClient({ name: 'legal-aid-rencheng', department: 'JUSTICE', regionScope: '370811', roles: JUSTICE_ROLES })).token;
    rencheng = hub.as({ token: renchengToken, purpose: 'LEGAL_AID_MEANS_CHECK' }).gql;
  });

  it('is answered for a 邹城市 recipient and non-recipient, in civil affairs’ one read, and the ask audited', async () => {
    const before = await lastAuditSeq(dbs);
    const yes = await rencheng(STANDING, { n: zouchengRecipient }, { 'x-request-id': 'legal-aid-other-county' });
    expect(yes.errors).toBeUndefined();
    expect(yes.data.socialAssistanceStanding).toEqual({ asOf: TODAY, recipient: true, programmes: [{ code: 'DIBAO', name: '最低生活保障' }], complete: true, unavailable: [] });
    const no = await rencheng(STANDING, { n: zouchengNoAid });
    expect(no.errors).toBeUndefined();
    expect(no.data.socialAssistanceStanding).toEqual({ asOf: TODAY, recipient: false, programmes: [], complete: true, unavailable: [] });
    for (const res of [yes, no]) expect(res.extensions!.sqlStatements).toEqual(ONE_READ);
    const written = await auditRows(dbs, 'seq > ? AND request_id = ?', [before, 'legal-aid-other-county']);
    expect(written.map((r) => [r.client_name, r.department, r.purpose, r.root_fields, r.subject_kind, r.subject_label, r.outcome, r.disclosed])).toEqual([
      ['legal-aid-rencheng', 'JUSTICE', 'LEGAL_AID_MEANS_CHECK', 'Query.socialAssistanceStanding', 'PERSON', maskIdNumber(zouchengRecipient), 'OK', `${TODAY} recipient=true DIBAO`],
    ]);
  });

  it('a person the hub holds nothing of is answered the same wherever their ID number places them', async () => {
    const answers = [];
    for (const n of [makeIdNumber('370811', '1991-01-01', 75), makeIdNumber('370883', '1991-01-01', 75), makeIdNumber('110101', '1991-01-01', 75)]) {
      const res = await rencheng(STANDING, { n });
      answers.push([res.errors, res.data?.socialAssistanceStanding, res.extensions!.sqlStatements]);
    }
    expect(answers).toEqual(Array(3).fill([undefined, { asOf: TODAY, recipient: false, programmes: [], complete: true, unavailable: [] }, ONE_READ]));
  });

  it('opens nothing else: the same office’s person look-up of that applicant stays out of scope', async () => {
    for (const purpose of ['ELIGIBILITY_REVIEW', 'MONITORING'] as const) {
      const res = await hub.as({ token: renchengToken, purpose }).gql(`query($n: String!) { person(idNumber: $n) { name } }`, { n: zouchengRecipient });
      expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.reason])).toEqual([['FORBIDDEN', 'OUT_OF_SCOPE']]);
    }
    // Its own county's person it reads, as before.
    const own = await hub.as({ token: renchengToken, purpose: 'ELIGIBILITY_REVIEW' }).gql(`query($n: String!) { person(idNumber: $n) { name } }`, { n: WANG.head });
    expect(own.errors).toBeUndefined();
    // Another department's client still may not state the purpose, whoever it asks about.
    const { token } = await hub.createClient({ department: 'EDUCATION', regionScope: '370811', roles: ['READER'] });
    const education = await hub.as({ token, purpose: 'LEGAL_AID_MEANS_CHECK' }).gql(STANDING, { n: zouchengRecipient });
    expect(education.status).toBe(403);
    expect(education.errors?.map((e) => [e.extensions?.code, e.extensions?.reason])).toEqual([['FORBIDDEN', 'PURPOSE_NOT_ALLOWED']]);
  });
});

describe('the audit chain', () => {
  it('records each ask: the person (masked), the purpose, the field, the answer given out, and whether it was answered in full', async () => {
    const before = await lastAuditSeq(dbs);
    await justice(STANDING, { n: WANG.head }, { 'x-request-id': 'legal-aid-served' });
    await partial.as({ token: justiceToken, purpose: 'LEGAL_AID_MEANS_CHECK' }).gql(STANDING, { n: medicalOnly }, { 'x-request-id': 'legal-aid-partial' });
    await hub.as({ token: justiceToken, purpose: null }).gql(STANDING, { n: WANG.spouse }, { 'x-request-id': 'legal-aid-no-purpose' });
    // Two days asked of one person in one request: one row, both answers.
    await justice(`query($n: String!) { a: socialAssistanceStanding(idNumber: $n, asOf: "2025-12-31") { recipient } b: socialAssistanceStanding(idNumber: $n) { recipient } c: socialAssistanceStanding(idNumber: $n) { recipient } }`, { n: tekunEnded }, { 'x-request-id': 'legal-aid-two-days' });
    const written = await auditRows(dbs, 'seq > ?', [before]);
    expect(written.map((r) => [r.request_id, r.client_name, r.department, r.purpose, r.root_fields, r.subject_kind, r.subject_label, r.outcome, r.disclosed])).toEqual([
      ['legal-aid-served', 'legal-aid-jining', 'JUSTICE', 'LEGAL_AID_MEANS_CHECK', 'Query.socialAssistanceStanding', 'PERSON', maskIdNumber(WANG.head), 'OK', `${TODAY} recipient=true DIBAO`],
      ['legal-aid-partial', 'legal-aid-jining', 'JUSTICE', 'LEGAL_AID_MEANS_CHECK', 'Query.socialAssistanceStanding', 'PERSON', maskIdNumber(medicalOnly), 'PARTIAL', `${TODAY} recipient=null unavailable=CIVIL_AFFAIRS`],
      // Refused: nothing was given out.
      ['legal-aid-no-purpose', 'legal-aid-jining', 'JUSTICE', null, 'Query.socialAssistanceStanding', 'PERSON', maskIdNumber(WANG.spouse), 'DENIED', null],
      ['legal-aid-two-days', 'legal-aid-jining', 'JUSTICE', 'LEGAL_AID_MEANS_CHECK', 'Query.socialAssistanceStanding', 'PERSON', maskIdNumber(tekunEnded), 'OK', `2025-12-31 recipient=true TEKUN; ${TODAY} recipient=false`],
    ]);
    for (const r of written) expect(JSON.stringify(r)).not.toContain(WANG.head);
    // The chain verifies with the column in it, and the answer written down cannot be changed unseen.
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
    const served = written[0];
    await dbs.hubPool.query(`UPDATE access_log SET disclosed = ? WHERE seq = ?`, [`${TODAY} recipient=false`, served.seq]);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: false, seq: Number(served.seq), problem: 'CHANGED' });
    await dbs.hubPool.query(`UPDATE access_log SET disclosed = ? WHERE seq = ?`, [served.disclosed, served.seq]);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
    // An auditor (and so the person, through the office that answers them) reads what was given out.
    const auditor = await hub.createClient({ regionScope: '370800', roles: ['AUDITOR'] });
    const log = await hub.as({ token: auditor.token, purpose: 'AUDIT' }).gql(`query($n: String!) { accessLog(idNumber: $n, first: 50) { edges { node { requestId client { name } purpose disclosed } } } }`, { n: WANG.head });
    expect(log.errors).toBeUndefined();
    expect(log.data.accessLog.edges.map((e: any) => e.node).find((n: any) => n.requestId === 'legal-aid-served')).toEqual({ requestId: 'legal-aid-served', client: { name: 'legal-aid-jining' }, purpose: 'LEGAL_AID_MEANS_CHECK', disclosed: `${TODAY} recipient=true DIBAO` });
  });
});
