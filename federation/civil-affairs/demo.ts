/**
 * 民政's part of the demo population: 低保 families (a few enrolled in two counties), 特困 support
 * (mostly for old people living alone), 孤儿 / 事实无人抚养 allowances for children raised by
 * grandparents (a few suspended or revoked), and temporary aid (after heavy hospital bills, and for other hardship, some of it
 * urgent or a second aid). Its basic-living spells are published on the household for the
 * departments whose aid follows them; temporary aid runs after health, whose settlements it
 * follows.
 *
 * Its steps share the household's random stream with the other first-release departments
 * (federation/demo-contract.ts, DemoStep), in rank order. The monitored low-income roll, added
 * later, is written from a stream of its own (`household`), so it changes no other row.
 */
import { isoOf, monthEndOf } from '../demo-calendar';
import { addDays, type IsoDate } from '../../domain/dates';
import type { DemoCell, DemoDraw, DemoHousehold, DemoPerson, DemoRandom, DemoReference, DemoRelation, DemoRows, DemoSpell, DepartmentDemo, DepartmentPlant } from '../demo-contract';
import { DEMO_DEFECTS, alive, day, fen, inSpell, minOf, seldom } from '../demo-kit';
import { Weighted } from '../demo-random';

const TABLES = {
  dibao_family: ['family_no', 'county_code', 'head_id_no', 'area_type', 'approved_on', 'ended_on', 'state_flag'],
  dibao_member: ['family_no', 'id_no', 'relation_to_head', 'joined_on', 'left_on', 'monthly_share_fen'],
  tekun_person: ['id_no', 'county_code', 'care_mode', 'start_on', 'end_on', 'monthly_fen', 'state_flag'],
  temp_aid_grant: ['id_no', 'family_no', 'cause_code', 'is_urgent', 'is_second_aid', 'grant_date', 'amount_fen', 'approval_level', 'revoked'],
  child_allowance: ['child_id_no', 'category', 'start_on', 'end_on', 'monthly_fen', 'state_flag', 'revoked'],
  dc_monitor_roll: ['id_no', 'county_code', 'jclb', 'nrrq', 'tcrq'],
} as const;

const RELATION_CN: Record<DemoRelation, string> = {
  HEAD: '户主',
  SPOUSE: '配偶',
  CHILD: '子女',
  PARENT: '父母',
  GRANDCHILD: '孙子女',
  GRANDPARENT: '祖父母',
  SIBLING: '兄弟姐妹',
  OTHER: '其他',
};

const TEMP_CAUSES = new Weighted<string>([['01', 45], ['02', 20], ['03', 8], ['04', 10], ['05', 7], ['99', 10]]);

/**
 * A child allowance's state beside its period: about 2% suspended (暂停, e.g. the annual check of
 * the child's situation is pending) and 0.5% revoked (撤销: wrongly granted, payments recovered).
 * Decided by a hash of the row, not a draw, so the household's random stream and every other row
 * stay as they were.
 */
function childAllowanceStatus(key: string): [stateFlag: number, revoked: number] {
  if (seldom(`revoked:${key}`, 5)) return [1, 1];
  return [seldom(`suspended:${key}`, 20) ? 2 : 0, 0];
}

