/**
 * A pre-grant check whose department does not answer tells its caller (complete: false, a
 * DEPARTMENT_UNAVAILABLE error) and, as docs/operations.md "When a department's source misbehaves"
 * says of every read, the operator: the log line `department source unavailable` with the
 * department, reason and error code (never a person). The check reads only the programmes it needs,
 * through its own reads (resolvers/findings/live.ts), which recorded the outage for the answer and
 * logged nothing: on the demo, with the union's table locked, three checks answered complete: false
 * and the hub's log held no line of it, while a household read in the same state was logged.
 * Through a real hub over real department databases, one of them unreachable.
 */
import { freePort } from '../db/setup/private-server';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { capturedLog } from './support/log-lines';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

const CHECK = `query($in: PreGrantCheckInput!) { preGrantCheck(input: $in) { clear complete consulted { code } } }`;

let dbs: TestDatabases;
let hub: TestHub;
const { logger, lines: logLines } = capturedLog();

beforeAll(async () => {
  dbs = await createTestDatabases('pregrant_source_logged');
  await insertRegions(dbs);
  await insertWang(dbs);
  const deadPort = await freePort();
  hub = await startTestHub(dbs, { today: TODAY, logger, sources: { DISABILITY: { url: `mysql://root@127.0.0.1:${deadPort}/nowhere` } } });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

test('a pre-grant check that needs a department that does not answer logs it as a household read does', async () => {
  logLines.length = 0;
  const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { in: { beneficiaryIdNumber: WANG.grandmother, programme: 'DISABILITY_NURSING', periodStart: '2026-04-01', amountFen: 10_000 } });
  expect(res.data.preGrantCheck).toMatchObject({ clear: false, complete: false });
  expect(res.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'DEPARTMENT_UNAVAILABLE', department: 'DISABILITY', reason: 'UNREACHABLE' })]);
  const warned = logLines.filter((l) => l.msg === 'department source unavailable');
  expect(warned).toEqual([expect.objectContaining({ department: 'DISABILITY', reason: 'UNREACHABLE', errorCode: 'ECONNREFUSED' })]);
  expect(JSON.stringify(logLines)).not.toContain(WANG.grandmother);
});

test('one that needs only departments that answer logs nothing of the one that does not', async () => {
  logLines.length = 0;
  const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { in: { beneficiaryIdNumber: WANG.head, programme: 'TEMP_AID', cause: 'OTHER', grantDate: TODAY, amountFen: 10_000 } });
  expect(res.errors).toBeUndefined();
  expect(res.data.preGrantCheck).toMatchObject({ complete: true, consulted: [{ code: 'CIVIL_AFFAIRS' }] });
  expect(logLines.filter((l) => l.msg === 'department source unavailable')).toEqual([]);
});
