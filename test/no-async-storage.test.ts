/**
 * A household query in production enters no AsyncLocalStorage: once any storage is entered,
 * Node 20 runs its promise hooks on every promise of the process (~4% of a household query's
 * instructions, docs/performance.md Session 31). The request's id reaches its log lines through the
 * request's logger, and a department read's abandonable scope reaches its statements through the
 * handle its adapter is given, not through an async context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub } from './support/hub';
import { insertRegions, insertWang, TODAY } from './support/scenarios';

let dbs: TestDatabases;
let wangId: number;

beforeAll(async () => {
  dbs = await createTestDatabases('no_async_storage');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
}, 120_000);

afterAll(() => dbs.close());

it('serves a household query in production without entering an AsyncLocalStorage', async () => {
  const hub = await startTestHub(dbs, { today: TODAY, production: true });
  const run = jest.spyOn(AsyncLocalStorage.prototype, 'run');
  const enterWith = jest.spyOn(AsyncLocalStorage.prototype, 'enterWith');
  try {
    const res = await hub.gql(`query($id: ID!) { household(id: $id) { members { person { name } } aid { amountFen } sources { available } } }`, { id: String(wangId) });
    expect(res.errors).toBeUndefined();
    expect(res.data.household.sources.every((s: { available: boolean }) => s.available)).toBe(true);
    expect([run.mock.calls.length, enterWith.mock.calls.length]).toEqual([0, 0]);
  } finally {
    run.mockRestore();
    enterWith.mockRestore();
    await hub.close();
  }
});
