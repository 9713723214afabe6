/** Every adapter takes a batch of the size the loaders send (MAX_IDS_PER_STATEMENT) in one go. */
import { DEPARTMENT_CODES } from '../domain/departments';
import { makeIdNumber } from '../domain/id-number';
import { countStatements } from '../db/instrument';
import { MAX_IDS_PER_STATEMENT } from '../federation/loaders';
import { ADAPTERS } from '../federation/registry';
import { createTestDatabases, type TestDatabases } from './support/databases';

let dbs: TestDatabases;
beforeAll(async () => {
  dbs = await createTestDatabases('large_batch');
});
afterAll(async () => dbs?.close());

const ids = Array.from({ length: MAX_IDS_PER_STATEMENT }, (_, i) =>
  makeIdNumber('370811', `19${String(50 + (i % 49)).padStart(2, '0')}-01-${String(1 + (i % 28)).padStart(2, '0')}`, i % 1000),
);

it.each(DEPARTMENT_CODES)('%s answers a full batch in its fixed statements', async (code) => {
  const { result, counter } = await countStatements(() => ADAPTERS[code].aidByIdNumbers(dbs.sources[code], ids, '2026-03-15'));
  expect(result).toEqual([]);
  expect(counter.total).toBeGreaterThan(0);
  expect(counter.total).toBeLessThanOrEqual(4);
});
