/**
 * Demo clients for `npm start` on its private database: one per department city-wide, the county
 * offices of 任城区 and 邹城市, a township officer, an auditor, the city's supervision office (督查),
 * an administrator and a charity's two (reporting, linkage). Their tokens go to a git-ignored
 * file (mode 600) that a shell can `source`; tokens still valid from an earlier start are kept, so
 * saved commands keep working.
 */
import fs from 'node:fs';
import path from 'node:path';
import { hubDbOf, type AccessDb } from '../db/access/db';
import { lockingTransaction, type LockingTx } from '../db/locking';
import { createdOperation, operatorOf, recordAdministration, rotatedOperation, type AdministeredClient } from './admin-audit';
import { registerCharity } from '../db/reported-aid/store';
import { departmentOfficeName } from '../domain/cases/offices';
import { DEPARTMENT_CODES, DEPARTMENT_NAMES, HUB_LEDGER_SOURCES, type OfficeCode as DepartmentCode } from '../domain/departments';
import { REGION_BY_CODE } from '../domain/regions';
import { ClientSpecError, clientExists, createClient, rotateClient, setClientRoles, tokenIsCurrent } from './clients';
import type { Role } from './policy';

export interface DemoClient {
  /** Shell variable the token is written to. */
  variable: string;
  name: string;
  department: DepartmentCode;
  regionScope: string;
  roles: Role[];
  note: string;
  /** A charity client: its organisation (统一社会信用代码, name). */
  charity?: { creditCode: string; name: string };
}

/**
 * The offices that answer referral slips (REFERRAL_HANDLER), each in every county: the federated
 * departments, and the government bodies that report their aid (应急, 司法, 共青团, 妇联, 红十字),
 * which complete a decision with the aid they reported (DEPARTMENT_WRITER: aidReport). The
 * federated ones are every source but civil affairs (which convenes) and the hub's own ledger, read
 * from the department list, so a department added to it (README, "Adding a department") gets its
 * demo clients without an edit here.
 */
const SLIP_DEPARTMENTS: readonly DepartmentCode[] = DEPARTMENT_CODES.filter((d) => d !== 'CIVIL_AFFAIRS' && !HUB_LEDGER_SOURCES.includes(d));
const SLIP_REPORTERS: readonly DepartmentCode[] = ['EMERGENCY_MANAGEMENT', 'JUSTICE', 'YOUTH_LEAGUE', 'WOMENS_FEDERATION', 'RED_CROSS'];
const SLIP_ROLES: Role[] = ['READER', 'DEPARTMENT_WRITER', 'REFERRAL_HANDLER'];

/** HUMAN_RESOURCES → human-resources, as client names spell a department. */
function kebab(department: DepartmentCode): string {
  return department.toLowerCase().replace(/_/g, '-');
}

/** A federated department's city-wide bureau (济宁市教育局 …): reads, writes, answers slips in every county. */
function cityDepartment(department: DepartmentCode): DemoClient {
  return { variable: `AIDHUB_TOKEN_${department}`, name: `demo-${kebab(department)}`, department, regionScope: '370800', roles: SLIP_ROLES, note: `济宁市${DEPARTMENT_NAMES[department]}` };
}

/** A county office's name: 任城区医疗保障局, 任城区司法局, 共青团任城区委. */
function countyOfficeName(department: DepartmentCode, countyName: string): string {
  return departmentOfficeName({ kind: 'DEPARTMENT', key: department, department }, countyName)!;
}

/**
 * One county's offices (issue 12: each county has its own civil affairs, health, education …
 * offices): its civil affairs bureau, which opens cases and convenes 一事一议 for the county's
 * households, and each department that answers slips, which reads and answers the slips of cases
 * in its county only. Variables are AIDHUB_TOKEN_<county code>_<department>.
 */
