/**
 * Findings in words an officer can read out at a joint meeting (联席会议), in Chinese. They name
 * programmes, offices, dates and amounts, never a person's name or ID number: the people are given
 * beside the text, to those allowed to see them.
 *
 * Prose is built for the reader's view: a hospital stay's settlement, its out-of-pocket burden and
 * an illness as the cause of aid are health detail (access/policy.ts HEALTH_DETAIL), and text built
 * from them would carry them past the field rules. Without `health`, the text says only what the
 * reader's fields would show. What a finding stores is the full text; readers get it rebuilt.
 */
import { AID_CAUSE_NAMES, DISABILITY_CATEGORY_NAMES } from '../aid';
import { DEPARTMENT_NAMES } from '../departments';
import { fenToYuan } from '../money';
import { AID_PROGRAMME_BY_CODE, PROGRAMME_BY_CODE } from '../programmes';
import { STAGE_NAMES } from '../school-stages';
import type { AidRecord, Measure, MetCondition } from './facts';
import type { Interval } from './periods';
import type { Condition, Rule } from './rule-set';

const LEVELS = ['', '一级', '二级', '三级', '四级'];

export function yuan(fen: number): string {
  return `${fenToYuan(fen)} 元`;
}

function programmeName(code: string): string {
  return PROGRAMME_BY_CODE.get(code)?.name ?? code;
}

export function describePeriod(p: Interval): string {
  return p.end === null ? `${p.start} 起` : `${p.start} 至 ${p.end}`;
}

/** 最低生活保障（民政局，2024-01-01 起，每月 720.00 元） */
export function describeRecord(r: AidRecord): string {
  const when = r.periodStart !== null ? describePeriod({ start: r.periodStart, end: r.periodEnd }) : `${r.grantDate ?? '日期不详'}发放`;
  const amount = r.periodStart !== null ? `每月 ${yuan(r.amountFen)}` : yuan(r.amountFen);
  const proposed = r.sourceRef === 'PROPOSED' ? '，拟发放' : '';
  return `${programmeName(r.programme)}（${DEPARTMENT_NAMES[r.department]}，${when}，${amount}${proposed}）`;
}

/** What the reader may be told. */
export interface Detail {
  /** Settlements, out-of-pocket amounts and illness causes (health detail). */
  health: boolean;
}

export const FULL_DETAIL: Detail = { health: true };

export function describeCondition(c: MetCondition, detail: Detail = FULL_DETAIL): string {
  switch (c.fact) {
    case 'DISABILITY_CERTIFICATE':
      // A category code the federation does not document is shown as that code, said to be one (no rule reads the category; a finding stored before such codes were null holds the number); the level is always a documented one (certificateHeld).
      return `持残疾人证（${(c.category !== null && DISABILITY_CATEGORY_NAMES[c.category]) || `残疾类别代码 ${c.sourceCategoryCode ?? c.category} 未列入残联文档，`}${LEVELS[c.level] ?? `${c.level}级`}）`;
    case 'HOUSEHOLD_HOLDS':
      return `所在家庭享受${c.programmes.map(programmeName).join('、')}`;
    case 'HOLDS':
      return `享受${c.programmes.map(programmeName).join('、')}`;
    case 'STUDENT':
      return `${c.schoolYear} 学年在读学生（${c.age} 岁）`;
    case 'OUT_OF_POCKET':
      if (!detail.health) return `${c.from} 至 ${c.to} 医疗个人负担超过预警线（详情限有权查看健康信息者）`;
      return `${c.from} 至 ${c.to} 住院个人负担合计 ${yuan(c.totalFen)}（预警线：${c.over ? '超过' : '达到'} ${yuan(c.thresholdFen)}）`;
    case 'GRANTS':
      return `${c.from} 至 ${c.to} 获得${c.programmes.map(programmeName).join('、')} ${c.count} 次`;
  }
}

/**
 * A finding's explanation for a reader outside its subject's region, who checks duplicates in the
 * LIMITED view (departments, programmes, periods, status; access/policy.ts): the rule alone, since
 * every other part of the text (amounts, days, a stay's burden) is what that view withholds.
 */
export function explainOutOfScope(rule: Rule): string {
  return `${rule.title}（受益人不在本单位辖区内：说明只列规则，金额与日期不在辖区外的查重视图中）。`;
}

