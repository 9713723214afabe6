/**
 * An ID number written in parts (`110105 19900101 1234`, `1101-0519-9001-0112-34`) reaches no log
 * line and no audit row in clear, as a whole one does not; dates, times, amounts, phone, file and
 * request numbers written in parts stay as they are. Through the hub's own logging: a request
 * whose path carries the number while the hub's database does not answer (the log line names the
 * path), and a GraphQL operation named with it (the audit row names the operation).
 */
import pino from 'pino';
import { createPool, hubDrizzle } from '../db/connect';
import { makeIdNumber, mayContainIdNumber } from '../domain/id-number';
import { scrub } from '../domain/privacy';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { startPausableProxy, type PausableProxy } from './support/pausable-proxy';
import { insertRegions, TODAY } from './support/scenarios';

/** A valid ID number, and one whose check character is wrong (a clerk's typo still names the person). */
const ID = makeIdNumber('110105', '1990-01-01', 123);
const TYPO = ID.slice(0, 17) + (ID[17] === '4' ? '5' : '4');
const parts = (id: string, sizes: number[]) => sizes.map((n, i) => id.slice(sizes.slice(0, i).reduce((a, b) => a + b, 0), sizes.slice(0, i).reduce((a, b) => a + b, 0) + n));
const MASKED = (id: string) => `${id.slice(0, 6)}********${id.slice(14)}`;

const WRITTEN = [
  parts(ID, [6, 8, 4]).join(' '),
  parts(ID, [4, 4, 4, 4, 2]).join('-'),
  parts(ID, [6, 8, 3, 1]).join('-'),
  parts(ID, [6, 4, 4, 4]).join('.'),
  parts(TYPO, [6, 8, 4]).join(' '),
  parts(TYPO, [4, 4, 4, 4, 2]).join('-'),
  // Joined as a list is (a form's fields run together, an array joined for a message).
  parts(ID, [6, 8, 4]).join('; '),
  parts(ID, [6, 8, 4]).join(', '),
  parts(ID, [6, 8, 4]).join('；'),
  parts(TYPO, [6, 8, 3, 1]).join(','),
];

describe('scrub', () => {
  it.each(WRITTEN)('masks %s', (written) => {
    const out = scrub(`申请人 ${written}，电话 138-0013-8000`);
    expect(out).not.toContain(written);
    expect(out.replace(/\D/g, '')).not.toContain('19900101');
    expect(out).toContain(MASKED(written.replace(/[^\dX]/g, '')));
    expect(out).toContain('138-0013-8000');
  });

  it.each([`ID${ID}`, `idNumber=${ID}&x=1`, `${ID}号`, `证件${ID}`])('masks a whole one glued to letters: %s', (text) => {
    const out = scrub(text);
    expect(out).not.toContain(ID);
    expect(out).toContain(MASKED(ID));
  });

  it('finds, as it masks, an ID number written in parts joined with list separators', () => {
    for (const sep of ['; ', ', ', '；', '，', '、']) expect(mayContainIdNumber(`x ${parts(ID, [6, 8, 4]).join(sep)}`)).toBe(true);
    expect(mayContainIdNumber('households 12, 15, 370811, 2026; total 4')).toBe(false);
  });

  it('leaves ordinary numbers written in parts as they are', () => {
    for (const text of [
      '2026-03-15 10:20:30.123',
      '2026-03-15T01:02:03.456Z',
      '金额 1234500 分, 共 12 笔',
      '电话 138-0013-8000 / 0537-2345678',
      'request 550e8400-e29b-41d4-a716-446655440000',
      'request 12345678-1234-1234-1234-123456789012',
      '档案号 370811-2026-000042',
      '档案号 370811-2026-0315-0042',
      '20260315-1020-3012-34',
      'households 12, 15, 370811, 2026; total 4',
      '金额 1,234,500 分；共 12 笔',
    ]) {
      expect(scrub(text)).toBe(text);
    }
  });
});

/**
 * The old 15-digit number (GB 11643-1989: address code, yymmdd, sequence), still on old papers and
 * in older department systems: scrub let it through whole. It is masked like an 18-character one
 * (address code and sequence kept); 15 digits that cannot be one (no mainland province, a
 * province's own code, no date in 19yymmdd) stay as they are.
 */
describe('scrub, the old 15-digit ID number', () => {
  const OLD = '370811850229123'; // 19850229: 1985 has no 29 February
  const OLD_ID = '370811840229123'; // born 1984-02-29 (a leap day), sequence 123
  const OLD_MASKED = '370811******123';

  it.each([OLD_ID, `ID${OLD_ID}`, `身份证${OLD_ID}号`, `idNumber=${OLD_ID}&x=1`, '370811 840229 123', '370811-840229-123'])('masks %s', (written) => {
    const out = scrub(`申请人 ${written}，电话 13800138000`);
    expect(out).toContain(OLD_MASKED);
    expect(out.replace(/\D/g, '')).not.toContain('840229');
    expect(out).toContain('13800138000');
  });

  it('leaves 15 digits that cannot be an old ID number as they are', () => {
    for (const text of [
      `订单 ${OLD}`, // 1985-02-29 is no date
      '订单 202603151020301', // 20: no province
      '流水 990101850101123', // 99: no province
      '编码 370000850101123', // a province's own code, no county
      '编码 370811851301123', // month 13
      '金额 123456789012345 分',
      '档案号 370811-2026-000042',
      '370811 2026 03 15 001',
      '1234567890123456', // 16 digits
    ]) {
      expect(scrub(text)).toBe(text);
    }
  });

  it('still masks 18-character numbers as before', () => {
    expect(scrub(`证件${ID}`)).toBe(`证件${MASKED(ID)}`);
  });
});

