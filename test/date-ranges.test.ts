/**
 * Every Date and DateTime argument of the schema, found from the SDL (so an argument added later is
 * covered without a line here), is held to its range before its resolver runs, and the refusal
 * names the argument's path and the range.
 */
import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLError, isObjectType, type GraphQLSchema } from 'graphql';
import { DATE_RANGE, dateInRange, INSTANT_RANGE, instantInRange } from '../domain/date-ranges';
import { applyDateRanges, dateArguments } from '../resolvers/date-ranges';
import { loadTypeDefs, resolvers } from '../resolvers/index';

describe('the ranges', () => {
  it.each([
    ['1900-01-01', true],
    ['2099-12-31', true],
    ['1899-12-31', false],
    ['2100-01-01', false],
    ['0000-01-01', false],
    ['9999-12-31', false],
  ])('date %s in range: %s', (date, expected) => {
    expect(dateInRange(date)).toBe(expected);
  });

  it.each([
    ['2000-01-01T00:00:00+08:00', true],
    ['1999-12-31T16:00:00Z', true],
    ['1999-12-31T15:59:59.999Z', false],
    ['2099-12-31T23:59:59.999+08:00', true],
    ['2099-12-31T16:00:00Z', false],
    ['0001-01-01T00:00:00Z', false],
    ['9999-12-31T00:00:00Z', false],
  ])('instant %s in range: %s', (instant, expected) => {
    expect(instantInRange(new Date(instant))).toBe(expected);
  });

  it('refuses an invalid instant', () => {
    expect(instantInRange(new Date(NaN))).toBe(false);
  });
});

describe('every date argument of the schema', () => {
  const schema: GraphQLSchema = applyDateRanges(
    makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers, resolverValidationOptions: { requireResolversToMatchSchema: 'error', requireResolversForResolveType: 'error' } }),
  );
  const args = dateArguments(schema);

  /** `{ input: { reportedAt: value } }` from `input.reportedAt`. */
  function argsAt(path: string, value: unknown): Record<string, unknown> {
    return path
      .split('.')
      .reverse()
      .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
  }

  function call(argument: string, value: unknown): unknown {
    const m = /^(\w+)\.(\w+)\(([\w.]+): (\w+)\)$/.exec(argument)!;
    const type = schema.getType(m[1]);
    if (!isObjectType(type)) throw new Error(argument);
    const field = type.getFields()[m[2]];
    try {
      // The check runs first; what the resolver does after it (without a context) does not matter here.
      const result = field.resolve!({}, argsAt(m[3], value), {} as never, {} as never);
      if (result && typeof (result as Promise<unknown>).catch === 'function') (result as Promise<unknown>).catch(() => undefined);
      return result;
    } catch (err) {
      return err;
    }
  }

  it('are found in every schema file that has them', () => {
    expect(args).toEqual(
      expect.arrayContaining([
        'Query.overdueReport(asOf: DateTime)',
        'Case.deadlines(asOf: DateTime)',
        'Household.aid(from: Date)',
        'Person.aid(to: Date)',
        'Query.preGrantCheck(input.periodStart: ProposedDate)',
        'Mutation.caseOpen(input.reportedAt: DateTime)',
        'Mutation.meetingRecord(input.heldOn: Date)',
      ]),
    );
    expect(args.length).toBeGreaterThanOrEqual(22);
  });

  it('refuse a value outside the range, naming the argument and the range', () => {
    const wrong: string[] = [];
    for (const argument of args) {
      const isDate = /: (Proposed)?Date\)$/.test(argument);
      const path = /\(([\w.]+):/.exec(argument)![1];
      const range = isDate ? DATE_RANGE : INSTANT_RANGE;
      for (const bad of isDate ? ['0000-01-01', '1899-12-31', '2100-01-01', '9999-12-31'] : ['0001-01-01T00:00:00Z', '1999-12-31T15:59:59.999Z', '2100-01-01T00:00:00+08:00', '9999-12-31T00:00:00Z']) {
        const err = call(argument, isDate ? bad : new Date(bad));
        const ext = err instanceof GraphQLError ? err.extensions : null;
        if (!ext || ext.code !== 'BAD_USER_INPUT' || ext.reason !== 'OUT_OF_RANGE' || ext.argument !== path || ext.min !== range.min || ext.max !== range.max) wrong.push(`${argument} = ${bad}: ${String(err)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('let the ends of the range through', () => {
    const wrong: string[] = [];
    for (const argument of args) {
      const isDate = /: (Proposed)?Date\)$/.test(argument);
      for (const good of isDate ? [DATE_RANGE.min, DATE_RANGE.max] : [INSTANT_RANGE.min, INSTANT_RANGE.max]) {
        const err = call(argument, isDate ? good : new Date(good));
        if (err instanceof GraphQLError && err.extensions.reason === 'OUT_OF_RANGE') wrong.push(`${argument} = ${good}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
