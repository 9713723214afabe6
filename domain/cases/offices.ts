/**
 * Offices that own cases and send and receive referral slips: a county department (民政局, 医保局 …)
 * or a township (乡镇街道) office, which is where most matters are first received (seed 000:
 * 乡镇（街道）“一门受理、协同办理”). Stored as one short key: the DepartmentCode, or the township's
 * 9-digit division code.
 */
import { DEPARTMENT_CODES, DEPARTMENT_NAMES, HUB_LEDGER_SOURCES, type DepartmentCode } from '../departments';

export type OfficeKey = string;

/**
 * A department's office is that of a county (任城区医保局, 邹城市医保局 …): the key names the
 * department, the county is the case's (its household's), known where a case is (`countyCode`).
 */
export type Office = { kind: 'DEPARTMENT'; key: OfficeKey; department: DepartmentCode; countyCode?: string } | { kind: 'TOWNSHIP'; key: OfficeKey; townshipCode: string };

const DEPARTMENTS = new Set<string>(DEPARTMENT_CODES);

export function departmentOffice(department: DepartmentCode): OfficeKey {
  return department;
}

export function townshipOffice(townshipCode: string): OfficeKey {
  if (!/^\d{9}$/.test(townshipCode)) throw new RangeError('a township office is named by a 9-digit division code');
  return townshipCode;
}

/** Null when the key names no office. */
export function parseOffice(key: string): Office | null {
  if (DEPARTMENTS.has(key)) return { kind: 'DEPARTMENT', key, department: key as DepartmentCode };
  if (/^\d{9}$/.test(key)) return { kind: 'TOWNSHIP', key, townshipCode: key };
  return null;
}

/** A department's name, or null for a township (whose name comes from the region table). */
export function departmentOfficeName(office: Office): string | null {
  return office.kind === 'DEPARTMENT' ? DEPARTMENT_NAMES[office.department] : null;
}

/** The township a household's division code lies in (its first 9 digits). */
export function townshipOf(regionCode: string): string {
  return regionCode.slice(0, 9).padEnd(9, '0');
}

/** The county (区县) of a division code: its first 6 digits. */
export function countyOf(divisionCode: string): string {
  return divisionCode.slice(0, 6);
}

/** The office as acting in the county of a case's township: a department's office of that county. */
export function officeInCounty(office: Office, townshipCode: string): Office {
  return office.kind === 'DEPARTMENT' ? { ...office, countyCode: countyOf(townshipCode) } : office;
}

/**
 * The departments whose county offices receive slips and meetings' decisions, and answer them with
 * their own clients: the federated departments. Not REPORTED, the hub's own ledger, nor the offices
 * and charities that report aid (司法, 应急, 慈善 …): no office of theirs answers a slip, so a slip
 * to one would wait for feedback for ever and its case could never close (件件有落实、有反馈).
 */
export const RECEIVING_DEPARTMENTS: readonly DepartmentCode[] = DEPARTMENT_CODES.filter((d) => !HUB_LEDGER_SOURCES.includes(d));

export function isReceivingDepartment(code: string): boolean {
  return (RECEIVING_DEPARTMENTS as readonly string[]).includes(code);
}

export type ReceivingOfficeRefusal = 'UNKNOWN_OFFICE' | 'OFFICE_OUT_OF_COUNTY';

/**
 * Why an office cannot receive a slip of a case in `caseTownshipCode`, or null: a department that
 * answers no slips, a township that is not one (`townshipKnown`: the region table lists it as a
 * township), or a township of another county, whose officers cannot reach the case's household.
 */
export function receivingOfficeRefusal(key: OfficeKey, caseTownshipCode: string, townshipKnown: boolean): ReceivingOfficeRefusal | null {
  const office = parseOffice(key);
  if (!office) return 'UNKNOWN_OFFICE';
  if (office.kind === 'DEPARTMENT') return isReceivingDepartment(office.department) ? null : 'UNKNOWN_OFFICE';
  if (!townshipKnown) return 'UNKNOWN_OFFICE';
  return countyOf(office.townshipCode) === countyOf(caseTownshipCode) ? null : 'OFFICE_OUT_OF_COUNTY';
}
