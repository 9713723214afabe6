/**
 * What an error leaves in the log. A driver's error carries its statement and parameters (ID
 * numbers, names) in its message; what is logged of it is its code. Real errors from a real
 * server, and a real poller whose tick fails, with the log captured.
 */
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { createPool, hubDrizzle } from '../db/connect';
import { withDatabase } from '../db/config';
import { loggableError } from '../domain/privacy';
import { makeIdNumber } from '../domain/id-number';
import { activeRuleSet } from '../rules/load';
import { activeTriggerSet } from '../rules/triggers-load';
import { MonitoringPoller } from '../resolvers/monitoring/poller';
import { until } from './support/until';
import { testServerUrl } from './support/databases';

const ID = makeIdNumber('370802', '1980-01-01', 1);
const NAME = '王秀英';

describe('loggableError', () => {
  it('keeps a driver error’s code and nothing of its statement or parameters', async () => {
    const pool = createPool(withDatabase(testServerUrl(), 'mysql'));
    try {
      const db = hubDrizzle(pool);
      const err = await db.execute(sql`SELECT * FROM no_such_table WHERE id_number = ${ID} AND name = ${NAME}`).then(
        () => null,
        (e: unknown) => e,
      );
      expect(String((err as Error).message)).toContain(ID); // what would have been logged
      const logged = JSON.stringify(loggableError(err));
      expect(loggableError(err)).toEqual({ name: (err as Error).name, code: 'ER_NO_SUCH_TABLE' });
      expect(logged).not.toContain(ID.slice(6, 14));
      expect(logged).not.toContain(NAME);
      expect(logged).not.toMatch(/select/i);
    } finally {
      await pool.end();
    }
  });

  it('keeps another error’s message, scrubbed', () => {
    expect(loggableError(new Error(`no household for ${ID}`))).toEqual({ name: 'Error', message: `no household for ${ID.slice(0, 6)}********${ID.slice(14)}` });
    expect(loggableError(new Error(`Failed query: select 1\nparams: ${NAME}`))).toEqual({ name: 'Error' });
    expect(loggableError('down')).toEqual({ name: 'string', message: '' });
  });
});

describe('a monitoring tick that fails', () => {
  it('logs the driver’s code, not the statement', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    // A hub database that does not exist: the tick's first statement fails.
    const pool = createPool(withDatabase(testServerUrl(), 'aidhub_no_such_database'));
    const deps = { hub: hubDrizzle(pool), sources: {} as never, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => new Date() };
    const poller = new MonitoringPoller(deps, { intervalMs: { default: 50 }, leaseMs: 60_000, batchRows: 100, monthlyRegion: null, commitLagMs: 1000, logger });
    try {
      poller.start();
      await until('a failed tick logged', async () => lines.some((l) => l.msg === 'monitoring tick failed'), (seen) => seen, 30_000, 50);
    } finally {
      await poller.stop();
      await pool.end();
    }
    const failed = lines.filter((l) => l.msg === 'monitoring tick failed');
    for (const line of failed) {
      expect(line.err).toEqual({ name: expect.any(String), code: 'ER_BAD_DB_ERROR' });
      expect(JSON.stringify(line)).not.toMatch(/Failed query|select|insert/i);
    }
  });
});