/**
 * A finding's explanation for a charity's reporting client (aidReport's conflicts): the rule alone.
 * A charity is an outside organisation that reads no household, person, finding or pre-grant check
 * (README "Aid reported directly"); the full text named other offices' aid to the beneficiary with
 * its amounts and days (medical aid to a stay: health data), for any ID number in its region, in a
 * dry run that writes nothing.
 */
export function explainToCharity(rule: Rule): string {
  return `${rule.title}（说明只列规则：慈善组织不查阅其他单位的救助金额与日期）。`;
}

/** A Chinese character or full-width punctuation mark (CJK symbols, ideographs, full-width forms). */
const CJK = '[\\u3000-\\u303f\\u4e00-\\u9fff\\uff00-\\uffef]';
const SPACE_BETWEEN_CJK = new RegExp(`(${CJK}) +(?=${CJK})`, 'gu');

/**
 * Text joined from pieces, spaced as Chinese is written: a space sets a date or an amount apart from
 * the characters beside it (`自 2026-12-01 起`), never two characters from each other. Pieces end or
 * begin with a space for the date they hold (describePeriod's `2026-12-01 起`), so joining two put
 * one between characters ("2026-12-01 起 期间", "起 的部分").
 */
export function joinedChinese(text: string): string {
  return text.replace(SPACE_BETWEEN_CJK, '$1');
}

export function explain(rule: Rule, measure: Measure, records: readonly AidRecord[], detail: Detail = FULL_DETAIL): string {
  return joinedChinese(explainPieces(rule, measure, records, detail));
}

function explainPieces(rule: Rule, measure: Measure, records: readonly AidRecord[], detail: Detail): string {
  const lead = `${rule.title}：`;
  switch (measure.type) {
    case 'OVERLAP': {
      const [a, b] = records;
      // An open overlap counts its days up to today (overlapDays), so none means it has not begun:
      // typically a pre-grant check of aid to start next month, which will overlap, not "has".
      if (measure.overlap.end === null && measure.days === 0) return `${lead}${describeRecord(a)}与${describeRecord(b)}自 ${measure.overlap.start} 起将重叠。`;
      const days = measure.overlap.end === null ? `至今仍在重叠（已 ${measure.days} 天）` : `共 ${measure.days} 天`;
      // An open overlap is said from its start (自…起), a closed one over its period (在…至…期间).
      const when = measure.overlap.end === null ? `自 ${measure.overlap.start} 起` : `在 ${describePeriod(measure.overlap)} 期间`;
      return `${lead}${describeRecord(a)}与${describeRecord(b)}${when}重叠，${days}。`;
    }
    case 'SAME_PERIOD':
      return `${lead}${measure.period} 同时获得${records.map(describeRecord).join('、')}。`;
    case 'REPEATED': {
      // Every cause is left out, not only illness: its absence alone would otherwise name it.
      const cause = !measure.cause ? '' : detail.health ? `因同一事由（${AID_CAUSE_NAMES[measure.cause]}）` : '因同一事由';
      // The grant the exemption was looked for is the latest of the window (domain/findings/kinds.ts
      // repeatedGrants): named as the proposal when it is one, else by its day and as granted. "最后一笔"
      // alone read, on a back-dated proposal, as the grant being checked, when it was one already made.
      const latest = records[records.length - 1];
      // No parenthesis: a reader without health detail is given none (the cause's would name it).
      const which = latest?.sourceRef === 'PROPOSED' ? '拟发放的这一笔' : latest?.grantDate ? `其中 ${latest.grantDate} 已发放的最晚一笔` : '其中最晚的一笔';
      // A grant its department flags as a second aid but a township approved: 二次临时救助 is the city's or the county's to give.
      const byTownship = latest?.secondAid === true && latest.approvalLevel === 'TOWNSHIP';
      const exempt = rule.kind === 'REPEATED_GRANTS' && rule.secondAidExempt ? (byTownship ? `，${which}标为二次临时救助但为乡镇审批（二次临时救助由市、县给予）` : `，${which}未经批准为二次临时救助`) : '';
      return `${lead}${cause}在 ${measure.windowMonths} 个月内获得 ${measure.count} 笔：${records.map(describeRecord).join('、')}${exempt}。`;
    }
    case 'SETTLEMENT_EXCESS':
      if (!detail.health) {
        // No excess either: the aid is the reader's to see, and aid less the excess is the burden.
        return `${lead}与同一次住院结算相关的救助合计 ${yuan(measure.aidFen)}（${records.map(describeRecord).join('、')}），超出该次结算的个人负担。`;
      }
      return (
        `${lead}${measure.settledOn} 结算的住院费用（结算号 ${measure.settlementRef}）扣除基本医保和大病保险后个人负担 ${yuan(measure.burdenFen)}，` +
        `与之相关的救助合计 ${yuan(measure.aidFen)}（${records.map(describeRecord).join('、')}），超出 ${yuan(measure.excessFen)}。`
      );
    case 'AFTER_DEATH': {
      const [r] = records;
      if (r.sourceRef === 'PROPOSED') {
        // A grant not yet made (a pre-grant check, a meeting's decision): nothing has been paid, so
        // not "still paid N months, up to now" (its months are counted to today, 1 for a grant to
        // start later): the office is told the grant falls after the death, and which part of it.
        const part = r.periodStart !== null && r.periodStart < measure.unpaid.start ? `，其中 ${describePeriod(measure.unpaid)} 的部分` : '';
        return `${lead}受益人已于 ${measure.deathDate} 死亡，${describeRecord(r)}${part}在其死亡之后，不应发放。`;
      }
      const still = measure.unpaid.end === null ? '，至今仍在发放' : '';
      const when = measure.unpaid.end === null ? `自 ${measure.unpaid.start} 起` : `在 ${measure.unpaid.start} 至 ${measure.unpaid.end} `;
      return `${lead}受益人于 ${measure.deathDate} 死亡，${describeRecord(r)}${when}仍发放 ${measure.months} 个月，约 ${yuan(measure.excessFen)}${still}。`;
    }
    case 'WRONG_STAGE':
      return `${lead}${describeRecord(records[0])}面向${measure.programmeStages.map((s) => STAGE_NAMES[s]).join('、')}学生，受助学生 ${measure.judgedOn} 在读学段为${STAGE_NAMES[measure.stage]}（以教育部门学籍为准）。`;
    case 'MISSED': {
      const because = measure.met.map((c) => describeCondition(c, detail)).join('，');
      return `${lead}${because}，但未享受${measure.expected.map(programmeName).join('或')}。`;
    }
  }
}

