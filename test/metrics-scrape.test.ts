/**
 * /metrics on its own: the labels hold no personal data: an operation name is the caller's to choose, and a
 * department system naming its queries after the person asked about put that person's ID number in
 * every scrape (metrics are not audited and go to the monitoring system).
 */
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { HubMetrics, metricsHandler, OPERATION_LABELS_MAX } from '../server/metrics';
import { createPool, hubDrizzle } from '../db/connect';
import { freePort } from '../db/setup/private-server';

const ID_NUMBER = '370811199001011234';

it('keeps an operation name as its label', () => {
  const metrics = new HubMetrics(null);
  expect(metrics.operationLabel('HouseholdDossier')).toBe('HouseholdDossier');
  expect(metrics.operationLabel(undefined)).toBe('anonymous');
  expect(metrics.operationLabel('not a name!')).toBe('anonymous');
});

it.each([`household_${ID_NUMBER}`, `q${ID_NUMBER}`, 'lookup_370811_19900101_1234', `A${ID_NUMBER.slice(0, 17)}X`])('withholds an operation name that holds an ID number (%s)', async (name) => {
  const metrics = new HubMetrics(null);
  expect(metrics.operationLabel(name)).toBe('withheld');
  metrics.requests.inc({ operation: metrics.operationLabel(name), outcome: 'OK' });
  const text = await metrics.registry.metrics();
  expect(text).not.toContain('19900101');
  expect(text).toContain('operation="withheld"');
});

it('counts operation names past the first ones as other', () => {
  const metrics = new HubMetrics(null);
  for (let i = 0; i < OPERATION_LABELS_MAX; i++) expect(metrics.operationLabel(`Op${i}`)).toBe(`Op${i}`);
  expect(metrics.operationLabel('OneMore')).toBe('other');
});

describe('a scrape while the hub database does not answer', () => {
  // /metrics answered 500 (nothing at all) whenever the running scans could not be read: an
  // operator's dashboards went blank, process and source metrics with them, just when the
  // database was down.
  it('still serves every other metric, without the scans', async () => {
    const port = await freePort();
    const pool = createPool(`mysql://root@127.0.0.1:${port}/aidhub`, { deadlineMs: 2_000 });
    const metrics = new HubMetrics(hubDrizzle(pool));
    metrics.requests.inc({ operation: 'HouseholdDossier', outcome: 'OK' });
    const server = http.createServer(metricsHandler(metrics, null));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      const body = await res.text();
      expect(res.status).toBe(200);
      expect(body).toContain('aidhub_graphql_requests_total{operation="HouseholdDossier",outcome="OK"} 1');
      expect(body).not.toMatch(/^aidhub_scan_households\{/m);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    }
  }, 60_000);
});
