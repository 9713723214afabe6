/** A region scan through the API, for tests that compare its findings with what a household shows. */
import type { TestHub } from './hub';

/**
 * Starts a scan of `regionCode` as a monitoring caller and follows it to its end; expects it to
 * have SUCCEEDED and returns it, with its first 100 findings' nodes selected by `findingFields`.
 */
export async function scanToEnd(hub: TestHub, regionCode: string, findingFields: string): Promise<any> {
  const monitoring = hub.as({ purpose: 'MONITORING' });
  const started = await monitoring.gql(`mutation($input: ScanStartInput!) { scanStart(input: $input) { scan { id } userErrors { code } } }`, { input: { regionCode } });
  expect(started.data.scanStart.userErrors).toEqual([]);
  const id = started.data.scanStart.scan.id;
  let scan: any;
  for (let i = 0; i < 600; i++) {
    scan = (await monitoring.gql(`query($id: ID!) { scan(id: $id) { state failure findings(first: 100) { edges { node { ${findingFields} } } } } }`, { id })).data.scan;
    if (scan.state !== 'RUNNING') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect([scan.state, scan.failure]).toEqual(['SUCCEEDED', null]);
  return scan;
}

/** A scan of `regionCode` to its end, each finding as its rule, household and records' references (sorted). */
export async function scanFindings(hub: TestHub, regionCode: string): Promise<{ rule: string; household: number; records: string[] }[]> {
  const scan = await scanToEnd(hub, regionCode, 'rule { id } household { id } records { sourceReference }');
  return scan.findings.edges.map((e: any) => ({ rule: e.node.rule.id, household: Number(e.node.household?.id), records: e.node.records.map((r: any) => r.sourceReference).sort() }));
}
