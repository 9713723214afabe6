/**
 * Offices that own cases and send and receive referral slips: a county department (民政局, 医保局 …),
 * the county office of a government body that reports its aid to the hub instead of being federated
 * (司法局, 应急管理局, 共青团区委, 妇联, 红十字会: 一事一议 decides their aid too, "各部门根据职责分别
 * 予以救助"), or a township (乡镇街道) office, which is where most matters are first received (seed 000:
 * 乡镇（街道）“一门受理、协同办理”). Stored as one short key: the office's code, or the township's
 * 9-digit division code.
 */
import { DEPARTMENT_CODES, DEPARTMENT_NAMES, HUB_LEDGER_SOURCES, OFFICE_CODES, REPORTER_CODES, type OfficeCode } from '../departments';

export type OfficeKey = string;

/**
 * How many characters every column that keeps an office key holds (cases, slips, meetings, case
 * events, alerts and their events, clients, the audit trail, findings, the reported-aid ledger).
 * The longest key today is an office code (EMERGENCY_MANAGEMENT, 20); a township's is 9 digits.
 * test/office-keys.test.ts checks every such column of the migrated hub database against it.
 */
export const OFFICE_KEY_MAX_LENGTH = 24;

/**
 * A department's office is that of a county (任城区医保局, 邹城市司法局 …): the key names the
 * department, the county is the case's (its household's), known where a case is (`countyCode`).
 * UNKNOWN is a stored key no office maps (a slip an older hub wrote to an office it could not
 * answer for): it is read and shown as such, never refused at read time.
 */
export type Office =
  | { kind: 'DEPARTMENT'; key: OfficeKey; department: OfficeCode; countyCode?: string }
  | { kind: 'TOWNSHIP'; key: OfficeKey; townshipCode: string }
  | { kind: 'UNKNOWN'; key: OfficeKey };

/** How an office no key maps is named wherever an office is shown (the API's Office.name, the brief). */
export const UNKNOWN_OFFICE_NAME = '未知单位';

const OFFICES = new Set<string>(OFFICE_CODES);

export function departmentOffice(department: OfficeCode): OfficeKey {
  return department;
}

export function townshipOffice(townshipCode: string): OfficeKey {
  if (!/^\d{9}$/.test(townshipCode)) throw new RangeError('a township office is named by a 9-digit division code');
  return townshipCode;
}

/**
 * The office an API client acts for, and whose inbox it reads (referralsToOffice): its township
 * when scoped to one (a township officer of civil affairs is 古槐街道, not 任城区民政局), else its
 * department's office. A slip's reminders go to the subscriptions of the office it is addressed to
 * by the same rule (db/alert-delivery/outbox.ts remindedBy), and an alert's caller and subscriber its
 * office (domain/monitoring/alerts.ts alertCallerOf).
 */
export function officeOfClient(client: { regionScope: string; department: string }): OfficeKey {
  return /^\d{9}$/.test(client.regionScope) ? client.regionScope : client.department;
}

/** Null when the key names no office. */
export function parseOffice(key: string): Exclude<Office, { kind: 'UNKNOWN' }> | null {
  if (OFFICES.has(key)) return { kind: 'DEPARTMENT', key, department: key as OfficeCode };
  if (/^\d{9}$/.test(key)) return { kind: 'TOWNSHIP', key, townshipCode: key };
  return null;
}

/**
 * What an OWNER_CHANGED event of a case's history records (an accepted hand-over slip, a forward to
 * the county for approval): the office handing the case on and the one taking it, as facts of their
 * own (case_event.from_office, to_office: what supervision and the history page read), and the reason
 * for people, the two office keys `370811001 → CIVIL_AFFAIRS`, which may be reworded without changing
 * what the event reads as.
 */
export function ownerChange(from: OfficeKey, to: OfficeKey): { fromOffice: OfficeKey; toOffice: OfficeKey; reason: string } {
  return { fromOffice: from, toOffice: to, reason: ownerChangeReason(from, to) };
}

/** The reason an OWNER_CHANGED event carries (ownerChange), as every release has written it. */
export function ownerChangeReason(from: OfficeKey, to: OfficeKey): string {
  return `${from} → ${to}`;
}

/**
 * The two offices of a reason ownerChangeReason wrote; null for any other text. Read once, by the
 * data upgrade that fills the columns of the events recorded before them (db/setup/upgrades.ts
 * OWNER_CHANGE_OFFICES), and by the brief for a meeting's snapshot of the history stored before
 * them: no reader of the case's events takes the offices from the words.
 */
