/**
 * A charity-linkage scenario on a private hub: the Wang household (scenarios.ts) with a case whose
 * grandmother is in hospital, a consent covering health data, a Rencheng civil-affairs caseworker and
 * registered charity organisations, one client each, under the names given.
 */
import { createTestDatabases, type TestDatabases } from './databases';
import { caseOpened } from './cases';
import { startTestHub, type TestHub } from './hub';
import { okPayload } from './payloads';
import { insertRegions, insertWang } from './scenarios';

export interface CharityScenario<K extends string> {
  dbs: TestDatabases;
  hub: TestHub;
  office: ReturnType<TestHub['as']>;
  /** The office's client's token (to act with another purpose). */
  officeToken: string;
  charities: Record<K, ReturnType<TestHub['as']>>;
  caseId: string;
  consentId: string;
  householdId: number;
}

/**
 * Starts it: `organisations` maps each charity's key to its credit code and registered name; its
 * client is named `charity-<key>` (`clientPrefix`-<key> when given), the office's `officeClient`.
 */
export async function startCharityScenario<K extends string>(
  database: string,
  o: { clock: () => Date; officeClient: string; clientPrefix?: string; organisations: Record<K, { creditCode: string; name: string }>; hub?: Omit<Parameters<typeof startTestHub>[1], 'clock'> },
): Promise<CharityScenario<K>> {
  const dbs = await createTestDatabases(database);
  await insertRegions(dbs);
  const householdId = await insertWang(dbs);
  const hub = await startTestHub(dbs, { ...o.hub, clock: o.clock });
  const worker = await hub.createClient({ name: o.officeClient, department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['CASEWORKER'] });
  const office = hub.as({ token: worker.token, purpose: 'CHARITY_LINKAGE' });
  const charities = {} as Record<K, ReturnType<TestHub['as']>>;
  for (const [who, org] of Object.entries(o.organisations) as [K, { creditCode: string; name: string }][]) {
    const c = await hub.createClient({ name: `${o.clientPrefix ?? 'charity'}-${who}`, department: 'CHARITY', regionScope: '370811', roles: ['CHARITY'] });
    charities[who] = hub.as({ token: c.token, purpose: 'CHARITY_LINKAGE' });
    await okPayload(charities[who].gql, `mutation($input: CharityOrganisationRegisterInput!) { charityOrganisationRegister(input: $input) { userErrors { code } } }`, { input: org }, 'charityOrganisationRegister');
  }
  const caseId = await caseOpened(hub.as({ token: worker.token, purpose: 'ELIGIBILITY_REVIEW' }).gql, householdId, '户主之母住院，自付费用较高', '2026-03-10T09:00:00+08:00');
  const consent = await okPayload(
    office.gql,
    `mutation($input: CharityConsentRecordInput!) { charityConsentRecord(input: $input) { consent { id } userErrors { code } } }`,
    { input: { householdId: String(householdId), scopes: ['NEED_PUBLICATION', 'HEALTH_DATA'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042' } },
    'charityConsentRecord',
  );
  return { dbs, hub, office, officeToken: worker.token, charities, caseId, consentId: consent.consent.id, householdId };
}
