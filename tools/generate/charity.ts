/**
 * The demo's charity linkage: the demo charity client's organisation and projects, and needs
 * published from cases of a small share of Jining households, with consents, claims, pledges and
 * deliveries (the deliveries recorded as reported aid).
 *
 * Rates (believable, not measured): about 6 in 1,000 households have an urgent case whose
 * remaining gap after government aid is passed to charities (a quarter of them, for the household's
 * living or its house, the whole household's need; the rest one member's) (Jining's 2021 plan counts a few
 * thousand 急难 cases a year in a city of 8 million); about half the needs find a pledge, a
 * third of those are fully covered, and about 40% of pledges are delivered so far. Amounts are
 * log-normal around ¥12,000 (medical), ¥3,000 (education), ¥5,000 (living, housing).
 * Written once: a hub that already holds needs is left as it is.
 */
import { and, asc, count, eq, isNull, like } from 'drizzle-orm';
import { charityProject } from '../../db/charity/schema';
import { claimNeed, createProject, deliver, insertNeed, pledge, recordConsent, registerOrganisation } from '../../db/charity/store';
import type { HubDb } from '../../db/connect';
import { openCase } from '../../db/cases/store';
import { household, householdMember } from '../../db/household/schema';
import { recordReportedAid } from '../../db/reported-aid/store';
import { concernsMinor, needsHealthConsent, type NeedPurpose } from '../../domain/charity/needs';
import { caseReference } from '../../domain/cases/reference';
import { departmentOffice } from '../../domain/cases/offices';
import { addDays, type IsoDate } from '../../domain/dates';
import { birthDateOf } from '../../domain/id-number';
import { validateReport } from '../../domain/reported-aid/validate';
import { Rng, seedOf } from '../../federation/demo-random';

/** 济宁市慈善总会 of the demo clients (access/demo-clients.ts). */
export const DEMO_CHARITY_CREDIT_CODE = '53370800MJD12345XD';
const NEED_RATE = 0.006;

/**
 * `wholeHousehold`: a need of the household's living or its house is the whole household's (no
 * member named; delivered to the head, who received it for the household); an illness or a
 * pupil's costs are one member's.
 */
const PURPOSES: { purpose: NeedPurpose; share: number; medianYuan: number; text: string; programme: string; wholeHousehold: boolean }[] = [
  { purpose: 'MEDICAL', share: 0.55, medianYuan: 12_000, text: '家庭成员患重病住院，医保报销和医疗救助后自付部分仍难以承担', programme: 'CHARITY_MEDICAL', wholeHousehold: false },
  { purpose: 'EDUCATION', share: 0.2, medianYuan: 3_000, text: '子女就学费用和生活费存在缺口，家庭无力负担', programme: 'CHARITY_EDUCATION', wholeHousehold: false },
  { purpose: 'LIVING', share: 0.15, medianYuan: 5_000, text: '主要劳动力突发变故，家庭基本生活暂时困难', programme: 'CHARITY_JISHIJIU_99', wholeHousehold: true },
  { purpose: 'HOUSING', share: 0.1, medianYuan: 5_000, text: '住房受损需维修，政府补助后仍有缺口', programme: 'CHARITY_JISHIJIU_99', wholeHousehold: true },
];

export interface CharityDemoSummary {
  needs: number;
  pledges: number;
  covered: number;
  deliveries: number;
}