function basicLiving(h: DemoDraw, rows: DemoRows, at: DemoReference): void {
  const rng = h.rng;
  const ref = at.day;
  const living = h.members.filter((m) => m.death === null);
  const adults = h.members.filter((m) => m.age >= 18);
  const oldAlone = h.type === 'ELDERLY_SINGLE' || (h.type === 'SINGLE_ADULT' && h.members.length === 1 && h.members[0].disability !== null && h.members[0].disability.level <= 2);

  let tekun: DemoPerson[] = [];
  let dibao = false;
  if (h.poor) {
    if (oldAlone) {
      const r = rng.next();
      if (r < 0.55) tekun = [h.members[0]];
      else if (r < 0.9) dibao = true;
    } else if (h.type === 'ELDERLY_COUPLE' && rng.chance(0.3)) {
      tekun = adults;
    } else {
      dibao = rng.chance(0.62);
    }
  }

  // 特困: from the later of the 60th (or 18th, for the disabled) birthday and enrolment.
  for (const m of tekun) {
    const eligibleFrom = m.disability && m.disability.level <= 2 ? m.birth + 18 * 366 : m.birth + 60 * 366;
    const start = Math.max(eligibleFrom, ref - rng.int(60, 4000), h.formed);
    if (start >= (m.death ?? ref)) continue;
    let end: number | null = null;
    let state = 0;
    if (m.death !== null) {
      if (!rng.chance(DEMO_DEFECTS.aidNotStoppedAtDeath)) {
        end = monthEndOf(m.death);
        state = 1;
      }
    } else if (rng.chance(0.04)) {
      end = day(rng, start + 90, ref - 1);
      if (end !== null) state = 1;
    }
    const care = rng.chance(0.85) ? 1 : 2;
    const monthly = care === 1 ? fen(rng.int(950, 1250), 10) : fen(rng.int(1200, 1650), 10);
    rows.tekun_person.push([m.id, h.county.code, care, isoOf(start), end === null ? null : isoOf(end), monthly, state]);
    h.tekunSpells.set(m, { start, end });
  }
  if (tekun.length > 0 && rng.chance(DEMO_DEFECTS.dibaoAndTekun)) dibao = true;

  // 孤儿 / 事实无人抚养儿童: children raised by grandparents.
  if (h.type === 'SKIP_GENERATION') {
    const r = rng.next();
    const category = r < 0.1 ? 'GE' : r < 0.32 ? 'SW' : null;
    if (category) {
      for (const m of h.members) {
        if (m.relation !== 'GRANDCHILD' || m.age >= 18 || m.death !== null) continue;
        const start = Math.max(m.birth + 30, ref - rng.int(30, 2500));
        const [stateFlag, revoked] = childAllowanceStatus(`${m.id}/${category}`);
        rows.child_allowance.push([m.id, category, isoOf(start), null, h.county.childStandardFen, stateFlag, revoked]);
        h.childSpells.set(m, { start, end: null });
        if (rng.chance(DEMO_DEFECTS.dibaoAndTekun)) {
          // A child also recognised as 特困 (rule X2).
          rows.tekun_person.push([m.id, h.county.code, 1, isoOf(start), null, fen(rng.int(950, 1250), 10), 0]);
          h.tekunSpells.set(m, { start, end: null });
        }
      }
    }
  }

  if (!dibao) return;
  const head = h.members[0];
  const familyNo = `DB${h.county.code}${String(h.no + 1).padStart(9, '0')}`;
  let approved = Math.max(h.formed, ref - rng.int(30, 3000));
  const lastAlive = Math.max(...h.members.map((m) => m.death ?? ref));
  if (approved >= lastAlive) approved = Math.max(h.formed, lastAlive - rng.int(60, 900));
  let ended: number | null = null;
  let state = 0;
  if (living.length === 0) {
    if (!rng.chance(DEMO_DEFECTS.aidNotStoppedAtDeath)) {
      ended = monthEndOf(lastAlive);
      state = 1;
    }
  } else {
    const r = rng.next();
    if (r < 0.1) {
      ended = day(rng, approved + 180, ref - 1);
      if (ended !== null) state = 1;
    } else if (r < 0.12) state = 2;
  }
  h.dibaoFamilyNo = familyNo;
  rows.dibao_family.push([familyNo, h.county.code, head.id, h.urban ? 1 : 2, isoOf(approved), ended === null ? null : isoOf(ended), state]);
  const perCapita = h.urban ? rng.int(500, 850) : rng.int(380, 700);
  const members: Array<[DemoPerson, DemoSpell]> = [];
  for (const m of h.members) {
    if (m.death !== null && m.death < approved) continue;
    const joined = Math.max(approved, m.birth);
    if (ended !== null && joined > ended) continue;
    const left = m.death !== null && !rng.chance(DEMO_DEFECTS.aidNotStoppedAtDeath) ? m.death : null;
    let factor = 1;
    if (m.age >= 70) factor += 0.15;
    if (m.disability && m.disability.level <= 2) factor += 0.2;
    if (m.age < 16) factor += 0.1;
    const share = fen(Math.min(900, Math.max(300, perCapita * factor)));
    rows.dibao_member.push([familyNo, m.id, RELATION_CN[m.relation], isoOf(joined), left === null ? null : isoOf(left), share]);
    const spell = { start: joined, end: minOf(left, ended) };
    h.dibaoSpells.set(m, spell);
    members.push([m, spell]);
  }

  // The same family still enrolled in another county (rule X9).
  if (ended === null && state === 0 && rng.chance(DEMO_DEFECTS.dibaoInTwoCounties)) {
    const other = h.counties[(h.county.index + 1 + rng.int(0, h.counties.length - 2)) % h.counties.length];
    const otherNo = `DB${other.code}${String(h.no + 1).padStart(9, '0')}`;
    const since = day(rng, approved, ref - 30) ?? approved;
    rows.dibao_family.push([otherNo, other.code, head.id, 2, isoOf(since), null, 0]);
    for (const [m, spell] of members) {
      if (spell.end !== null) continue;
      rows.dibao_member.push([otherNo, m.id, RELATION_CN[m.relation], isoOf(Math.max(since, m.birth)), null, fen(rng.int(300, 700))]);
    }
  }
}


