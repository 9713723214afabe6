/**
 * A DateTime that is not one (no offset, 29 February of a common year, a bare date, a number) has
 * reason MALFORMED_DATETIME, written in the document or sent as a variable alike (BAD_USER_INPUT,
 * `argument` its place: the argument, or the variable and the path inside it), as a Date has
 * MALFORMED_DATE. It was refused with no reason in the document, and as WRONG_TYPE ("is not a value
 * of type DateTime") as a variable, which told a client that left out the offset nothing; and the
 * literal's message quoted the value whole (a name pasted into `asOf` came back). Now at most ten
 * characters of it come back, letters, digits and date punctuation only.
 */
import { GraphQLScalarType, Kind } from 'graphql';
import { scalarResolvers } from '../resolvers/scalars';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
beforeAll(async () => {
  dbs = await createTestDatabases('datetime_scalar');
  await insertRegions(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
});
afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const LONG = `370811197504120312王建国${'x'.repeat(300)}`;
const NOT_QUOTED = /\d{11,}|[\u4e00-\u9fff]|x{11}/;

describe('a malformed DateTime argument', () => {
  it.each([['"2026-03-15T09:30:00"'], ['"2025-02-29T00:00:00+08:00"'], ['"2026-03-15"'], ['20260315'], [`"${LONG}"`]])(
    'written in the document (%s): as a variable is, BAD_USER_INPUT, MALFORMED_DATETIME, naming the argument and DateTime',
    async (literal) => {
      const res = await hub.gql(`{ workingDayCalendar { firstYear } case(id: "1") { anyDeadlineMissed(asOf: ${literal}) } }`);
      expect(res.errors).toHaveLength(1);
      const [error] = res.errors!;
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_DATETIME', argument: 'asOf' });
      expect(error.message).toMatch(/^Argument "asOf" of field "anyDeadlineMissed": DateTime /);
      expect(error.message).not.toMatch(NOT_QUOTED);
    },
  );

  it.each([['2026-03-15T09:30:00'], ['2025-02-29T00:00:00+08:00'], ['2026-03-15'], [1773538200000], [true], [{ at: 1 }], [LONG]])(
    'sent as a variable (%j): the same, naming the variable',
    async (value) => {
      const res = await hub.gql(`query($t: DateTime!) { case(id: "1") { anyDeadlineMissed(asOf: $t) } }`, { t: value });
      expect(res.errors).toHaveLength(1);
      const [error] = res.errors!;
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_DATETIME', argument: '$t' });
      expect(error.message).toMatch(/^Variable "\$t": DateTime /);
      expect(error.message).not.toMatch(NOT_QUOTED);
    },
  );

  it('says what a time without an offset lacks', async () => {
    const sent = await hub.gql(`mutation($in: CaseOpenInput!) { caseOpen(input: $in) { case { id } } }`, {
      in: { householdId: '1', origin: 'APPLICATION', urgency: 'NORMAL', summary: 'x', reportedAt: '2026-03-15T09:30:00' },
    });
    expect(sent.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', reason: 'MALFORMED_DATETIME', argument: '$in.reportedAt' }]);
    expect(sent.errors![0].message).toBe('Variable "$in.reportedAt": DateTime has no offset: write the instant with one, e.g. 2026-03-15T09:30:00+08:00 (got "2026-03-15…")');
  });

  it('a valid DateTime still passes, with any explicit offset', async () => {
    for (const t of ['2026-03-15T09:30:00+08:00', '2026-03-15T01:30:00Z', '2026-03-15t01:30:00.123z']) {
      const res = await hub.gql(`query($t: DateTime!) { case(id: "1") { anyDeadlineMissed(asOf: $t) } }`, { t });
      expect((res.errors ?? []).map((e) => e.extensions?.reason)).not.toContain('MALFORMED_DATETIME');
    }
  });
});

it('builds no error for an instant it accepts', () => {
  const instant = scalarResolvers.DateTime as GraphQLScalarType;
  const traces = jest.spyOn(Error, 'captureStackTrace');
  try {
    expect((instant.parseValue('2026-03-15T09:30:00+08:00') as Date).toISOString()).toBe('2026-03-15T01:30:00.000Z');
    expect((instant.parseLiteral({ kind: Kind.STRING, value: '2026-03-15T01:30:00Z' }) as Date).toISOString()).toBe('2026-03-15T01:30:00.000Z');
    expect(traces).not.toHaveBeenCalled();
  } finally {
    traces.mockRestore();
  }
});
