/**
 * A household read whole holds its members (db/household/loaders.ts): `Household.members` then
 * answers them as a plain value, and `aid` and `sources` find them without a promise of their own
 * (resolvers/household/resolvers.ts membersOf), with the same answers and statements.
 */
import pino from 'pino';
import type { GraphQLResolveInfo } from 'graphql';
import { loadConfig } from '../db/config';
import { countStatements } from '../db/instrument';
import { DEPARTMENT_CODES } from '../domain/departments';
import { createLoaders, type HubContext } from '../resolvers/context';
import { householdResolvers } from '../resolvers/household/resolvers';
import type { HouseholdRow } from '../db/household/loaders';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

let dbs: TestDatabases;
let householdId: number;
beforeAll(async () => {
  dbs = await createTestDatabases('members_held');
  await insertRegions(dbs);
  householdId = await insertWang(dbs);
});
afterAll(async () => dbs?.close());

type Field = (parent: HouseholdRow, args: Record<string, unknown>, ctx: HubContext, info: GraphQLResolveInfo) => unknown;
const field = (name: 'members' | 'aid' | 'sources') => householdResolvers.Household![name] as unknown as Field;

function context(): HubContext {
  const unavailable = new Map();
  const loaders = createLoaders({ config: loadConfig(dbs.hubUrl, {}), hub: dbs.hub, sources: dbs.sourceSet, logger: pino({ level: 'silent' }) }, TODAY, unavailable);
  return { hub: dbs.hub, today: TODAY, loaders, sources: dbs.sourceSet, unavailable } as unknown as HubContext;
}

it('answers the members of a household read whole as a plain value, each with their person', async () => {
  const ctx = context();
  const household = (await ctx.loaders.hub.householdById.load(householdId))!;
  const members = field('members')(household, {}, ctx, {} as GraphQLResolveInfo);
  expect(members).not.toBeInstanceOf(Promise);
  expect((members as { person: { idNumber: string } }[]).map((m) => m.person.idNumber)).toContain(WANG.head);
});

it('reads the members of a household not read whole, and its aid and sources, in the same statements as before', async () => {
  const ctx = context();
  const household = { id: householdId } as HouseholdRow;
  const { result, counter } = await countStatements(async () => {
    const members = (await field('members')(household, {}, ctx, {} as GraphQLResolveInfo)) as { person: { idNumber: string } }[];
    const [aid, sources] = await Promise.all([field('aid')(household, {}, ctx, {} as GraphQLResolveInfo), field('sources')(household, {}, ctx, {} as GraphQLResolveInfo)]);
    return { members, aid: aid as unknown[], sources: sources as { available: boolean }[] };
  });
  expect(result.members.map((m) => m.person.idNumber)).toContain(WANG.head);
  expect(result.aid.length).toBeGreaterThan(0);
  expect(result.sources).toHaveLength(DEPARTMENT_CODES.length);
  expect(result.sources.every((s) => s.available)).toBe(true);
  // The members' statement, and one a department (the ledger's too: no household read primed it).
  expect(counter.total).toBe(1 + DEPARTMENT_CODES.length);
});