export function ownerChangeOf(reason: string | null): { from: OfficeKey; to: OfficeKey } | null {
  const owners = /^(\S+) → (\S+)$/.exec(reason ?? '');
  return owners ? { from: owners[1], to: owners[2] } : null;
}

/** A stored key as an office, UNKNOWN when it names none: reading stored rows never fails on a key. */
export function storedOffice(key: string): Office {
  return parseOffice(key) ?? { kind: 'UNKNOWN', key };
}

/**
 * A department's name, or null for a township (whose name comes from the region table). With the
 * county's name, the county office's own: 任城区司法局, 邹城市医疗保障局; the youth league's county
 * body is 共青团任城区委.
 */
export function departmentOfficeName(office: Office, countyName: string | null = null): string | null {
  if (office.kind === 'UNKNOWN') return UNKNOWN_OFFICE_NAME;
  if (office.kind !== 'DEPARTMENT') return null;
  if (countyName === null) return DEPARTMENT_NAMES[office.department];
  return office.department === 'YOUTH_LEAGUE' ? `共青团${countyName}委` : `${countyName}${DEPARTMENT_NAMES[office.department]}`;
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
 * A stored key as the office of a matter in `divisionCode` (a case's, an alert's township, or a
 * county): a department's office is that county's (任城区民政局), whichever of its clients acted,
 * the city's included, so every office shown names its place as the brief does.
 */
export function storedOfficeIn(key: string, divisionCode: string): Office {
  return officeInCounty(storedOffice(key), divisionCode);
}

/**
 * The offices whose county offices receive slips and meetings' decisions, and answer them with their
 * own clients: the federated departments, whose feedback is checked in their front-end databases,
 * and the government bodies that report their aid (应急, 司法, 共青团, 妇联, 红十字), whose feedback
 * is checked in the aid they reported (the REPORTED ledger). Not REPORTED, the ledger itself, nor
 * CHARITY: charities are many organisations, not one office, and a case reaches them through
 * charity linkage (慈善衔接) under the household's consent, not by a slip.
 */
export const RECEIVING_DEPARTMENTS: readonly OfficeCode[] = [
  ...DEPARTMENT_CODES.filter((d) => !HUB_LEDGER_SOURCES.includes(d)),
  ...REPORTER_CODES.filter((r) => r !== 'CHARITY'),
];

export function isReceivingDepartment(code: string): boolean {
  return (RECEIVING_DEPARTMENTS as readonly string[]).includes(code);
}

/** Why an office of this code receives no slips, in words for people, or null when it does. */
export function noSlipsReason(code: string): string | null {
  return isReceivingDepartment(code) ? null : unknownOfficeReason(code);
}

/**
 * Why `code` receives no slips, in words for people, for a code that names no receiving office:
 * what receivingOfficeRefusal's UNKNOWN_OFFICE says (it never refuses a receiving department).
 */
export function unknownOfficeReason(code: string): string {
  if (code === 'CHARITY') {
    return 'charities are many organisations, not one office: a case passes a need to them through charity linkage (慈善衔接: charityNeedPublish, under the household’s consent), not by a slip or decision';
  }
  if (code === 'REPORTED') return 'REPORTED is the hub’s ledger of reported aid, not an office';
  return `${code} is no office that answers slips`;
}

export type ReceivingOfficeRefusal = 'UNKNOWN_OFFICE' | 'OFFICE_OUT_OF_COUNTY' | 'OFFICE_OUT_OF_TOWNSHIP';

/**
 * Why an office cannot receive a slip of a case in `caseTownshipCode`, or null: an office that
 * answers no slips (noSlipsReason), a township that is not one (`townshipKnown`: the region table
 * lists it as a township), a township of another county, or another township of the case's county:
 * a township's officers reach only the cases kept in their township (the case's `townshipCode`,
 * resolvers/cases/resolvers.ts inReach), so no one could read, accept or answer such a slip, and the
 * case would never close.
 */
export function receivingOfficeRefusal(key: OfficeKey, caseTownshipCode: string, townshipKnown: boolean): ReceivingOfficeRefusal | null {
  const office = parseOffice(key);
  if (!office) return 'UNKNOWN_OFFICE';
  if (office.kind === 'DEPARTMENT') return isReceivingDepartment(office.department) ? null : 'UNKNOWN_OFFICE';
  if (!townshipKnown) return 'UNKNOWN_OFFICE';
  if (countyOf(office.townshipCode) !== countyOf(caseTownshipCode)) return 'OFFICE_OUT_OF_COUNTY';
  return office.townshipCode === caseTownshipCode ? null : 'OFFICE_OUT_OF_TOWNSHIP';
}
