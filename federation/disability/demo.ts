/**
 * 残联's part of the demo population: a certificate for each disabled person the population drew,
 * 困难残疾人生活补贴 for the disabled of 低保 households, 重度残疾人护理补贴 for levels 1 and 2
 * (a few missed; a few suspended or revoked), and rehabilitation aid, mostly for children.
 *
 * Its steps share the household's random stream with the other first-release departments
 * (federation/demo-contract.ts, DemoStep), in rank order.
 */
import { addMonths } from '../../domain/findings/periods';
import { civil, dayNumber, isoOf, monthOf } from '../demo-calendar';
import type { DemoDraw, DemoReference, DemoRows, DepartmentDemo, DepartmentPlant } from '../demo-contract';
import { DEMO_DEFECTS, day, fen, seldom } from '../demo-kit';

/** About 0.5% of rehabilitation grants are recovered (2 已追回). */
function rehabStatus(key: string): number {
  return seldom(`recovered:${key}`, 5) ? 2 : 1;
}

/**
 * A subsidy's state (sub_status): a running one about 2% suspended (2 暂停, e.g. pending the annual
 * review of the household's 低保 or of the certificate); any one about 0.5% revoked (4 撤销追回:
 * wrongly granted, payments recovered); one whose end month has passed stopped (3 停发). By a hash of the
 * row, so the random stream and every other row stay as they were.
 */
function subsidyStatus(certNo: string, type: 'SH' | 'HL', startYm: string, endYm: string | null, refYm: string): number {
  const key = `${certNo}/${type}/${startYm}`;
  if (seldom(`revoked:${key}`, 5)) return 4;
  if (endYm !== null && endYm < refYm) return 3;
  return seldom(`suspended:${key}`, 20) ? 2 : 1;
}

const TABLES = {
  cl_certificate: ['cert_no', 'id_card', 'dis_type', 'dis_level', 'issue_date', 'valid_until', 'cert_status'],
  cl_subsidy: ['cert_no', 'sub_type', 'start_ym', 'end_ym', 'monthly_fen', 'sub_status'],
  cl_rehab_aid: ['cert_no', 'service_name', 'grant_date', 'amount_fen', 'aid_status'],
} as const;

function disability(h: DemoDraw, rows: DemoRows, at: DemoReference): void {
  const rng = h.rng;
  const ref = at.day;
  for (const m of h.members) {
    const d = m.disability;
    if (!d) continue;
    const validUntil = dayNumber(civil(d.issued)[0] + 10, civil(d.issued)[1], civil(d.issued)[2]) - 1;
    let status = validUntil < ref ? 2 : 1;
    if (m.death !== null && rng.chance(0.85)) status = 3;
    rows.cl_certificate.push([d.certNo, m.id, d.type, d.level, isoOf(d.issued), isoOf(validUntil), status]);
    const deathEnd = (): string | null =>
      m.death !== null && !rng.chance(DEMO_DEFECTS.aidNotStoppedAtDeath) ? monthOf(m.death) : null;

    // 困难残疾人生活补贴: for the disabled in 低保 households (and some other low-income ones).
    const dibao = h.dibaoSpells.get(m);
    const onTekun = h.tekunSpells.has(m) || h.childSpells.has(m);
    const living = onTekun ? rng.chance(0.03) : dibao ? rng.chance(0.85) : h.poor ? rng.chance(0.3) : false;
    if (living) {
      const from = Math.max(d.issued, dibao?.start ?? d.issued) + rng.int(0, 60);
      if (from <= (m.death ?? ref)) {
        const endYm = dibao?.end != null && m.death === null ? monthOf(dibao.end) : deathEnd();
        rows.cl_subsidy.push([d.certNo, 'SH', monthOf(from), endYm, d.level <= 2 ? 15000 : 10000, subsidyStatus(d.certNo, 'SH', monthOf(from), endYm, monthOf(ref))]);
      }
    }
    // 重度残疾人护理补贴: levels 1 and 2; a few are missed.
    if (d.level <= 2 && rng.chance(0.88)) {
      const from = d.issued + rng.int(15, 90);
      if (from <= (m.death ?? ref)) {
        const endYm = deathEnd();
        rows.cl_subsidy.push([d.certNo, 'HL', monthOf(from), endYm, d.level === 1 ? 15000 : 10000, subsidyStatus(d.certNo, 'HL', monthOf(from), endYm, monthOf(ref))]);
      }
    }
    // 康复救助
    const last = m.death ?? ref;
    if (m.age < 18 && rng.chance(0.55)) {
      const service = d.type === 2 ? (rng.chance(0.3) ? '人工耳蜗植入' : '助听器验配及听力言语康复') : d.type === 5 || d.type === 7 ? '孤独症及智力残疾儿童康复训练' : '肢体残疾儿童康复训练';
      const amount = service === '人工耳蜗植入' ? fen(rng.int(60000, 120000), 100) : fen(rng.int(10000, 24000), 100);
      for (const yearsAgo of [1, 0]) {
        const date = day(rng, Math.max(d.issued, ref - 365 * (yearsAgo + 1)), Math.min(last, ref - 365 * yearsAgo));
        if (date !== null) rows.cl_rehab_aid.push([d.certNo, service, isoOf(date), amount, rehabStatus(`${d.certNo}/${service}/${isoOf(date)}`)]);
        if (service === '人工耳蜗植入') break;
      }
    } else if (m.age >= 18 && rng.chance(0.07)) {
      const date = day(rng, Math.max(d.issued, ref - 730), last);
      if (date === null) continue;
      const [service, lo, hi] =
        d.type === 1 ? (['白内障复明手术', 1200, 2500] as const)
        : d.type === 6 ? (['精神障碍患者服药补贴', 600, 1200] as const)
        : d.type === 4 && rng.chance(0.3) ? (['假肢矫形器装配', 3000, 15000] as const)
        : (['辅助器具适配', 300, 3000] as const);
      rows.cl_rehab_aid.push([d.certNo, service, isoOf(date), fen(rng.int(lo, hi), 10), rehabStatus(`${d.certNo}/${service}/${isoOf(date)}`)]);
    }
  }
}

/** 残联's facts of planted cases (tools/generate/plant.ts). */
const PLANT: DepartmentPlant = {
  certificate(s, who, type, level) {
    const certNo = `${who.id}${type}${level}`;
    s.push('cl_certificate', { cert_no: certNo, id_card: who.id, dis_type: type, dis_level: level, issue_date: addMonths(s.ref, -70), valid_until: null, cert_status: 1 });
    return certNo;
  },
  subsidy(s, certNo, type, start, end, status) {
    s.push('cl_subsidy', { cert_no: certNo, sub_type: type, start_ym: start.slice(0, 7), end_ym: end === null ? null : end.slice(0, 7), monthly_fen: type === 'SH' ? 9_000 : 10_000, sub_status: status === 'REVOKED' ? 4 : status === 'SUSPENDED' ? 2 : end !== null && end.slice(0, 7) < s.ref.slice(0, 7) ? 3 : 1 });
  },
};

export const DISABILITY_DEMO: DepartmentDemo = { tables: TABLES, steps: [{ rank: 40, run: disability }], plant: PLANT };
