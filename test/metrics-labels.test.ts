/**
 * The labels of /metrics hold no personal data: an operation name is the caller's to choose, and a
 * department system naming its queries after the person asked about put that person's ID number in
 * every scrape (metrics are not audited and go to the monitoring system).
 */
import { HubMetrics, OPERATION_LABELS_MAX } from '../server/metrics';

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
