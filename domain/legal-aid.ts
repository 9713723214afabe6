/**
 * Legal aid's means-check exemption (法律援助法 第四十二条): 法律援助申请人有材料证明属于下列人员之一的，
 * 免予核查经济困难状况：……（二）社会救助、司法救助或者优抚对象. A legal-aid office asks the hub one thing
 * about one applicant, whether they are a 社会救助对象 on a day, and is told that and the programmes
 * that make them one; nothing else of their aid or household (PIPL art. 6: the least the purpose needs).
 */
import { inForce, type AidRecord } from './aid';
import type { IsoDate } from './dates';
import { sourceOf, type DepartmentCode } from './departments';
import { periodOf } from './findings/attribution';
import { PROGRAMME_BY_CODE, type ProgrammeCode } from './programmes';

/**
 * The programmes whose recipients are 社会救助对象 for the exemption: 最低生活保障 and 特困人员救助供养,
 * the two standing forms of basic living aid (《社会救助暂行办法》 chapters 2 and 3), each a decision of
 * civil affairs that the household's income and assets were verified (核对) below the line, which
 * is what the means check would establish again. Left out: aid granted once for one need (临时救助,
 * 医疗救助, 教育救助, 住房救助, 就业救助) is no standing on a day and no verdict on means; 孤儿 and
 * 事实无人抚养儿童 allowances are child welfare, not social assistance (a minor without support is
 * exempt under 第四十二条（一） on other evidence); 受灾人员过渡期生活救助 is relief of a disaster's loss.
 */
export const MEANS_CHECK_EXEMPTING_PROGRAMMES: readonly ProgrammeCode[] = ['DIBAO', 'TEKUN'];

/** The sources that hold those programmes: the only departments the question reads. */
export const MEANS_CHECK_SOURCES: readonly DepartmentCode[] = [...new Set(MEANS_CHECK_EXEMPTING_PROGRAMMES.map((code) => sourceOf(PROGRAMME_BY_CODE.get(code)!.department)))];

/**
 * Whether a record makes its beneficiary a recipient on `day`, by the rules' own reading of status
 * and period (domain/findings/attribution.ts): in force (not revoked, pending or unrecognised), its
 * period covering the day up to the last day it is known to have run (`periodOf`). A suspended
 * record (暂停, payment paused while the office reviews the household) does not count: the office
 * has not confirmed the standing, and the means check the applicant then goes through decides it.
 */
function standsOn(r: AidRecord, day: IsoDate): boolean {
  if (!inForce(r) || r.status === 'SUSPENDED') return false;
  const period = periodOf(r);
  return period !== null && period.start <= day && (period.end === null || day <= period.end);
}

/**
 * The exempting programmes one person holds on `day`, in catalogue order, from their aid records.
 * `complete` false (a source that holds such programmes did not answer) with none found is no
 * answer: `recipient` is then null, never a "no" the office would read as a means check needed
 * when the department that knows was only down.
 */
export function socialAssistanceStanding(records: readonly AidRecord[], day: IsoDate, complete: boolean): { recipient: boolean | null; programmes: ProgrammeCode[] } {
  const held = new Set(records.filter((r) => standsOn(r, day)).map((r) => r.programme));
  const programmes = MEANS_CHECK_EXEMPTING_PROGRAMMES.filter((code) => held.has(code));
  return { recipient: programmes.length > 0 ? true : complete ? false : null, programmes };
}