export async function generateCharityDemo(hub: HubDb, opts: { charityClientName: string; today: IsoDate; seed: number }): Promise<CharityDemoSummary | null> {
  // Loaded once: its projects are written first. (Counting needs said "not loaded" whenever a small
  // demo (AIDHUB_DEMO_HOUSEHOLDS) drew none, and the next start died writing the projects again.)
  const [{ n }] = await hub.select({ n: count() }).from(charityProject).where(eq(charityProject.creditCode, DEMO_CHARITY_CREDIT_CODE));
  if (n > 0) return null;
  const rng = new Rng(seedOf(opts.seed, 1307));
  await registerOrganisation(hub, { creditCode: DEMO_CHARITY_CREDIT_CODE, name: '济宁市慈善总会', clientName: opts.charityClientName });
  const projects = new Map<NeedPurpose, number>();
  for (const [purpose, title, budgetFen] of [
    ['MEDICAL', '济时救 99 公益日 · 大病救助', 200_000_000],
    ['EDUCATION', '慈善助学 · 圆梦行动', 50_000_000],
    ['LIVING', '困境家庭急难救助', 30_000_000],
  ] as const) {
    projects.set(purpose, (await createProject(hub, { creditCode: DEMO_CHARITY_CREDIT_CODE, title, purpose, regionCode: '370800', budgetFen, reference: `DEMO-PROJECT-${purpose}` })).id);
  }

  const homes = await hub.select({ id: household.id, regionCode: household.regionCode }).from(household).where(like(household.regionCode, '3708%')).orderBy(asc(household.id));
  const summary: CharityDemoSummary = { needs: 0, pledges: 0, covered: 0, deliveries: 0 };
  const actor = { officer: 'demo-officer', office: departmentOffice('CIVIL_AFFAIRS') };
  // The demo charity's system names its officer, as a system used by staff does (X-Officer).
  const reporter = { clientName: opts.charityClientName, officer: 'jncs-demo-01', office: 'CHARITY' as const, creditCode: DEMO_CHARITY_CREDIT_CODE };
  for (const home of homes) {
    if (!rng.chance(NEED_RATE)) continue;
    const members = await hub.select().from(householdMember).where(and(eq(householdMember.householdId, home.id), isNull(householdMember.leftOn))).orderBy(asc(householdMember.idNumber));
    if (members.length === 0) continue;
    const member = rng.pick(members).idNumber;
    let r = rng.next();
    const kind = PURPOSES.find((p) => (r -= p.share) < 0) ?? PURPOSES[0];
    // The need's member, or none for the whole household's; its deliveries go to that member, or to the head.
    const beneficiary = kind.wholeHousehold ? null : member;
    const receivedBy = beneficiary ?? (members.find((m) => m.relation === 'HEAD') ?? members[0]).idNumber;
    const reportedOn = addDays(opts.today, -rng.int(5, 40));
    const opened = await openCase(
      hub,
      { householdId: home.id, origin: rng.chance(0.6) ? 'APPLICATION' : 'ACTIVE_DISCOVERY', urgency: rng.chance(0.4) ? 'URGENT' : 'NORMAL', summary: kind.text, reportedAt: new Date(`${reportedOn}T01:00:00Z`) },
      { actor, occurredAt: null, idempotencyKey: null, now: new Date() },
    );
    if (!opened.ok) continue;
    const facts = { householdId: home.id, purpose: kind.purpose, involvesHealth: false, beneficiaryBirthDate: beneficiary ? birthDateOf(beneficiary) : null, memberBirthDates: members.map((m) => birthDateOf(m.idNumber)) };
    const consent = await recordConsent(hub, {
      householdId: home.id,
      scopes: ['NEED_PUBLICATION', ...(needsHealthConsent(facts) ? (['HEALTH_DATA'] as const) : []), ...(concernsMinor(facts, opts.today) ? (['MINOR_DATA'] as const) : [])],
      givenBy: '户主',
      recordedByClient: 'demo-civil-affairs',
      recordedByOfficer: 'demo-officer',
      recordedAt: new Date(`${reportedOn}T02:00:00Z`),
      expiresOn: addDays(opts.today, 365),
    });
    const uncoveredFen = Math.max(50_000, Math.round(rng.logNormal(kind.medianYuan, 0.6)) * 100);
    const need = await insertNeed(hub, {
      caseId: opened.value,
      householdId: home.id,
      consentId: consent.id,
      countyCode: home.regionCode.slice(0, 6),
      purpose: kind.purpose,
      urgency: rng.chance(0.4) ? 'URGENT' : 'NORMAL',
      uncoveredFen,
      description: kind.text,
      involvesHealth: needsHealthConsent(facts),
      involvesMinor: concernsMinor(facts, opts.today),
      beneficiaryIdNumber: beneficiary,
      publishedByClient: 'demo-civil-affairs',
      publishedByOfficer: 'demo-officer',
      publishedAt: new Date(`${addDays(reportedOn, 2)}T02:00:00Z`),
      // Published from a case just opened, before any meeting of it: no reason was asked (a slip of the
      // household's other cases pending for it shows on the need, CharityNeed.governmentAidPending).
      governmentAidPendingReason: null,
    });
    summary.needs++;
    if (!rng.chance(0.5)) continue;
    await claimNeed(hub, { needId: need.id, creditCode: DEMO_CHARITY_CREDIT_CODE, workingDays: 5, now: new Date(), today: opts.today });
    const share = rng.chance(0.33) ? 1 : 0.3 + rng.next() * 0.6;
    const amountFen = Math.max(100, Math.round((uncoveredFen * share) / 100) * 100);
    // Pledged the day the need was published (at least 3 days before today), so every delivery
    // below (today or up to 3 days before) is dated on or after its pledge, as the store demands.
    const pledgedAt = new Date(`${addDays(reportedOn, 2)}T06:00:00Z`);
    const pledged = await pledge(hub, { needId: need.id, creditCode: DEMO_CHARITY_CREDIT_CODE, clientName: reporter.clientName, officer: reporter.officer, projectId: projects.get(kind.purpose) ?? null, amountFen: Math.min(amountFen, uncoveredFen), reference: `JNCS-DEMO-P-${String(need.id).padStart(6, '0')}`, now: pledgedAt, today: opts.today });
    if (!pledged.ok) continue;
    summary.pledges++;
    if (pledged.value.need.state === 'COVERED') summary.covered++;
    if (!rng.chance(0.4)) continue;
    const reference = `JNCS-DEMO-${String(need.id).padStart(6, '0')}`;
    const deliveredOn = addDays(opts.today, -rng.int(0, 3));
    const c = opened.value;
    const delivered = await deliver(
      hub,
      { pledgeId: pledged.value.pledge.id, creditCode: DEMO_CHARITY_CREDIT_CODE, officer: reporter.officer, amountFen: pledged.value.pledge.amountFen, deliveredOn, beneficiaryIdNumber: receivedBy, reference, settlementReference: null, now: new Date(), today: opts.today },
      async (tx, delivery) => {
        const checked = validateReport('CHARITY', [{ reference, beneficiaryIdNumber: receivedBy, programme: kind.programme, grantDate: deliveredOn, amountFen: delivery.amountFen, caseReference: caseReference(c, new Date(`${reportedOn}T01:00:00Z`)), needId: String(need.id) }], opts.today);
        if (!checked.ok) return { ok: false, errors: [] };
        const recorded = await recordReportedAid(tx, checked.records, reporter);
        return recorded.ok ? null : { ok: false, errors: [] };
      },
    );
    if (delivered.ok) summary.deliveries++;
  }
  return summary;
}