function temporaryAid(h: DemoDraw, rows: DemoRows, at: DemoReference): void {
  const rng = h.rng;
  const ref = at.day;
  const adults = h.members.filter((m) => m.age >= 18);
  if (adults.length === 0) return;
  const grants: Array<{ member: DemoPerson; cause: string; date: number }> = [];
  // Heavy medical bills: temporary aid for illness.
  for (const s of h.settlements) {
    if (s.reversed || s.psnFen < 800000 || !rng.chance(h.poor ? 0.45 : 0.05)) continue;
    const date = day(rng, s.setlDate + 7, Math.min(ref, s.setlDate + 120));
    if (date === null) continue;
    // Paid to the patient, or to the family's head (or another adult) when the patient has died.
    const member = alive(s.member, date) ? s.member : adults.find((m) => alive(m, date));
    if (member) grants.push({ member, cause: '01', date });
  }
  // Other hardship: Poisson-ish over the last three years.
  let expected = h.poor ? 0.55 : 0.025;
  while (rng.chance(expected)) {
    const cause = TEMP_CAUSES.pick(rng);
    const member = rng.chance(0.75) ? h.members[0] : rng.pick(adults);
    const date = day(rng, Math.max(ref - 1095, member.joined), member.death ?? ref);
    if (date !== null) grants.push({ member, cause, date });
    expected *= 0.45;
  }
  for (const g of [...grants]) {
    // A follow-up for the same cause within the year: half of them approved as 二次临时救助.
    if (rng.chance(0.15)) {
      const date = day(rng, g.date + 60, Math.min(ref, g.date + 330, g.member.death ?? ref));
      if (date !== null) grants.push({ member: g.member, cause: g.cause, date });
    }
  }
  grants.sort((a, b) => a.date - b.date);
  const lastByCause = new Map<string, number>();
  for (const g of grants) {
    const previous = lastByCause.get(g.cause);
    const second = previous !== undefined && g.date - previous < 365 && rng.chance(0.5);
    lastByCause.set(g.cause, g.date);
    const urgent = g.cause === '02' || g.cause === '03' ? rng.chance(0.6) : rng.chance(0.2);
    const yuan = second ? rng.int(2000, 20000) : urgent ? rng.int(1000, 10000) : rng.int(500, 3000);
    const amount = fen(yuan, 100);
    const familyNo = h.dibaoFamilyNo && inSpell(h.dibaoSpells.get(g.member) ?? h.dibaoSpells.get(h.members[0]), g.date) ? h.dibaoFamilyNo : null;
    rows.temp_aid_grant.push([
      // A second aid is approved by the county (市、县可给予二次临时救助); others up to ¥3,000 by the township.
      g.member.id, familyNo, g.cause, urgent ? 1 : 0, second ? 1 : 0, isoOf(g.date), amount, !second && amount <= 300000 ? 1 : 2, rng.chance(0.01) ? 1 : 0,
    ]);
  }
}

