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
 * How a grant of a stage-bound programme fits the beneficiary's school stage (PreGrantCheck.schoolStage),
 * judged by the stage on the day (stageOnTheDay): NOT_CHECKED: the programme is for any stage; FITS:
 * that stage is one of its stages; WRONG_STAGE: a documented stage the programme is not for (a primary
 * pupil's 国家助学金); NOT_ON_ROLL: no entry in school on the day (not on the roll, left, suspended, or
 * of an undocumented 学籍 status), so no stage to judge by; STAGE_UNKNOWN: in school, but the stage on
 * the day cannot be told (see stageOnTheDay), or education did not answer.
 */
export type SchoolStageFit = 'NOT_CHECKED' | 'FITS' | 'WRONG_STAGE' | 'NOT_ON_ROLL' | 'STAGE_UNKNOWN';

/** A roll entry as the stage check reads it: whether it is in school on the day, its stage and when it was enrolled. */
export interface StagedEntry {
  inSchool: boolean;
  /** UNRECOGNISED or absent: the stage is not known. */
  stage?: SchoolStage | 'UNRECOGNISED';
  /** The first day of the school year it was enrolled in (StudentFacts.enrolledOn); null or absent: not known. */
  enrolledOn?: string | null;
}

/**
 * One student's stage on a day, from his roll entries (each saying whether it is in school that day):
 * NOT_ON_ROLL when none is; the stage when every entry in school is of that one documented stage;
 * otherwise the stage of the entry enrolled most recently. Under 一人一籍 a student holds one entry in
 * school; two (a 初中 entry never closed beside the 高中 one he moved on to) are a data error, and the
 * later enrolment is the one he is in: either stage fitting made a 高中 student's 寄宿生生活费补助
 * FITS. UNKNOWN when the latest entry's stage is undocumented or absent, when the latest enrolment is
 * shared by entries of different stages, or when an entry's enrolment is not known (which is later
 * cannot be told).
 */
export function stageOnTheDay(entries: readonly StagedEntry[]): SchoolStage | 'NOT_ON_ROLL' | 'UNKNOWN' {
  const current = entries.filter((e) => e.inSchool);
  if (current.length === 0) return 'NOT_ON_ROLL';
  if (current.some((e) => !e.enrolledOn)) return oneStage(current);
  const latest = current.reduce((max, e) => (e.enrolledOn! > max ? e.enrolledOn! : max), current[0].enrolledOn!);
  return oneStage(current.filter((e) => e.enrolledOn === latest));
}

/** The one documented stage all these entries share, or UNKNOWN. */
function oneStage(entries: readonly StagedEntry[]): SchoolStage | 'UNKNOWN' {
  const stage = entries[0].stage;
  if (stage === undefined || stage === 'UNRECOGNISED' || entries.some((e) => e.stage !== stage)) return 'UNKNOWN';
  return stage;
}

/** How the programme fits one student's entries (see SchoolStageFit). */
export function schoolStageFit(programme: string, entries: readonly StagedEntry[]): SchoolStageFit {
  const stages = stagesOf(programme);
  if (!stages) return 'NOT_CHECKED';
  const stage = stageOnTheDay(entries);
  if (stage === 'NOT_ON_ROLL') return 'NOT_ON_ROLL';
  if (stage === 'UNKNOWN') return 'STAGE_UNKNOWN';
  return stages.includes(stage) ? 'FITS' : 'WRONG_STAGE';
}

/**
 * The programmes of `expected` a missed-aid finding may propose to students (each one's roll entries):
 * all but those bound to stages none of which is a student's stage on the day (stageOnTheDay). A
 * student whose stage is not known keeps all (the finding cannot tell which one is wrong); one with
 * no entry in school is no student to the rule anyway.
 */
export function programmesForStudent<P extends string>(expected: readonly P[], students: readonly (readonly StagedEntry[])[]): P[] {
  const stages = students.map(stageOnTheDay).filter((s) => s !== 'NOT_ON_ROLL');
  if (stages.length === 0 || stages.includes('UNKNOWN')) return [...expected];
  return expected.filter((p) => {
    const forStages = stagesOf(p);
    return !forStages || stages.some((s) => forStages.includes(s as SchoolStage));
  });
}

/**
 * In words, in Chinese, with the next step: why a programme bound to stages does not fit a
 * beneficiary's school stage (`fit` other than NOT_CHECKED and FITS; null for those). `day` is the
 * day the stage is judged on, as the reader knows it (a meeting's 决定之日, a pre-grant check's 发放之日).
 * Names the stages and the programme, never the person.
 */
export function schoolStageWords(fit: SchoolStageFit, programmeCode: string, day: string, programmeName: string): string | null {
  if (fit === 'NOT_CHECKED' || fit === 'FITS') return null;
  const stages = (stagesOf(programmeCode) ?? []).map((s) => STAGE_NAMES[s]).join('、');
  const why =
    fit === 'WRONG_STAGE' ? '受助人在读学段不在其列' : fit === 'NOT_ON_ROLL' ? `受助人在${day}（${day.slice(0, 2)}在所资助学年之外的，为该学年首日或末日）不在教育部门学籍在校名单中，无学段可核` : '受助人学段代码未列入教育部门文档，无法判断';
  return `${programmeName}面向${stages}学生，${why}，请与教育部门核实学籍`;
}