/** Programmes whose name alone tells of an illness, a hospital stay or a disability (medical aid, 大病帮扶, the two disability subsidies, …). */
function tellsHealth(code: string): boolean {
  const p = AID_PROGRAMME_BY_CODE.get(code);
  // A code the catalogue does not hold (a rule set cannot name one, but a finding stored before may) is taken as health.
  return !p || p.purpose === 'MEDICAL' || p.purpose === 'DISABILITY';
}

function conditionTellsHealth(c: Condition): boolean {
  switch (c.fact) {
    case 'DISABILITY_CERTIFICATE':
    case 'OUT_OF_POCKET':
      return true;
    case 'HOUSEHOLD_HOLDS':
    case 'HOLDS':
    case 'GRANTS':
      return c.programmes.some(tellsHealth);
    case 'STUDENT':
      return false;
  }
}

/**
 * Whether `explain` can name a hospital stay, a disability, an illness or an illness cause for a
 * finding of this rule (PIPL art. 28), read from the rule's definition and what `explain` writes for
 * its kind: the programmes its records are described by, the conditions of `when` it lists (not
 * `unless`: a condition met there yields no finding), the expected programmes, a settlement, and the
 * cause of repeated grants counted per cause. M3 (a student of a 低保 household without education
 * aid) cannot; M1, M4 or X7 always do.
 */
export function ruleExplanationTellsHealth(rule: Rule): boolean {
  switch (rule.kind) {
    case 'EXCLUSIVE_PROGRAMMES':
    case 'SAME_PURPOSE_TWICE':
      return [...rule.first, ...rule.second].some(tellsHealth);
    case 'REPEATED_GRANTS':
      // Counted per cause, the text names the cause, which can be illness (AID_CAUSE_NAMES).
      return rule.sameCause || rule.programmes.some(tellsHealth);
    case 'SETTLEMENT_EXCESS':
      return true;
    case 'AID_AFTER_DEATH':
    case 'DUPLICATE_ENROLMENT':
    case 'WRONG_SCHOOL_STAGE':
      return rule.programmes.some(tellsHealth);
    case 'MISSED_AID':
      return rule.when.some(conditionTellsHealth) || rule.expected.programmes.some(tellsHealth);
  }
}
