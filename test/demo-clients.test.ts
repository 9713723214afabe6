/**
 * The demo's clients (access/demo-clients.ts) cover every federated department: its city-wide
 * bureau (AIDHUB_TOKEN_<DEPT>) and an office in each demo county (AIDHUB_TOKEN_<county>_<DEPT>),
 * each answering referral slips. The list was written out by hand, so a department added as the
 * README says ("Adding a department") had no client: a slip sent to it in the demo had nobody to
 * answer it, and `source .data/demo-clients.env` gave no token for it (人社 got its own only in a
 * later commit). No database: the list is data.
 */
import { DEMO_CLIENTS } from '../access/demo-clients';
import { DEPARTMENT_CODES, DEPARTMENT_NAMES, HUB_LEDGER_SOURCES } from '../domain/departments';

const FEDERATED = DEPARTMENT_CODES.filter((d) => !HUB_LEDGER_SOURCES.includes(d));
const SLIP_HANDLERS = FEDERATED.filter((d) => d !== 'CIVIL_AFFAIRS');
const DEMO_COUNTIES = ['370811', '370883'];

test('every federated department has a city-wide demo client', () => {
  const cityWide = FEDERATED.map((d) => DEMO_CLIENTS.find((c) => c.variable === `AIDHUB_TOKEN_${d}`));
  expect(cityWide.map((c) => c && { department: c.department, regionScope: c.regionScope })).toEqual(FEDERATED.map((d) => ({ department: d, regionScope: '370800' })));
});

test('every federated department but civil affairs answers slips, city-wide and in each demo county', () => {
  const handlers = (scope: string) => DEMO_CLIENTS.filter((c) => c.regionScope === scope && c.roles.includes('REFERRAL_HANDLER') && FEDERATED.includes(c.department as never)).map((c) => c.department);
  expect(handlers('370800')).toEqual(SLIP_HANDLERS);
  for (const county of DEMO_COUNTIES) expect({ county, handlers: handlers(county) }).toEqual({ county, handlers: SLIP_HANDLERS });
});

test('a city-wide bureau is named after its department', () => {
  for (const d of SLIP_HANDLERS) expect(DEMO_CLIENTS.find((c) => c.variable === `AIDHUB_TOKEN_${d}`)?.note).toBe(`济宁市${DEPARTMENT_NAMES[d]}`);
});

test('client names and token variables are unique', () => {
  expect(new Set(DEMO_CLIENTS.map((c) => c.name)).size).toBe(DEMO_CLIENTS.length);
  expect(new Set(DEMO_CLIENTS.map((c) => c.variable)).size).toBe(DEMO_CLIENTS.length);
});
