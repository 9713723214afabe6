/**
 * A Fen that is not a whole number of fen has reason MALFORMED_FEN, one past ±(2^53 − 1) reason
 * FEN_OUT_OF_RANGE, as a Date that is not one has MALFORMED_DATE: written in the document or sent as
 * a variable alike, BAD_USER_INPUT, naming the place in extensions.argument (the argument and the
 * place inside it, or the variable and the place inside it). The
 * message names the schema's scalar (`Fen`, not graphql-scalars' "SafeInt") and quotes nothing of
 * the value: an ID number pasted into an amount is past the range. Before, both forms had no reason.
 * Sent here to a pledge (charityPledgeCreate): the refusal comes before any field runs. A pre-grant
 * check's amount is a ProposedFen, refused by its own check instead (test/pregrant-incomplete.test.ts).
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
beforeAll(async () => {
  dbs = await createTestDatabases('fen_scalar');
  await insertRegions(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
});
afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const ID_NUMBER = '370811197504120312';
const PLEDGE = `needId: "1", reference: "FEN-SCALAR"`;

describe('a refused Fen', () => {
  it.each([
    ['12.5', 'MALFORMED_FEN'],
    ['"100"', 'MALFORMED_FEN'],
    ['true', 'MALFORMED_FEN'],
    [ID_NUMBER, 'FEN_OUT_OF_RANGE'],
    ['1e300', 'FEN_OUT_OF_RANGE'],
  ])('written in the document (%s): as a variable is, BAD_USER_INPUT, reason %s, naming the input field and Fen', async (literal, reason) => {
    const res = await hub.gql(`mutation { charityPledgeCreate(input: { ${PLEDGE}, amountFen: ${literal} }) { __typename } }`);
    expect(res.status).toBe(400);
    expect(res.errors).toHaveLength(1);
    const [error] = res.errors!;
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', reason, argument: 'input.amountFen' });
    expect(error.message).toMatch(/^Argument "input\.amountFen" of field "charityPledgeCreate": Fen /);
    expect(error.message).not.toMatch(/SafeInt|3708111975|12\.5/);
  });

  it.each([
    [12.5, 'MALFORMED_FEN'],
    ['100', 'MALFORMED_FEN'],
    [{ amount: 1 }, 'MALFORMED_FEN'],
    [Number(ID_NUMBER), 'FEN_OUT_OF_RANGE'],
    [-(2 ** 53), 'FEN_OUT_OF_RANGE'],
  ])('sent as a variable (%j): BAD_USER_INPUT, reason %s, naming the variable', async (value, reason) => {
    const res = await hub.gql(`mutation($a: Fen!) { charityPledgeCreate(input: { ${PLEDGE}, amountFen: $a }) { __typename } }`, { a: value });
    expect(res.errors).toHaveLength(1);
    const [error] = res.errors!;
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', reason, argument: '$a' });
    expect(error.message).toMatch(/^Variable "\$a": Fen /);
    expect(error.message).not.toMatch(/SafeInt|3708111975|12\.5|amount/);
  });

  it('inside an input variable: the argument is the path to the field', async () => {
    const res = await hub.gql(`mutation($in: CharityPledgeCreateInput!) { charityPledgeCreate(input: $in) { __typename } }`, {
      in: { needId: '1', reference: 'FEN-SCALAR', amountFen: 99.99 },
    });
    expect(res.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', reason: 'MALFORMED_FEN', argument: '$in.amountFen' }]);
  });

  it('a whole number of fen still passes, in either form: the field runs (and refuses the pledge for reasons of its own)', async () => {
    for (const res of [
      await hub.gql(`mutation($a: Fen!) { charityPledgeCreate(input: { ${PLEDGE}, amountFen: $a }) { __typename } }`, { a: 50_000 }),
      await hub.gql(`mutation { charityPledgeCreate(input: { ${PLEDGE}, amountFen: 5e4 }) { __typename } }`),
    ]) {
      expect((res.errors ?? []).map((e) => e.extensions?.code)).not.toContain('GRAPHQL_VALIDATION_FAILED');
      expect((res.errors ?? []).map((e) => e.extensions?.reason)).not.toEqual(expect.arrayContaining([expect.stringMatching(/FEN/)]));
      expect(res.errors?.[0]?.path ?? ['charityPledgeCreate']).toEqual(['charityPledgeCreate']);
    }
  });
});