function countyOffices(countyCode: string, countyName: string): DemoClient[] {
  const office = (department: DepartmentCode, roles: Role[], note: string): DemoClient => ({
    variable: `AIDHUB_TOKEN_${countyCode}_${department}`,
    name: `demo-${countyCode}-${kebab(department)}`,
    department,
    regionScope: countyCode,
    roles,
    note,
  });
  return [
    office('CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], `${countyName}民政局: the county's cases and meetings (一事一议)`),
    ...SLIP_DEPARTMENTS.map((department) => office(department, SLIP_ROLES, `${countyOfficeName(department, countyName)}: the county's slips`)),
    ...SLIP_REPORTERS.map((department) => office(department, SLIP_ROLES, `${countyOfficeName(department, countyName)}: the county's slips, answered with the aid it reports (aidReport)`)),
  ];
}

export const DEMO_CLIENTS: readonly DemoClient[] = [
  { variable: 'AIDHUB_TOKEN_CIVIL_AFFAIRS', name: 'demo-civil-affairs', department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['READER', 'CASEWORKER', 'MEETING_CONVENER'], note: '济宁市民政局: city-wide, cases and meetings in every county (supervises the counties)' },
  ...SLIP_DEPARTMENTS.map(cityDepartment),
  { variable: 'AIDHUB_TOKEN_TOWNSHIP', name: 'demo-township-guhuai', department: 'CIVIL_AFFAIRS', regionScope: '370811001', roles: ['READER', 'CASEWORKER'], note: '任城区古槐街道 township officer: sees only its township in full' },
  { variable: 'AIDHUB_TOKEN_AUDITOR', name: 'demo-auditor', department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['AUDITOR'], note: 'reads the audit trail (accessLog), no household data' },
  { variable: 'AIDHUB_TOKEN_SUPERVISOR', name: 'demo-supervision', department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['SUPERVISOR'], note: '济宁市民政局督查室 (督查督办): reads cases, slips, overdueReport, the meeting brief and any office’s desk in every county (purpose SUPERVISION); changes nothing, ID numbers masked, no health detail' },
  // Reporters (schema/reported-aid.graphql): an office without a front-end database, and a charity.
  // A reporting office answers the slips of every county as the city-wide bureaus do.
  { variable: 'AIDHUB_TOKEN_EMERGENCY', name: 'demo-emergency', department: 'EMERGENCY_MANAGEMENT', regionScope: '370800', roles: SLIP_ROLES, note: '济宁市应急管理局: reports 受灾人员过渡期生活救助 and 冬春救助 (aidReport); answers slips' },
  { variable: 'AIDHUB_TOKEN_CHARITY', name: 'demo-charity', department: 'CHARITY', regionScope: '370800', roles: ['DEPARTMENT_WRITER'], note: '济宁市慈善总会 (统一社会信用代码 53370800MJD12345XD): reports 慈善医疗救助, 慈善助学, 济时救 99 公益日 (aidReport)', charity: { creditCode: '53370800MJD12345XD', name: '济宁市慈善总会' } },
  { variable: 'AIDHUB_TOKEN_JUSTICE', name: 'demo-justice', department: 'JUSTICE', regionScope: '370800', roles: SLIP_ROLES, note: '济宁市司法局: reports 法律援助; answers slips' },
  { variable: 'AIDHUB_TOKEN_YOUTH_LEAGUE', name: 'demo-youth-league', department: 'YOUTH_LEAGUE', regionScope: '370800', roles: SLIP_ROLES, note: '共青团济宁市委: reports 希望工程助学; answers slips' },
  { variable: 'AIDHUB_TOKEN_WOMENS_FEDERATION', name: 'demo-womens-federation', department: 'WOMENS_FEDERATION', regionScope: '370800', roles: SLIP_ROLES, note: '济宁市妇联: reports 春蕾计划, "两癌"救助; answers slips' },
  { variable: 'AIDHUB_TOKEN_RED_CROSS', name: 'demo-red-cross', department: 'RED_CROSS', regionScope: '370800', roles: SLIP_ROLES, note: '济宁市红十字会: reports 红十字人道救助, 大病救助; answers slips' },
  { variable: 'AIDHUB_TOKEN_ADMIN', name: 'demo-admin', department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['ADMINISTRATOR'], note: 'runs region-wide jobs (monitoring)' },
  // The same organisation's client for charity linkage (慈善衔接, schema/charity.graphql).
  { variable: 'AIDHUB_TOKEN_CHARITY_LINKAGE', name: 'demo-charity-linkage', department: 'CHARITY', regionScope: '370800', roles: ['CHARITY'], note: '济宁市慈善总会 as a charity-linkage client: open needs in Jining, claims, pledges, deliveries', charity: { creditCode: '53370800MJD12345XD', name: '济宁市慈善总会' } },
  ...countyOffices('370811', '任城区'),
  ...countyOffices('370883', '邹城市'),
];

/**
 * What `npm start` says it made, read from the list itself: it printed "one per department, a
 * township officer, an auditor" while the list also held the county offices (the tokens the
 * README's loop uses), an administrator and a charity's clients.
 */
export function demoClientsSummary(clients: readonly DemoClient[] = DEMO_CLIENTS): string {
  const counties = [...new Set(clients.map((c) => REGION_BY_CODE.get(c.regionScope)).filter((r) => r?.level === 'COUNTY').map((r) => r!.name))];
  const has = (test: (c: DemoClient) => boolean) => clients.some(test);
  return [
    'one per department city-wide',
    counties.length > 0 ? `the county offices of ${counties.join(' and ')}` : null,
    has((c) => REGION_BY_CODE.get(c.regionScope)?.level === 'TOWNSHIP') ? 'a township officer' : null,
    has((c) => c.roles.includes('AUDITOR')) ? 'an auditor' : null,
    has((c) => c.roles.includes('SUPERVISOR')) ? 'a supervision office' : null,
    has((c) => c.roles.includes('ADMINISTRATOR')) ? 'an administrator' : null,
    has((c) => c.department === 'CHARITY') ? 'a charity' : null,
  ].filter((part): part is string => part !== null).join(', ');
}

function readTokens(file: string): Map<string, string> {
  const tokens = new Map<string, string>();
  if (!fs.existsSync(file)) return tokens;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^(?:export )?([A-Z][A-Z0-9_]*)=(\S+)$/.exec(line.trim());
    if (m) tokens.set(m[1], m[2]);
  }
  return tokens;
}