/**
 * Two ID numbers glued by an invisible character (`…0011\u200b1101…`), or one glued so to a longer
 * run of digits, were read as one run of 36 or more digits, bounded by no non-digit: neither was
 * masked. Where the reading leaves an invisible character out between digits, each side is judged on
 * its own; 36 digits written with none between them stay as they were.
 */
describe('scrub, ID numbers glued by an invisible character', () => {
  const ID2 = makeIdNumber('110101', '1990-03-07', 1);
  const LONG = '12345678901234567890';

  it.each([
    ['a zero-width space', `${ID}\u200b${ID2}`, `${MASKED(ID)}${MASKED(ID2)}`],
    ['a word joiner', `证件 ${ID}\u2060${ID2} 号`, `证件 ${MASKED(ID)}${MASKED(ID2)} 号`],
    ['a soft hyphen, to a longer run after it', `流水${ID}\u00ad${LONG}`, `流水${MASKED(ID)}${LONG}`],
    ['a zero-width space, to a longer run before it', `${LONG}\u200b${ID}`, `${LONG}${MASKED(ID)}`],
    ['a zero-width joiner, an old 15-digit one first', `370811840229123\u200d${ID}`, `370811******123${MASKED(ID)}`],
    ['a BOM, one of them itself split by a zero-width space', `${ID.slice(0, 9)}\u200b${ID.slice(9)}\ufeff${ID2}`, `${MASKED(ID)}${MASKED(ID2)}`],
    // Judged on its own, a side needs its check character right, as any number found without non-digits around it.
    ['a zero-width space, a typo first', `${TYPO}\u200b${ID2}`, `${TYPO}${MASKED(ID2)}`],
  ])('masks each of them, glued by %s', (_what, text, out) => {
    expect(scrub(text)).toBe(out);
  });

  it('leaves runs with no invisible character in them as before', () => {
    for (const text of [`${ID}${ID2}`, `${LONG}${ID}`, `${ID}${LONG}`, `${LONG}\u200b${LONG}`]) expect(scrub(text)).toBe(text.replace('\u200b', ''));
  });
});

describe('through the hub’s logging', () => {
  let dbs: TestDatabases;
  let proxy: PausableProxy;
  let hub: TestHub;
  let closeHubPool: () => Promise<void>;
  const lines: string[] = [];

  beforeAll(async () => {
    dbs = await createTestDatabases('log_scrub');
    await insertRegions(dbs);
    proxy = await startPausableProxy(dbs.hubUrl);
    const hubUrl = proxy.url(dbs.hubUrl);
    const hubPool = createPool(hubUrl, { deadlineMs: 1500 });
    closeHubPool = () => hubPool.end();
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    hub = await startTestHub({ ...dbs, hubUrl, hub: hubDrizzle(hubPool), hubPool }, { today: TODAY, hubTimeoutMs: 1500, logger });
  }, 120_000);

  afterAll(async () => {
    proxy?.resume();
    await hub?.close();
    await closeHubPool?.();
    await proxy?.close();
    await dbs?.close();
  });

  it('a path that carries one is logged masked', async () => {
    const headers = hub.as({ purpose: 'ELIGIBILITY_REVIEW' }).headers;
    proxy.pause();
    try {
      for (const written of WRITTEN) {
        const res = await fetch(`${hub.url}/people/${encodeURIComponent(written)}/aid`, { headers, signal: AbortSignal.timeout(30_000) });
        expect(res.status).toBe(503);
        expect(((await res.json()) as any).errors[0].extensions.code).toBe('HUB_UNAVAILABLE');
      }
    } finally {
      proxy.resume();
    }
    const logged = lines.filter((l) => l.includes('hub database did not answer in time'));
    expect(logged).toHaveLength(WRITTEN.length);
    const text = logged.join('');
    for (const written of WRITTEN) expect(text).not.toContain(written);
    expect(text).not.toContain('19900101');
    expect(text).toContain(`/people/${MASKED(ID)}/aid`);
  }, 120_000);

  it('an operation named with one is recorded masked in the audit trail', async () => {
    const name = `Look_${parts(ID, [6, 8, 4]).join('_')}`;
    const res = await hub.as({ purpose: null }).gql(`query ${name} { caller { name } }`);
    expect(res.errors).toBeUndefined();
    const [rows] = (await dbs.hubPool.query('SELECT operation FROM access_log WHERE operation LIKE ?', ['Look\\_%'])) as any[];
    expect(rows.map((r: any) => r.operation)).toEqual([`Look_${MASKED(ID)}`]);
  }, 60_000);
});
