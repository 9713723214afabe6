/**
 * A department's reads for a request (federation/loaders.ts DepartmentLoader): asked about a set of
 * people, it makes one promise a department, not one per person and department, while each person
 * is still read at most once a request and everything asked in one tick goes in one statement.
 */
import { createHook } from 'node:async_hooks';
import { DEPARTMENT_CODES } from '../domain/departments';
import { makeIdNumber } from '../domain/id-number';
import { countStatements } from '../db/instrument';
import { aidForPeople, createDepartmentLoaders, MAX_IDS_PER_STATEMENT, primeDepartment } from '../federation/loaders';
import { createTestDatabases, type TestDatabases } from './support/databases';

const TODAY = '2026-03-15';
let dbs: TestDatabases;
beforeAll(async () => {
  dbs = await createTestDatabases('department_loader');
});
afterAll(async () => dbs?.close());

const people = (n: number, from = 0) => Array.from({ length: n }, (_, i) => makeIdNumber('370811', '1970-01-01', from + i));
const loaders = () => createDepartmentLoaders(dbs.sourceSet, TODAY, () => {});

/** Promises made while `fn` runs (an async_hooks count, as bench:household-instructions counts them). */
async function promisesMade(fn: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') n += 1;
    },
  });
  hook.enable();
  try {
    await fn();
  } finally {
    hook.disable();
  }
  return n;
}

it('makes as many promises for eight people as for one: one a department, not one a person and department', async () => {
  // Every department's pool holds a connection and every statement is prepared before counting.
  await aidForPeople(loaders(), people(8));
  const one = await promisesMade(() => aidForPeople(loaders(), people(1)));
  const eight = await promisesMade(() => aidForPeople(loaders(), people(8)));
  // With a DataLoader key per person, seven more people cost seven departments' loads and
  // Promise.all's elements each: about a hundred more.
  expect(eight - one).toBeLessThan(DEPARTMENT_CODES.length);
});

it('reads each department once for everything asked in one tick, and no person twice in a request', async () => {
  const l = loaders();
  const { counter: first } = await countStatements(() => Promise.all([aidForPeople(l, people(3)), aidForPeople(l, people(3, 2)), aidForPeople(l, people(1, 4))]));
  const { counter: again } = await countStatements(() => aidForPeople(l, people(5)));
  expect(first.total).toBe(DEPARTMENT_CODES.length);
  expect(again.total).toBe(0);
});

it('waits for a read in flight rather than reading its people again', async () => {
  const l = loaders();
  const { counter } = await countStatements(async () => {
    const first = aidForPeople(l, people(2));
    // The first batch is dispatched (DataLoader runs it after the current tick's promise jobs)
    // and its statements are out before the second asks.
    await new Promise((resolve) => setImmediate(resolve));
    const second = aidForPeople(l, people(2));
    const [a, b] = await Promise.all([first, second]);
    expect(b).toEqual(a);
  });
  expect(counter.total).toBe(DEPARTMENT_CODES.length);
});

it('answers primed people without a read, and a department whose people are all primed without a statement', async () => {
  const l = loaders();
  const [primed, other] = people(2, 10);
  const outcome = { department: 'UNION' as const, available: true, latencyMs: 0, reason: null };
  primeDepartment(l, 'UNION', new Map([[primed, []]]), outcome);
  const { result, counter } = await countStatements(() => aidForPeople(l, [primed], ['UNION']));
  expect(counter.total).toBe(0);
  expect(result.outcomes).toEqual([outcome]);
  const { counter: both } = await countStatements(() => aidForPeople(l, [primed, other], ['UNION']));
  expect(both.total).toBeGreaterThan(0);
});

it('splits a read above MAX_IDS_PER_STATEMENT people into statements of at most that many, all answered', async () => {
  const many = people(MAX_IDS_PER_STATEMENT + 1, 100);
  const { result, counter } = await countStatements(() => aidForPeople(loaders(), many, ['EDUCATION']));
  expect(result.outcomes).toEqual([expect.objectContaining({ department: 'EDUCATION', available: true })]);
  const one = await oneRead('EDUCATION');
  expect(one).toBeGreaterThan(0);
  expect(counter.bySource.get('EDUCATION')).toBe(2 * one);
});

/** Statements one read of the department costs (an adapter may read several tables). */
async function oneRead(code: 'EDUCATION'): Promise<number> {
  const { counter } = await countStatements(() => aidForPeople(loaders(), people(1, 50), [code]));
  return counter.bySource.get(code) ?? 0;
}
