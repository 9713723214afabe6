/**
 * Reported aid in the demo population, as the demo reporter clients (access/demo-clients.ts) would
 * have sent it, at rates like a prefecture city's: 冬春救助 to about 6% of households in hardship
 * each winter (December–May; 300–1,000 yuan), 受灾人员过渡期生活救助 to a few households hit by a
 * flood (about 0.3%; 3 months, 600 yuan a month per person), 希望工程助学 and 春蕾计划 to about 4%
 * of pupils of poor households (girls for 春蕾), "两癌"救助 to about 1% of poor women aged 35–64
 * (10,000 yuan), 慈善医疗救助 and 济时救 99 公益日 grants to 2–3% of poor households, 法律援助 (a
 * service, 0 fen) to about 1%. Rows carry the content hash the ledger keeps, so a demo reporter
 * sending one of them again is told it is already recorded.
 */
import { addDays, type IsoDate } from '../../domain/dates';
import type { OfficeCode } from '../../domain/departments';
import { contentHash, type ValidReportedAid } from '../../domain/reported-aid/validate';
import type { DemoCell, DemoHousehold, DemoRandom, DepartmentDemo } from '../demo-contract';

const COLUMNS = [
  'reporter_client',
  'reporter_office',
  'reporter_credit_code',
  'reference',
  'entry_kind',
  'supersedes_reference',
  'beneficiary_id_number',
  'programme',
  'grant_date',
  'period_start',
  'period_end',
  'amount_fen',
  'settlement_ref',
  'case_reference',
  'need_id',
  'content_hash',
  'received_at',
] as const;

/** The demo reporters (access/demo-clients.ts), with the programmes each reports. */
const REPORTERS: Record<string, { client: string; office: OfficeCode; creditCode: string | null }> = {
  EMERGENCY_MANAGEMENT: { client: 'demo-emergency', office: 'EMERGENCY_MANAGEMENT', creditCode: null },
  JUSTICE: { client: 'demo-justice', office: 'JUSTICE', creditCode: null },
  YOUTH_LEAGUE: { client: 'demo-youth-league', office: 'YOUTH_LEAGUE', creditCode: null },
  WOMENS_FEDERATION: { client: 'demo-womens-federation', office: 'WOMENS_FEDERATION', creditCode: null },
  CHARITY: { client: 'demo-charity', office: 'CHARITY', creditCode: '53370800MJD12345XD' },
};

/** The most recent winter-spring season's start (1 December) on or before the reference date. */
function lastWinter(ref: IsoDate): IsoDate {
  const y = Number(ref.slice(0, 4));
  const start = `${y}-12-01`;
  return start <= ref ? start : `${y - 1}-12-01`;
}

function household(h: DemoHousehold, rng: DemoRandom, ref: IsoDate): Record<string, DemoCell[][]> {
  const rows: DemoCell[][] = [];
  let n = 0;
  const add = (office: keyof typeof REPORTERS, idNumber: string, programme: string, when: { grantDate: IsoDate } | { periodStart: IsoDate; periodEnd: IsoDate }, amountFen: number) => {
    const r = REPORTERS[office];
    const record: ValidReportedAid = {
      reference: `DEMO-${programme}-${h.id}-${++n}`,
      entryKind: 'AID',
      supersedesReference: null,
      beneficiaryIdNumber: idNumber,
      programme,
      grantDate: 'grantDate' in when ? when.grantDate : null,
      periodStart: 'periodStart' in when ? when.periodStart : null,
      periodEnd: 'periodEnd' in when ? when.periodEnd : null,
      amountFen,
      settlementRef: null,
      caseReference: null,
      needId: null,
    };
    const day = record.grantDate ?? record.periodStart!;
    const received = addDays(day, rng.int(1, 20));
    rows.push([r.client, r.office, r.creditCode, record.reference, 'AID', null, idNumber, programme, record.grantDate, record.periodStart, record.periodEnd, amountFen, null, null, null, contentHash(record), `${received > ref ? ref : received} 02:00:00.000`]);
  };
  const alive = h.members.filter((m) => m.deathDate === null);
  if (alive.length === 0) return {};
  const head = alive.reduce((a, b) => (a.age >= b.age ? a : b));
  const recent = (days: number) => addDays(ref, -rng.int(1, days));

  if (h.poor && rng.chance(0.06)) {
    const grant = addDays(lastWinter(ref), rng.int(0, 150));
    add('EMERGENCY_MANAGEMENT', head.idNumber, 'WINTER_SPRING_RELIEF', { grantDate: grant > ref ? ref : grant }, rng.int(3, 10) * 10_000);
  }
  if (rng.chance(h.poor ? 0.006 : 0.002)) {
    const start = recent(700);
    for (const m of alive) add('EMERGENCY_MANAGEMENT', m.idNumber, 'DISASTER_TRANSITION', { periodStart: start, periodEnd: addDays(start, 89) }, 60_000);
  }
  if (h.poor && rng.chance(0.01)) add('JUSTICE', head.idNumber, 'LEGAL_AID', { grantDate: recent(700) }, 0);
  for (const m of alive) {
    if (!h.poor) continue;
    if (m.age >= 6 && m.age <= 18 && rng.chance(0.04)) {
      if (m.gender === 'F' && rng.chance(0.5)) add('WOMENS_FEDERATION', m.idNumber, 'SPRING_BUD', { grantDate: recent(365) }, rng.pick([50_000, 100_000, 150_000]));
      else add('YOUTH_LEAGUE', m.idNumber, 'HOPE_PROJECT', { grantDate: recent(365) }, rng.pick([50_000, 100_000, 200_000]));
    }
    if (m.gender === 'F' && m.age >= 35 && m.age <= 64 && rng.chance(0.01)) add('WOMENS_FEDERATION', m.idNumber, 'TWO_CANCERS_AID', { grantDate: recent(700) }, 1_000_000);
    if (m.age >= 6 && m.age <= 22 && rng.chance(0.02)) add('CHARITY', m.idNumber, 'CHARITY_EDUCATION', { grantDate: recent(365) }, rng.int(10, 50) * 10_000);
  }
  if (h.poor && rng.chance(0.03)) add('CHARITY', rng.pick(alive).idNumber, 'CHARITY_MEDICAL', { grantDate: recent(700) }, rng.int(10, 100) * 10_000);
  if (h.poor && rng.chance(0.02)) add('CHARITY', head.idNumber, 'CHARITY_JISHIJIU_99', { grantDate: recent(365) }, rng.int(5, 30) * 10_000);
  return rows.length > 0 ? { reported_aid: rows } : {};
}

export const REPORTED_DEMO: DepartmentDemo = { tables: { reported_aid: COLUMNS }, household };
