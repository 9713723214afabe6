/**
 * The sources the hub reads aid from: the offices whose front-end databases it federates, and
 * REPORTED, the hub's own ledger of aid reported directly by offices and charities that have no
 * front-end database (schema/reported-aid.graphql). Every source has an adapter in the registry
 * (federation/registry.ts) and its own `sources` entry.
 */
export const DEPARTMENT_CODES = ['CIVIL_AFFAIRS', 'EDUCATION', 'HOUSING', 'HEALTH', 'UNION', 'DISABILITY', 'HUMAN_RESOURCES', 'REPORTED'] as const;
export type DepartmentCode = (typeof DEPARTMENT_CODES)[number];

/**
 * Sources that live in the hub's own database rather than a front-end database of their own: their
 * URL defaults to the hub's, and their tables are migrated with the hub's (db/setup/provision.ts).
 */
export const HUB_LEDGER_SOURCES: readonly DepartmentCode[] = ['REPORTED'];

/**
 * Givers of aid that report it to the hub (救前查询、救后录入、定期反馈) instead of being federated:
 * offices of non-federated departments, and charities (each identified by its 统一社会信用代码).
 * Their records come through the REPORTED source, marked with the reporter.
 */
export const REPORTER_CODES = ['EMERGENCY_MANAGEMENT', 'JUSTICE', 'YOUTH_LEAGUE', 'WOMENS_FEDERATION', 'RED_CROSS', 'CHARITY'] as const;
export type ReporterCode = (typeof REPORTER_CODES)[number];

/** Whoever runs a programme or holds a client: a federated department or a reporter. */
export type OfficeCode = DepartmentCode | ReporterCode;
export const OFFICE_CODES: readonly OfficeCode[] = [...DEPARTMENT_CODES, ...REPORTER_CODES];

/**
 * The offices a client may belong to: every office code but the hub's own ledgers (REPORTED, the
 * ledger of aid reported directly). A client of the ledger would be no office: it may not report
 * aid (only the reporting offices do), receives no slip and attends no meeting, so `--department
 * REPORTED` was a client of nothing, accepted in silence.
 */
export const CLIENT_OFFICE_CODES: readonly OfficeCode[] = OFFICE_CODES.filter((c) => !(HUB_LEDGER_SOURCES as readonly string[]).includes(c));

export function isReporterCode(code: string): code is ReporterCode {
  return (REPORTER_CODES as readonly string[]).includes(code);
}

/**
 * Each office's stable number: stored findings keep the departments concerned as a bit mask
 * (1 << number), so a number is assigned once and never changes or is reused, whatever order the
 * list above is in. The first six are the positions they had when masks were first stored.
 */
export const DEPARTMENT_NUMBERS: Record<OfficeCode, number> = {
  CIVIL_AFFAIRS: 0,
  EDUCATION: 1,
  HOUSING: 2,
  HEALTH: 3,
  UNION: 4,
  DISABILITY: 5,
  HUMAN_RESOURCES: 6,
  REPORTED: 7,
  EMERGENCY_MANAGEMENT: 8,
  JUSTICE: 9,
  YOUTH_LEAGUE: 10,
  WOMENS_FEDERATION: 11,
  RED_CROSS: 12,
  CHARITY: 13,
};

export const DEPARTMENT_NAMES: Record<OfficeCode, string> = {
  CIVIL_AFFAIRS: '民政局',
  EDUCATION: '教育局',
  HOUSING: '住房和城乡建设局',
  HEALTH: '医疗保障局',
  UNION: '总工会',
  DISABILITY: '残疾人联合会',
  HUMAN_RESOURCES: '人力资源和社会保障局',
  REPORTED: '救助直报台账',
  EMERGENCY_MANAGEMENT: '应急管理局',
  JUSTICE: '司法局',
  YOUTH_LEAGUE: '共青团',
  WOMENS_FEDERATION: '妇女联合会',
  RED_CROSS: '红十字会',
  CHARITY: '慈善组织',
};

/** The source an office's records are read from: its own, or the ledger for a reporter. */
export function sourceOf(office: OfficeCode): DepartmentCode {
  return isReporterCode(office) ? 'REPORTED' : office;
}
