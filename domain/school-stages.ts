/**
 * Which school stage (学段) each education programme is for, and whether a student's roll entries
 * fit a programme. Pure: the pre-grant check (resolvers/findings/live.ts) and the missed-aid rule
 * M3 (domain/findings/kinds.ts) read it.
 *
 * The seeds say nothing of stages; this is the national 学生资助 system (学前教育幼儿资助、义务教育
 * “两免一补”、普通高中和中职国家助学金与免学（杂）费、高校国家助学金与学费减免), as 教育部《学生资助
 * 政策简介》 lays it out:
 * - 国家助学金 is for 普通高中, 中职 and 高校 students; a primary or junior-secondary pupil has none
 *   (义务教育 is free of fees, and its hardship aid is the boarding pupils' living subsidy).
 * - 学费减免 (免学杂费 / 免学费 / 学费减免) is for the stages that charge tuition: 普通高中, 中职,
 *   高校; 义务教育 charges none, so there is nothing to waive.
 * - 寄宿生生活费补助 (家庭经济困难寄宿生生活费补助) is 义务教育's: 小学 and 初中.
 * Programmes of other offices (金秋助学, 希望工程, 春蕾计划, 慈善助学) are set by each organisation
 * for the stages it chooses, year by year: the hub fixes no stage for them. The education roll has
 * no preschool stage (幼儿资助 is kept by kindergartens, not this roll) and the catalogue no
 * preschool programme, so none is listed.
 */
import type { ProgrammeCode } from './programmes';

/** 学段, as the hub reads it from the education roll. */
export type SchoolStage = 'PRIMARY' | 'JUNIOR_SECONDARY' | 'SENIOR_SECONDARY' | 'SECONDARY_VOCATIONAL' | 'HIGHER';

/** Each stage in Chinese, as a summary names it. */
export const STAGE_NAMES: Readonly<Record<SchoolStage, string>> = {
  PRIMARY: '小学',
  JUNIOR_SECONDARY: '初中',
  SENIOR_SECONDARY: '普通高中',
  SECONDARY_VOCATIONAL: '中职',
  HIGHER: '高校',
};

/** The stages each stage-bound programme is for; a programme not listed is for any stage. */
export const PROGRAMME_SCHOOL_STAGES: Readonly<Partial<Record<ProgrammeCode, readonly SchoolStage[]>>> = {
  NATIONAL_GRANT: ['SENIOR_SECONDARY', 'SECONDARY_VOCATIONAL', 'HIGHER'],
  TUITION_WAIVER: ['SENIOR_SECONDARY', 'SECONDARY_VOCATIONAL', 'HIGHER'],
  BOARDING_SUBSIDY: ['PRIMARY', 'JUNIOR_SECONDARY'],
};

/** The stages a programme is for, or null when it is for any (no stage to check). */
export function stagesOf(programme: string): readonly SchoolStage[] | null {
  return PROGRAMME_SCHOOL_STAGES[programme as ProgrammeCode] ?? null;
}

/**
 * How a grant of a stage-bound programme fits the beneficiary's school stage (PreGrantCheck.schoolStage):
 * NOT_CHECKED: the programme is for any stage; FITS: a roll entry in school on the day is of one of
 * its stages; WRONG_STAGE: every such entry is of a documented stage the programme is not for (a
 * primary pupil's 国家助学金); NOT_ON_ROLL: no entry in school on the day (not on the roll, left,
 * suspended, or of an undocumented 学籍 status), so no stage to judge by; STAGE_UNKNOWN: in school, but no entry fits and one's stage is
 * a code the department does not document, or education did not answer.
 */
export type SchoolStageFit = 'NOT_CHECKED' | 'FITS' | 'WRONG_STAGE' | 'NOT_ON_ROLL' | 'STAGE_UNKNOWN';

/** A roll entry as the stage check reads it: whether it is in school on the day, and its stage. */
export interface StagedEntry {
  inSchool: boolean;
  /** UNRECOGNISED or absent: the stage is not known. */
  stage?: SchoolStage | 'UNRECOGNISED';
}

/** How the programme fits the entries (see SchoolStageFit). */
export function schoolStageFit(programme: string, entries: readonly StagedEntry[]): SchoolStageFit {
  const stages = stagesOf(programme);
  if (!stages) return 'NOT_CHECKED';
  const current = entries.filter((e) => e.inSchool);
  if (current.length === 0) return 'NOT_ON_ROLL';
  if (current.some((e) => e.stage !== undefined && e.stage !== 'UNRECOGNISED' && stages.includes(e.stage))) return 'FITS';
  return current.some((e) => e.stage === undefined || e.stage === 'UNRECOGNISED') ? 'STAGE_UNKNOWN' : 'WRONG_STAGE';
}

/**
 * The programmes of `expected` a missed-aid finding may propose to a student: all but those bound to
 * stages none of which is the student's. A student whose stage is not known keeps all (the finding
 * cannot tell which one is wrong); one with no entry in school is no student to the rule anyway.
 */
export function programmesForStudent<P extends string>(expected: readonly P[], entries: readonly StagedEntry[]): P[] {
  const current = entries.filter((e) => e.inSchool);
  if (current.length === 0 || current.some((e) => e.stage === undefined || e.stage === 'UNRECOGNISED')) return [...expected];
  return expected.filter((p) => {
    const stages = stagesOf(p);
    return !stages || current.some((e) => stages.includes(e.stage as SchoolStage));
  });
}
