/**
 * A hub starting when a slip issued today may run into a year whose State Council holiday notice it
 * does not hold says so in its log (server/app.ts, uncoveredYearsAhead): in December 2026, with the
 * installed table ending with 2026, every slip of more than a few working days was due by the law's
 * holidays alone (provisional), and only the dates themselves said it. Quiet when the year is far off
 * or its notice is loaded (AIDHUB_HOLIDAYS_FILE).
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { uncoveredYearsAhead } from '../../domain/cases/working-days';
import { holidayFiles, notice2027 } from '../support/notice-2027';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub } from '../support/hub';
import { TestClock } from '../support/clock';

const cn = (local: string) => `${local}+08:00`;
const holidays = holidayFiles('aidhub-calendar-warning-');
const WARNING = /no State Council holiday notice is loaded/;

let dbs: TestDatabases;

beforeAll(async () => {
  holidays.use(null);
  dbs = await createTestDatabases('calendar_warning');
}, 120_000);

afterAll(async () => {
  holidays.restore();
  await dbs?.close();
});

/** The warnings a hub logs while starting with its clock at `at`. */
async function startWarnings(at: string): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const hub = await startTestHub(dbs, { clock: new TestClock(cn(at)).now, logger: pino({ level: 'warn' }, sink) });
  await hub.close();
  return lines.filter((l) => WARNING.test(String(l.msg)));
}

describe('the years ahead without a holiday notice', () => {
  it('are those a limit counted from today reaches', () => {
    // 60 working days from 2026-12-06 end in March 2027; from 06-01 they end in August.
    expect(uncoveredYearsAhead('2026-12-06', 60)).toEqual([2027]);
    expect(uncoveredYearsAhead('2026-06-01', 60)).toEqual([]);
    expect(uncoveredYearsAhead('2027-03-01', 1)).toEqual([2027]);
  });

  it('are named when the hub starts in December 2026 without the 2027 notice; not in June, nor with the notice loaded', async () => {
    const december = await startWarnings('2026-12-06T10:00:00');
    expect(december.map((l) => ({ years: l.years, lastYearCovered: l.lastYearCovered }))).toEqual([{ years: [2027], lastYearCovered: 2026 }]);
    expect(await startWarnings('2026-06-01T10:00:00')).toEqual([]);
    holidays.use('notice-2027.json', [notice2027]);
    try {
      expect(await startWarnings('2026-12-06T10:00:00')).toEqual([]);
    } finally {
      holidays.use(null);
    }
  }, 300_000);
});
