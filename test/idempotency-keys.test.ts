/**
 * Idempotency keys are one key only when byte for byte the same (db/idempotency-key.ts): keys that
 * differ in case or by a trailing space are two requests, written twice, where the columns'
 * collation took them for one and answered the second with the first's outcome. For each keyed
 * write: a case opened (case_event, case_request), a consent recorded and a need published
 * (charity_consent.record_key, charity_need.publish_key), an objection to a village notice
 * (monitoring_notice_objection). An exact retry is still answered once; a key stored before the
 * digests existed, filled by its migration's own SQL, is still found by its exact key (the SQL's
 * SHA2 and keyDigest agree, non-ASCII keys among them).
 */
import { keyDigest } from '../db/idempotency-key';
import { recordObjection, type ObjectionWrite } from '../db/monitoring/notices';
import { startCharityScenario, type CharityScenario } from './support/charity-linkage';
import { TestClock } from './support/clock';
import { migrationStatement } from './support/migration-statement';
import { okPayload } from './support/payloads';
import { WANG } from './support/scenarios';

jest.setTimeout(180_000);

const clock = new TestClock('2026-03-16T10:00:00+08:00');
let s: CharityScenario<never>;
let cases: CharityScenario<never>['office'];
const rows = async (query: string, params: unknown[] = []) => (await s.dbs.hubPool.query(query, params))[0] as any[];
const run = async (statement: string) => void (await s.dbs.hubPool.query(statement));

/** Keys that differ from `K1` only in case or by trailing spaces: each is its own key. */
const LOOK_ALIKES = ['k1', 'K1 ', 'K1  '];
/** Keys whose UTF-8 bytes are not their characters: Chinese, a combining accent, a 4-byte emoji, and a trailing space. */
const STORED_BEFORE = ['重试-申请-1', 'Ä-é-e\u0301', '😀-1', 'MIG-1 '];

beforeAll(async () => {
  s = await startCharityScenario('idempotency_keys', { clock: clock.now, officeClient: 'idem-office', organisations: {} as Record<never, never> });
  cases = s.hub.as({ token: s.officeToken, purpose: 'ELIGIBILITY_REVIEW' });
});

afterAll(async () => {
  await s?.hub.close();
  await s?.dbs.close();
});

it("the database's SHA2 of text is keyDigest of it: lowercase hex of the same UTF-8 bytes", async () => {
  for (const key of [...STORED_BEFORE, 'K1', 'k1', 'K1 ']) {
    const [row] = await rows(`SELECT SHA2(CONCAT(?, ':', ?), 256) AS digest`, ['idem-office', key]);
    expect({ key, digest: row.digest }).toEqual({ key, digest: keyDigest(`idem-office:${key}`) });
  }
});