/** Makes sure every demo client exists with a token in `file`; returns the tokens by variable. */
export async function ensureDemoClients(db: AccessDb, file: string): Promise<Map<string, string>> {
  const known = readTokens(file);
  const tokens = new Map<string, string>();
  // Each change to a client is an ADMIN entry in its transaction, as `npm run clients` writes it,
  // naming as operator the account and host the hub runs as (the tools' default without --by).
  const { operator } = operatorOf(undefined) as { operator: string };
  const audited = <T>(change: (tx: LockingTx, record: (client: AdministeredClient, operation: string) => Promise<void>) => Promise<T>) =>
    lockingTransaction(hubDbOf(db), (tx) => change(tx, (client, operation) => recordAdministration(tx, operator, client, operation)));
  for (const c of DEMO_CLIENTS) {
    if (c.charity) await registerCharity(db, c.name, c.charity.creditCode, c.charity.name);
    // A demo client made by an older hub gets the roles the demo has now (answering slips).
    if (await clientExists(db, c.name))
      await audited((tx, record) => setClientRoles(tx, c.name, c.roles, (was) => record(was, `clients roles ${[...new Set(c.roles)].join(',')}`))).catch((err) => {
        if (!(err instanceof ClientSpecError)) throw err;
      });
    const kept = known.get(c.variable);
    if (kept && (await tokenIsCurrent(db, c.name, kept))) {
      tokens.set(c.variable, kept);
      continue;
    }
    try {
      const { token } = (await clientExists(db, c.name))
        ? await audited(async (tx, record) => {
            const made = await rotateClient(tx, c.name, null);
            await record(made.client, rotatedOperation(null));
            return made;
          })
        : await audited(async (tx, record) => {
            const made = await createClient(tx, c);
            await record(made.client, createdOperation(made.client));
            return made;
          });
      tokens.set(c.variable, token);
    } catch (err) {
      // Revoked by hand: it stays revoked.
      if (!(err instanceof ClientSpecError)) throw err;
    }
  }
  const lines = [
    '# AidHub demo API clients, written by `npm start` (git-ignored). These tokens are secrets.',
    // The file's own place: beside the private server's data directory, wherever AIDHUB_DATA_DIR put it.
    `# Use:  source ${path.resolve(file)}`,
    '#       curl … -H "authorization: Bearer $AIDHUB_TOKEN_CIVIL_AFFAIRS" -H "x-purpose: ELIGIBILITY_REVIEW"',
    '',
  ];
  for (const c of DEMO_CLIENTS) {
    lines.push(`# ${c.name}: ${c.department}, scope ${c.regionScope}, roles ${c.roles.join(',')}. ${c.note}`);
    const token = tokens.get(c.variable);
    lines.push(token ? `export ${c.variable}=${token}` : `# (revoked; create a new client with npm run clients -- create)`);
  }
  // With DATABASE_URL the file goes to the checkout's .data/, which only a private server made:
  // on a fresh checkout `AIDHUB_DEMO=1 npm start` loaded the demo and then ended in ENOENT.
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return tokens;
}
