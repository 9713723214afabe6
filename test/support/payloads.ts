/**
 * Reading a mutation's payload in a test: its `userErrors` codes, or the payload itself once it is
 * known to have none (schema errors and user errors both fail the test there).
 */
import type { TestHub } from './hub';

type Gql = TestHub['gql'];

/** The payload's userErrors codes; the request itself must have no GraphQL errors. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function userErrorCodes(res: any, field: string): string[] {
  expect(res.errors).toBeUndefined();
  return res.data[field].userErrors.map((e: { code: string }) => e.code);
}

/** Runs a mutation that must succeed and returns its payload. */
export async function okPayload(gql: Gql, query: string, variables: Record<string, unknown>, field: string) {
  const res = await gql(query, variables);
  expect(res.errors).toBeUndefined();
  expect(res.data[field].userErrors).toEqual([]);
  return res.data[field];
}
