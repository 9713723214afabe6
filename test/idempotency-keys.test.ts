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
    for (const key of STORED_BEFORE) {
      const first = await opened(key, `迁移前的申请 ${key}`);
      // As the release before left them: no digest on the event, the request under the key as sent.
      await s.dbs.hubPool.query('UPDATE case_request r JOIN case_event e ON e.case_id = r.case_id AND e.key_sha256 = r.idempotency_key SET r.idempotency_key = e.idempotency_key WHERE r.case_id = ?', [first.case.id]);
      await s.dbs.hubPool.query('UPDATE case_event SET key_sha256 = NULL WHERE case_id = ?', [first.case.id]);
    }
    await run(migrationStatement('cases', '0013_event_key_sha256.sql', 'UPDATE'));
    // Twice, as a start stopped after its UPDATE and before its journal row would: no digest hashed again.
    await run(migrationStatement('case-loop', '0009_request_key_sha256.sql', 'UPDATE'));
    await run(migrationStatement('case-loop', '0009_request_key_sha256.sql', 'UPDATE'));
    for (const key of STORED_BEFORE) {
      const [event] = await rows('SELECT case_id, idempotency_key, key_sha256 FROM case_event WHERE idempotency_key LIKE ? AND key_sha256 IS NOT NULL', [`%:${key}`]);
      expect(event.key_sha256).toBe(keyDigest(event.idempotency_key));
      const [request] = await rows('SELECT idempotency_key AS key_sha256 FROM case_request WHERE case_id = ?', [event.case_id]);
      expect(request.key_sha256).toBe(event.key_sha256);
      expect(await opened(key, `迁移前的申请 ${key}`)).toEqual({ case: { id: String(event.case_id) }, replayed: true });
      // Its request found too: the key with another report is refused, not answered as this one.
      const other = await open(key, '另一份申请');
      expect(other.data.caseOpen.userErrors.map((e: { code: string }) => e.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    }
  });
});

/** A keyed write under a key: what it wrote (or answered with), and whether it was a retry. */
type KeyedWrite = (key: string) => Promise<{ id: string; replayed: boolean }>;

/**
 * `key` and each look-alike (its case or trailing spaces changed) are writes of their own, each kept
 * under its key as sent (`storedKey`); `key` again is answered by its first write, which alone has its digest.
 */
async function lookAlikesApart(write: KeyedWrite, key: string, storedKey: (id: string) => Promise<string>, byDigest: (key: string) => Promise<string[]>) {
  const first = await write(key);
  for (const other of [key.toLowerCase(), `${key} `, `${key}  `]) {
    const written = await write(other);
    expect({ other, replayed: written.replayed, same: written.id === first.id, stored: await storedKey(written.id) }).toEqual({ other, replayed: false, same: false, stored: other });
  }
  expect(await write(key)).toEqual({ id: first.id, replayed: true });
  expect(await byDigest(key)).toEqual([first.id]);
}

/** Keys written, their digests taken away (`forget`: as the release before left them), the migration's `statement` run: each is found again by its exact key. */
async function foundAfterMigration(write: KeyedWrite, forget: (ids: string[]) => Promise<unknown>, statement: string) {
  const firsts = new Map<string, string>();
  for (const key of STORED_BEFORE) firsts.set(key, (await write(key)).id);
  await forget([...firsts.values()]);
  await run(statement);
  for (const [key, id] of firsts) expect(await write(key)).toEqual({ id, replayed: true });
}

const ids = (found: any[]) => found.map((r) => String(r.id));