/** 民政's facts of planted cases (tools/generate/plant.ts). */
const PLANT: DepartmentPlant = {
  dibao(s, familyNo, county, head, approved, members, ended) {
    s.push('dibao_family', { family_no: familyNo, county_code: county, head_id_no: head.id, area_type: 1, approved_on: approved, ended_on: ended, state_flag: ended !== null && ended < s.ref ? 1 : 0 });
    for (const [i, m] of members.entries()) {
      s.push('dibao_member', { family_no: familyNo, id_no: m.person.id, relation_to_head: i === 0 ? '本人' : '其他', joined_on: m.joined ?? approved, left_on: m.left ?? null, monthly_share_fen: 60_000 });
    }
  },
  tekun(s, who, start, end) {
    s.push('tekun_person', { id_no: who.id, county_code: '370811', care_mode: 1, start_on: start, end_on: end, monthly_fen: 90_000, state_flag: end !== null && end < s.ref ? 1 : 0 });
  },
  tempAid(s, who, cause, date, secondAid, familyNo) {
    s.push('temp_aid_grant', { id_no: who.id, family_no: familyNo, cause_code: cause, is_urgent: 0, is_second_aid: secondAid ? 1 : 0, grant_date: date, amount_fen: 150_000, approval_level: secondAid ? 2 : 1, revoked: 0 });
  },
  childAllowance(s, who, start, end, opts = {}) {
    const stateFlag = opts.status === 'SUSPENDED' ? 2 : opts.status === 'REVOKED' || (end !== null && end < s.ref) ? 1 : 0;
    s.push('child_allowance', { child_id_no: who.id, category: opts.category ?? 'GE', start_on: start, end_on: end, monthly_fen: opts.category === 'SW' ? 120_000 : 150_000, state_flag: stateFlag, revoked: opts.status === 'REVOKED' ? 1 : 0 });
  },
};

/**
 * The monitored low-income roll (低收入人口动态监测). Rates like a prefecture city's: beyond 低保
 * and 特困, about 2–3% of people are monitored (低保边缘, 刚性支出困难, 易返贫致贫); a household in
 * hardship is on the roll far more often (a quarter of them) than others (1.5%); the whole
 * household is put on the roll, living members only; about one spell in seven has ended (income
 * recovered, 消除风险). Category shares: 边缘 45%, 刚性支出 35%, 易返贫致贫 20%.
 */
function monitorRoll(h: DemoHousehold, random: DemoRandom, referenceDate: IsoDate): Record<string, DemoCell[][]> {
  if (!random.chance(h.poor ? 0.25 : 0.015)) return {};
  const r = random.next();
  const jclb = r < 0.45 ? '01' : r < 0.8 ? '02' : '03';
  const from = addDays(referenceDate, -random.int(30, 3 * 365));
  const ended = random.chance(1 / 7) ? addDays(from, random.int(90, 540)) : null;
  const to = ended !== null && ended < referenceDate ? ended : null;
  const rows = h.members.filter((m) => m.deathDate === null || m.deathDate > from).map((m): DemoCell[] => [m.idNumber, h.countyCode, jclb, from, to]);
  return { dc_monitor_roll: rows };
}

export const CIVIL_AFFAIRS_DEMO: DepartmentDemo = {
  tables: TABLES,
  household: monitorRoll,
  steps: [
    { rank: 10, run: basicLiving },
    { rank: 30, run: temporaryAid },
  ],
  plant: PLANT,
};