describe('caseOpen (case_event, case_request)', () => {
  const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } replayed userErrors { code } } }`;
  const open = (idempotencyKey: string, summary = '家中失火，急需临时救助') =>
    cases.gql(OPEN, { input: { householdId: String(s.householdId), origin: 'APPLICATION', urgency: 'NORMAL', summary, reportedAt: '2026-03-12T09:00:00+08:00', idempotencyKey } });
  const opened = async (key: string, summary?: string) => {
    const res = await open(key, summary);
    expect(res.errors).toBeUndefined();
    const { case: opened, replayed, userErrors } = res.data.caseOpen;
    expect(userErrors).toEqual([]);
    return { case: opened as { id: string }, replayed: replayed as boolean };
  };
  const keyedRows = async (caseId: string) => ({
    events: (await rows('SELECT idempotency_key FROM case_event WHERE case_id = ? AND idempotency_key IS NOT NULL', [caseId])).length,
    requests: (await rows('SELECT idempotency_key FROM case_request WHERE case_id = ?', [caseId])).length,
  });

  it('keys differing only in case or trailing spaces open a case each; the exact key again is answered once', async () => {
    const first = await opened('K1');
    for (const key of LOOK_ALIKES) {
      const other = await opened(key);
      expect({ key, replayed: other.replayed, sameCase: other.case.id === first.case.id }).toEqual({ key, replayed: false, sameCase: false });
      const [stored] = await rows('SELECT idempotency_key FROM case_event WHERE case_id = ? AND idempotency_key IS NOT NULL', [other.case.id]);
      expect(stored.idempotency_key.endsWith(`:${key}`)).toBe(true);
    }
    const retry = await opened('K1');
    expect(retry).toEqual({ case: first.case, replayed: true });
    expect(await keyedRows(first.case.id)).toEqual({ events: 1, requests: 1 });
  });

  it('a key stored before the digests, filled by the migrations, is still found by its exact key', async () => {
    await run('CREATE TABLE case_request_legacy (idempotency_key varchar(96) NOT NULL PRIMARY KEY, request_hash char(64) NOT NULL, case_id bigint unsigned NOT NULL)');
    for (const key of STORED_BEFORE) {
      const first = await opened(key, `迁移前的申请 ${key}`);
      // As the release before left them: no digest on the event, the request in the table of before.
      await s.dbs.hubPool.query('UPDATE case_event SET key_sha256 = NULL WHERE case_id = ?', [first.case.id]);
      await s.dbs.hubPool.query('INSERT INTO case_request_legacy SELECT idempotency_key, request_hash, case_id FROM case_request WHERE case_id = ?', [first.case.id]);
      await s.dbs.hubPool.query('DELETE FROM case_request WHERE case_id = ?', [first.case.id]);
    }
    await run(migrationStatement('cases', '0013_event_key_sha256.sql', 'UPDATE'));
    await run(migrationStatement('case-loop', '0009_request_key_sha256.sql', 'INSERT').replace('`case_request_by_digest`', '`case_request`').replace('FROM `case_request`', 'FROM `case_request_legacy`'));
    await run('DROP TABLE case_request_legacy');
    for (const key of STORED_BEFORE) {
      const [event] = await rows('SELECT case_id, idempotency_key, key_sha256 FROM case_event WHERE idempotency_key LIKE ? AND key_sha256 IS NOT NULL', [`%:${key}`]);
      expect(event.key_sha256).toBe(keyDigest(event.idempotency_key));
      const [request] = await rows('SELECT key_sha256 FROM case_request WHERE case_id = ?', [event.case_id]);
      expect(request.key_sha256).toBe(event.key_sha256);
      expect(await opened(key, `迁移前的申请 ${key}`)).toEqual({ case: { id: String(event.case_id) }, replayed: true });
      // Its request found too: the key with another report is refused, not answered as this one.
      const other = await open(key, '另一份申请');
      expect(other.data.caseOpen.userErrors.map((e: { code: string }) => e.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    }
  });
});

describe('charityConsentRecord (charity_consent.record_key)', () => {
  const RECORD = `mutation($input: CharityConsentRecordInput!) { charityConsentRecord(input: $input) { consent { id } replayed userErrors { code } } }`;
  const record = async (idempotencyKey: string): Promise<{ consent: { id: string }; replayed: boolean }> => {
    const { consent, replayed } = await okPayload(s.office.gql, RECORD, { input: { householdId: String(s.householdId), scopes: ['NEED_PUBLICATION'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042', idempotencyKey } }, 'charityConsentRecord');
    return { consent, replayed };
  };
  const count = async (id: string) => (await rows('SELECT id FROM charity_consent WHERE id = ?', [id])).length;

  it('keys differing only in case or trailing spaces record a consent each, kept as sent; the exact key again is answered once', async () => {
    const first = await record('C1');
    for (const key of ['c1', 'C1 ', 'C1  ']) {
      const other = await record(key);
      expect({ key, replayed: other.replayed, same: other.consent.id === first.consent.id }).toEqual({ key, replayed: false, same: false });
      expect((await rows('SELECT record_key FROM charity_consent WHERE id = ?', [other.consent.id]))[0].record_key).toBe(key);
    }
    expect(await record('C1')).toEqual({ consent: first.consent, replayed: true });
    expect((await rows(`SELECT id FROM charity_consent WHERE record_key_sha256 = ?`, [keyDigest('idem-office:C1')])).map((r) => String(r.id))).toEqual([first.consent.id]);
    expect(await count(first.consent.id)).toBe(1);
  });

  it('a key stored before the digests, filled by the migration, is still found by its exact key', async () => {
    const firsts = new Map<string, string>();
    for (const key of STORED_BEFORE) firsts.set(key, (await record(key)).consent.id);
    await s.dbs.hubPool.query('UPDATE charity_consent SET record_key_sha256 = NULL WHERE id IN (?)', [[...firsts.values()]]);
    await run(migrationStatement('charity', '0012_key_sha256.sql', 'UPDATE', 'charity_consent'));
    for (const [key, id] of firsts) expect(await record(key)).toEqual({ consent: { id }, replayed: true });
  });
});

describe('charityNeedPublish (charity_need.publish_key)', () => {
  const PUBLISH = `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id } replayed userErrors { code } } }`;
  const publish = async (idempotencyKey: string): Promise<{ need: { id: string }; replayed: boolean }> => {
    const input = { caseId: s.caseId, consentId: s.consentId, purpose: 'MEDICAL', urgency: 'URGENT', uncoveredFen: 300_000, beneficiaryIdNumber: WANG.grandmother, description: '家中老人住院，自付部分难以承担', idempotencyKey };
    const { need, replayed } = await okPayload(s.office.gql, PUBLISH, { input }, 'charityNeedPublish');
    return { need, replayed };
  };

  it('keys differing only in case or trailing spaces publish a need each, kept as sent; the exact key again is answered once', async () => {
    const first = await publish('N1');
    for (const key of ['n1', 'N1 ', 'N1  ']) {
      const other = await publish(key);
      expect({ key, replayed: other.replayed, same: other.need.id === first.need.id }).toEqual({ key, replayed: false, same: false });
      expect((await rows('SELECT publish_key FROM charity_need WHERE id = ?', [other.need.id]))[0].publish_key).toBe(key);
    }
    expect(await publish('N1')).toEqual({ need: first.need, replayed: true });
    expect((await rows(`SELECT id FROM charity_need WHERE publish_key_sha256 = ?`, [keyDigest('idem-office:N1')])).map((r) => String(r.id))).toEqual([first.need.id]);
  });

  it('a key stored before the digests, filled by the migration, is still found by its exact key', async () => {
    const firsts = new Map<string, string>();
    for (const key of STORED_BEFORE) firsts.set(key, (await publish(key)).need.id);
    await s.dbs.hubPool.query('UPDATE charity_need SET publish_key_sha256 = NULL WHERE id IN (?)', [[...firsts.values()]]);
    await run(migrationStatement('charity', '0012_key_sha256.sql', 'UPDATE', 'charity_need'));
    for (const [key, id] of firsts) expect(await publish(key)).toEqual({ need: { id }, replayed: true });
  });
});

describe('an objection to a village notice (monitoring_notice_objection)', () => {
  // The store's write, under the key as alertNoticeObjectionRecord scopes it (`<office>/c<client>:<key>`).
  const write = (key: string): ObjectionWrite => ({
    noticeId: 4_000_001,
    receivedOn: '2026-03-16',
    kind: 'FACTS_WRONG',
    recordedBy: 'RC-0042',
    recordedOffice: 'CIVIL_AFFAIRS',
    idempotencyKey: `CIVIL_AFFAIRS/c1:${key}`,
    recordedAt: '2026-03-16 02:00:00.000',
  });
  const recorded = async (key: string) => {
    const out = await recordObjection(s.dbs.hub, write(key));
    if (!out.ok) throw new Error(`objection under ${key} refused`);
    return { id: out.objection.id, repeated: out.repeated };
  };

  it('keys differing only in case or trailing spaces record an objection each; the exact key again is answered once', async () => {
    const first = await recorded('O1');
    for (const key of ['o1', 'O1 ', 'O1  ']) {
      const other = await recorded(key);
      expect({ key, repeated: other.repeated, same: other.id === first.id }).toEqual({ key, repeated: false, same: false });
    }
    expect(await recorded('O1')).toEqual({ id: first.id, repeated: true });
    expect(await rows('SELECT id FROM monitoring_notice_objection WHERE notice_id = 4000001')).toHaveLength(4);
  });

  it('a key stored before the digests, filled by the migration, is still found by its exact key', async () => {
    const firsts = new Map<string, number>();
    for (const key of STORED_BEFORE) firsts.set(key, (await recorded(key)).id);
    // Not NULL here (the column is required once filled): a digest of nothing, as good as none.
    await s.dbs.hubPool.query('UPDATE monitoring_notice_objection SET key_sha256 = SHA2(id, 256) WHERE id IN (?)', [[...firsts.values()]]);
    await run(migrationStatement('monitoring', '0018_objection_key_sha256.sql', 'UPDATE'));
    for (const [key, id] of firsts) expect(await recorded(key)).toEqual({ id, repeated: true });
  });
});