const RECORD = `mutation($input: CharityConsentRecordInput!) { charityConsentRecord(input: $input) { consent { id } replayed userErrors { code } } }`;
const PUBLISH = `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id } replayed userErrors { code } } }`;
/** The charity office's keyed writes: its table, the key's and the digest's columns, the write under a key, the first key. */
const CHARITY_WRITES: { table: string; key: string; digest: string; first: string; write: KeyedWrite }[] = [
  {
    table: 'charity_consent',
    key: 'record_key',
    digest: 'record_key_sha256',
    first: 'C1',
    write: async (idempotencyKey) => {
      const { consent, replayed } = await okPayload(s.office.gql, RECORD, { input: { householdId: String(s.householdId), scopes: ['NEED_PUBLICATION'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042', idempotencyKey } }, 'charityConsentRecord');
      return { id: consent.id, replayed };
    },
  },
  {
    table: 'charity_need',
    key: 'publish_key',
    digest: 'publish_key_sha256',
    first: 'N1',
    write: async (idempotencyKey) => {
      const input = { caseId: s.caseId, consentId: s.consentId, purpose: 'MEDICAL', urgency: 'URGENT', uncoveredFen: 300_000, beneficiaryIdNumber: WANG.grandmother, description: '家中老人住院，自付部分难以承担', idempotencyKey };
      const { need, replayed } = await okPayload(s.office.gql, PUBLISH, { input }, 'charityNeedPublish');
      return { id: need.id, replayed };
    },
  },
];

describe.each(CHARITY_WRITES)('charity: $table.$key', ({ table, key, digest, first, write }) => {
  it('keys differing only in case or trailing spaces are a write each, kept as sent (not trimmed); the exact key again is answered once', async () => {
    const stored = async (id: string) => (await rows(`SELECT ${key} AS k FROM ${table} WHERE id = ?`, [id]))[0].k;
    await lookAlikesApart(write, first, stored, async (k) => ids(await rows(`SELECT id FROM ${table} WHERE ${digest} = ?`, [keyDigest(`idem-office:${k}`)])));
  });

  it('a key stored before the digests, filled by the migration, is still found by its exact key', async () => {
    const forget = (found: string[]) => s.dbs.hubPool.query(`UPDATE ${table} SET ${digest} = NULL WHERE id IN (?)`, [found]);
    await foundAfterMigration(write, forget, migrationStatement('charity', '0012_key_sha256.sql', 'UPDATE', table));
  });
});

describe('an objection to a village notice (monitoring_notice_objection)', () => {
  // The store's write, under the key as alertNoticeObjectionRecord scopes it (`<office>/c<client>:<key>`).
  const SCOPE = 'CIVIL_AFFAIRS/c1';
  const write = (key: string): ObjectionWrite => ({
    noticeId: 4_000_001,
    receivedOn: '2026-03-16',
    kind: 'FACTS_WRONG',
    recordedBy: 'RC-0042',
    recordedOffice: 'CIVIL_AFFAIRS',
    idempotencyKey: `${SCOPE}:${key}`,
    recordedAt: '2026-03-16 02:00:00.000',
  });
  const recorded: KeyedWrite = async (key) => {
    const out = await recordObjection(s.dbs.hub, write(key));
    if (!out.ok) throw new Error(`objection under ${key} refused`);
    return { id: String(out.objection.id), replayed: out.repeated };
  };

  it('keys differing only in case or trailing spaces record an objection each; the exact key again is answered once', async () => {
    await lookAlikesApart(
      recorded,
      'O1',
      async (id) => (await rows('SELECT idempotency_key FROM monitoring_notice_objection WHERE id = ?', [id]))[0].idempotency_key.slice(SCOPE.length + 1),
      async (key) => ids(await rows('SELECT id FROM monitoring_notice_objection WHERE key_sha256 = ?', [keyDigest(`${SCOPE}:${key}`)])),
    );
    expect(await rows('SELECT id FROM monitoring_notice_objection WHERE notice_id = 4000001')).toHaveLength(4);
  });

  it('a key stored before the digests, filled by the migration, is still found by its exact key', async () => {
    // Not NULL (the column is required once filled): a digest of something else, as good as none.
    const forget = (found: string[]) => s.dbs.hubPool.query('UPDATE monitoring_notice_objection SET key_sha256 = SHA2(id, 256) WHERE id IN (?)', [found]);
    await foundAfterMigration(recorded, forget, migrationStatement('monitoring', '0018_objection_key_sha256.sql', 'UPDATE'));
  });
});
