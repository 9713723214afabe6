/**
 * Members are listed in one total order, whichever way they were read (db/household/loaders.ts): the
 * household read and membersOf both sort their rows in the hub with one comparator (memberOrder),
 * by relation, birth date and then ID number. Without the ID number twins (same relation,
 * same birth date) came out as each read met them: the household read in the join's order (the
 * member table's key, ID number), membersOf as MariaDB's filesort left them, here not that order.
 * The join's order is the key's on MariaDB, so the hub's own sort is also asked of rows out of order.
 */
import { createHubLoaders, inMemberOrder } from '../db/household/loaders';
import { household, householdMember, person } from '../db/household/schema';
import { makeIdNumber } from '../domain/id-number';
import { countStatements } from '../db/instrument';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { insertRegions } from './support/scenarios';

let dbs: TestDatabases;
beforeAll(async () => {
  dbs = await createTestDatabases('member_order');
  await insertRegions(dbs);
});
afterAll(async () => dbs?.close());

const TWINS_BORN = '2012-03-04';
/** Triplets, their sequence numbers falling, and a mother, inserted youngest sequence last. */
const HOUSEHOLD = {
  head: makeIdNumber('370811', '1984-07-09', 22),
  triplets: [593, 586, 600].map((seq) => makeIdNumber('370811', TWINS_BORN, seq)),
};

async function insertTriplets(): Promise<number> {
  const [res] = await dbs.hub.insert(household).values({ registrationNo: 'TRIPLETS-1', regionCode: '370811001001', address: '南门社区 7 号' });
  const id = res.insertId;
  await dbs.hub.insert(person).values([
    { idNumber: HOUSEHOLD.head, name: '孙丽', gender: 'F', birthDate: '1984-07-09' },
    ...HOUSEHOLD.triplets.map((idNumber) => ({ idNumber, name: '孙某', gender: 'M' as const, birthDate: TWINS_BORN })),
  ]);
  // One member a statement, the children before their mother: neither insertion nor key order is the listing's.
  for (const idNumber of HOUSEHOLD.triplets) await dbs.hub.insert(householdMember).values({ householdId: id, idNumber, relation: 'CHILD', joinedOn: TWINS_BORN });
  await dbs.hub.insert(householdMember).values({ householdId: id, idNumber: HOUSEHOLD.head, relation: 'HEAD', joinedOn: '2005-01-01' });
  return id;
}

it('lists twins by ID number, the same through the household read and through membersOf, in one statement each', async () => {
  const id = await insertTriplets();
  const expected = [HOUSEHOLD.head, ...[...HOUSEHOLD.triplets].sort()];

  const read = await countStatements(async () => {
    const loaders = createHubLoaders(dbs.hub);
    await loaders.householdById.load(id);
    return loaders.membersByHousehold.load(id);
  });
  const members = await countStatements(async () => createHubLoaders(dbs.hub).membersByHousehold.load(id));

  expect(read.result.map((m) => m.person.idNumber)).toEqual(expected);
  expect(members.result.map((m) => m.person.idNumber)).toEqual(expected);
  expect([read.counter.total, members.counter.total]).toEqual([1, 1]);
});

it("orders twins by ID number in the hub's sort whatever order the join gave them, a member's ledger rows kept in theirs", () => {
  const [first, second] = [...HOUSEHOLD.triplets].sort();
  const row = (idNumber: string, relation: string, birthDate: string, ledger: number) => ({ household: { id: 1 }, relation, person: { idNumber, birthDate }, ledger });
  const rows = [row(second, 'CHILD', TWINS_BORN, 1), row(first, 'CHILD', TWINS_BORN, 2), row(second, 'CHILD', TWINS_BORN, 3), row(HOUSEHOLD.head, 'HEAD', '1984-07-09', 4)];
  expect(inMemberOrder(rows).map((r) => [r.person.idNumber, r.ledger])).toEqual([
    [HOUSEHOLD.head, 4],
    [first, 2],
    [second, 1],
    [second, 3],
  ]);
});
