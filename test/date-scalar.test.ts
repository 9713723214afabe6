/**
 * A Date that is not one (a month 13, a word, a number) is refused BAD_USER_INPUT with reason
 * MALFORMED_DATE, written in the document or sent as a variable alike; the message names the
 * schema's scalar (`Date`, not graphql-scalars' "LocalDate") and the place: for a variable the
 * variable and the place inside it, for a literal the argument and its field (extensions.argument).
 * A literal was answered GRAPHQL_VALIDATION_FAILED with no place, the variable BAD_USER_INPUT. At most ten characters of the value come back, and
 * only letters, digits and date punctuation among them.
 */
import { GraphQLScalarType, Kind } from 'graphql';
import { scalarResolvers } from '../resolvers/scalars';
import { datePiece } from '../domain/dates';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
beforeAll(async () => {
  dbs = await createTestDatabases('date_scalar');
  await insertRegions(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
});
afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const ID_NUMBER = '370811197504120312';
const LONG = `${ID_NUMBER}王建国${'x'.repeat(300)}`;

describe('a malformed Date argument', () => {
  it.each([['"2026-13-01"'], ['"2026-02-30"'], ['"tomorrow"'], ['20260101'], ['true'], [`"${LONG}"`]])('written in the document (%s): as a variable is, BAD_USER_INPUT, MALFORMED_DATE, naming the argument and Date', async (literal) => {
    const res = await hub.gql(`{ household(id: "1") { aid(from: ${literal}) { grantDate } } }`);
    expect(res.status).toBe(400);
    expect(res.errors).toHaveLength(1);
    const [error] = res.errors!;
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_DATE', argument: 'from' });
    expect(error.message).toMatch(/^Argument "from" of field "aid": Date /);
    expect((error as { locations?: unknown }).locations).toEqual([{ line: 1, column: 34 }]);
    expect(error.message).not.toMatch(/LocalDate|\d{11,}|[\u4e00-\u9fff]|x{11}/);
  });

  it('written in the document, the same answer as the same value sent as a variable, but for the place', async () => {
    const literal = await hub.gql(`{ reportedAidReconciliation(from: "2026-04-31", to: "2026-05-01") { count } }`);
    const variable = await hub.gql(`query($d: Date!) { reportedAidReconciliation(from: $d, to: "2026-05-01") { count } }`, { d: '2026-04-31' });
    const answer = (res: typeof literal) => ({ status: res.status, errors: res.errors?.map((e) => ({ ...e.extensions, argument: undefined, message: e.message.replace(/^[^:]*: /, '') })) });
    expect(answer(literal)).toEqual(answer(variable));
    expect(literal.errors?.map((e) => e.extensions?.argument)).toEqual(['from']);
    expect(variable.errors?.map((e) => e.extensions?.argument)).toEqual(['$d']);
  });

  it('written in a variable’s default: named as the variable', async () => {
    const res = await hub.gql(`query($d: Date = "2026-04-31") { household(id: "1") { aid(from: $d) { grantDate } } }`);
    expect(res.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', reason: 'MALFORMED_DATE', argument: '$d' }]);
    expect(res.errors![0].message).toBe('Variable "$d": Date must be a real calendar date written YYYY-MM-DD (got "2026-04-31")');
  });

  it('several in one document: each named by its own place', async () => {
    const res = await hub.gql(`{ a: household(id: "1") { aid(from: "2026-13-01") { grantDate } } b: reportedAidReconciliation(from: "2026-05-01", to: "2026-02-30") { count } }`);
    expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.argument, e.message.replace(/: Date .*/, '')])).toEqual([
      ['BAD_USER_INPUT', 'from', 'Argument "from" of field "aid"'],
      ['BAD_USER_INPUT', 'to', 'Argument "to" of field "reportedAidReconciliation"'],
    ]);
  });

  it.each([['2026-13-01'], ['2026-02-30'], ['tomorrow'], [20260101], [null], [{ y: 2026 }], [LONG]])('sent as a variable (%j): the same, naming the variable', async (value) => {
    const res = await hub.gql(`query($d: Date!) { household(id: "1") { aid(from: $d) { grantDate } } }`, { d: value });
    expect(res.errors).toHaveLength(1);
    const [error] = res.errors!;
    if (value === null) {
      // graphql-js refuses null for a non-null variable before the scalar sees it.
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      return;
    }
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_DATE', argument: '$d' });
    expect(error.message).toMatch(/^Variable "\$d": Date /);
    expect(error.message).not.toMatch(/LocalDate|\d{11,}|[\u4e00-\u9fff]|x{11}/);
  });

  it('inside a pre-grant check: refused at the check’s own field, naming the input field (ProposedDate)', async () => {
    const res = await hub.gql(`query($in: PreGrantCheckInput!) { preGrantCheck(input: $in) { __typename } }`, {
      in: { beneficiaryIdNumber: ID_NUMBER, programme: 'TEMP_AID', grantDate: '2026-04-31', amountFen: 100 },
    });
    expect(res.data).toEqual({ preGrantCheck: null });
    expect(res.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', reason: 'MALFORMED_DATE', argument: 'input.grantDate' }]);
    expect(res.errors![0].message).toBe('Date must be a real calendar date written YYYY-MM-DD (got "2026-04-31")');
  });

  it('inside an input variable elsewhere: the argument is the path to the field', async () => {
    const res = await hub.gql(`query($d: Date!, $e: Date!) { reportedAidReconciliation(from: $d, to: $e) { count } }`, { d: '2026-04-31', e: '2026-05-01' });
    expect(res.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', reason: 'MALFORMED_DATE', argument: '$d' }]);
    expect(res.errors![0].message).toBe('Variable "$d": Date must be a real calendar date written YYYY-MM-DD (got "2026-04-31")');
  });

  it('a valid Date still passes', async () => {
    const res = await hub.gql(`query($d: Date) { household(id: "1") { aid(from: $d) { grantDate } } }`, { d: '2026-03-01' });
    expect((res.errors ?? []).map((e) => e.extensions?.reason)).not.toContain('MALFORMED_DATE');
  });
});

it('quotes at most ten characters, only letters, digits and date punctuation', () => {
  expect(datePiece('2026-13-01')).toBe('2026-13-01');
  expect(datePiece(LONG)).toBe('3708111975…');
  expect(datePiece('明天')).toBe('??');
  expect(datePiece('26\u202e01"; x')).toBe('26?01?? x');
});

it('builds no error for a date it accepts (every date of every request paid for a stack trace it never threw)', () => {
  const date = scalarResolvers.Date as GraphQLScalarType;
  const traces = jest.spyOn(Error, 'captureStackTrace');
  try {
    expect(date.parseValue('2026-03-15')).toBe('2026-03-15');
    expect(date.parseLiteral({ kind: Kind.STRING, value: '2026-02-28' })).toBe('2026-02-28');
    expect(traces).not.toHaveBeenCalled();
    // A refused one still is refused, with its error.
    expect(() => date.parseValue('2026-02-30')).toThrow('Date must be a real calendar date written YYYY-MM-DD (got "2026-02-30")');
    expect(traces).toHaveBeenCalled();
  } finally {
    traces.mockRestore();
  }
});

describe('a Date the hub answers with (serialize)', () => {
  const date = scalarResolvers.Date as GraphQLScalarType;
  const { LocalDateResolver } = jest.requireActual<typeof import('graphql-scalars')>('graphql-scalars');
  const verdict = (serialize: (v: unknown) => unknown, value: unknown) => {
    try {
      return { served: serialize(value) };
    } catch (error) {
      return { refused: (error as Error).message };
    }
  };

  it('makes no Date of it (every date served made one, and its ISO text, to check it: docs/performance.md, Session 25)', () => {
    const isoText = jest.spyOn(Date.prototype, 'toISOString');
    try {
      for (const served of ['2026-03-15', '2024-02-29', '1975-04-12', '2026-12-31']) expect(date.serialize(served)).toBe(served);
      expect(isoText).not.toHaveBeenCalled();
    } finally {
      isoText.mockRestore();
    }
  });

  it("serves and refuses exactly what graphql-scalars' LocalDate does", () => {
    const values: unknown[] = ['', '2026-3-15', '2026-03-15 ', ' 2026-03-15', '2026-03-15T00:00:00Z', '２０２６-03-15', '20260315', 20260315, null, undefined, new Date('2026-03-15'), {}, ['2026-03-15']];
    for (const year of ['0000', '0004', '1900', '1975', '2000', '2024', '2026', '2100', '2400', '9999']) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) values.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
      }
    }
    for (const value of values) expect({ value, ...verdict((v) => date.serialize(v), value) }).toEqual({ value, ...verdict((v) => LocalDateResolver.serialize(v), value) });
  });
});
