/**
 * Which office supervision files a case deadline under, without a server: the one that owned the case
 * when the deadline fell due (or when it was met, met before then), read from the case's changes of
 * owner (OWNER_CHANGED: an accepted hand-over slip, a forward to the county), not whoever owns it now.
 */
import type { CaseTimeline } from '../../domain/cases/deadlines';
import { deadlineOffice, overdueReport, ownerAt, type CaseFacts } from '../../domain/cases/supervision';

const cn = (local: string) => new Date(`${local}+08:00`);
const TOWNSHIP = '370811001';
// Reported Monday 2026-03-02: the investigation opinion is due by the end of 03-05, the approval of 03-30.
const reported = cn('2026-03-02T09:00:00');
const accepted = { to: 'ACCEPTED' as const, at: cn('2026-03-02T10:00:00') };
const since = cn('2026-03-01T00:00:00');

function facts(timeline: CaseTimeline, ownerOffice: string, ownedBefore: CaseFacts<string>['ownedBefore']): CaseFacts<string> {
  return { case: 'c1', timeline, openedAt: reported, ownerOffice, townshipCode: TOWNSHIP, ownedBefore };
}

/** Per office: the case's overdue and late deadlines and its tally of case deadlines. */
function filed(c: CaseFacts<string>, asOf: Date) {
  const report = overdueReport([], [c], asOf, [], [], [], [], [], [], since);
  return Object.fromEntries(report.byOffice.map((g) => [g.office, { cases: g.cases.map((x) => x.deadline.kind), casesLate: g.casesLate.map((x) => x.deadline.kind), tally: g.tally.caseDeadlines }]));
}

it('reads the owner at an instant from the changes: the office handing it on until the change, inclusive', () => {
  const c = { ownerOffice: 'HEALTH', ownedBefore: [{ from: TOWNSHIP, at: cn('2026-03-09T11:00:00') }, { from: 'CIVIL_AFFAIRS', at: cn('2026-03-20T11:00:00') }] };
  expect(ownerAt(c, cn('2026-03-05T23:59:59'))).toBe(TOWNSHIP);
  expect(ownerAt(c, cn('2026-03-09T11:00:00'))).toBe(TOWNSHIP);
  expect(ownerAt(c, cn('2026-03-10T00:00:00'))).toBe('CIVIL_AFFAIRS');
  expect(ownerAt(c, cn('2026-03-31T00:00:00'))).toBe('HEALTH');
  expect(ownerAt({ ownerOffice: 'HEALTH' }, cn('2026-03-05T00:00:00'))).toBe('HEALTH');
});

it('files a deadline that ran out before a hand-over under the office that let it, overdue and once met late', () => {
  const handedOver = [{ from: TOWNSHIP, at: cn('2026-03-09T11:00:00') }];
  const open = facts({ urgency: 'NORMAL', reportedAt: reported, transitions: [accepted] }, 'CIVIL_AFFAIRS', handedOver);
  expect(filed(open, cn('2026-03-10T10:00:00'))).toEqual({ [TOWNSHIP]: { cases: ['INVESTIGATION_OPINION'], casesLate: [], tally: expect.objectContaining({ overdue: 1, fellDue: 1 }) } });
  const met = facts({ urgency: 'NORMAL', reportedAt: reported, transitions: [accepted, { to: 'INVESTIGATING', at: cn('2026-03-10T09:00:00') }, { to: 'IN_DELIBERATION', at: cn('2026-03-11T16:00:00') }] }, 'CIVIL_AFFAIRS', handedOver);
  const at = filed(met, cn('2026-03-31T10:00:00'));
  expect(at[TOWNSHIP]).toEqual({ cases: [], casesLate: ['INVESTIGATION_OPINION'], tally: expect.objectContaining({ metLate: 1, overdue: 0, fellDue: 1 }) });
  // The approval fell due (03-30) while the county office owned the case: its own.
  expect(at.CIVIL_AFFAIRS).toEqual({ cases: ['APPROVAL'], casesLate: [], tally: expect.objectContaining({ metLate: 0, overdue: 1, fellDue: 1 }) });
});

it('files a forwarded case under the office holding it at asOf, and among the work of the township that forwarded it', () => {
  const forwardedAt = cn('2026-03-04T10:00:00');
  const timeline: CaseTimeline = { urgency: 'NORMAL', reportedAt: reported, transitions: [accepted], acts: [{ act: 'APPROVAL_FORWARDED', at: forwardedAt }] };
  // Forwarded by the township to 民政局, which handed it on to 医保 on 03-20.
  const c = facts(timeline, 'HEALTH', [{ from: TOWNSHIP, at: forwardedAt }, { from: 'CIVIL_AFFAIRS', at: cn('2026-03-20T11:00:00') }]);
  const held = (asOf: Date) => {
    const r = overdueReport([], [c], asOf, [], [], [], [], [], [], since);
    return {
      offices: Object.fromEntries(r.byOffice.map((g) => [g.office, g.forwardedForApproval.map((f) => [f.heldBy, f.forwardedBy])])),
      townships: r.byTownship.map((g) => g.forwardedForApproval.length),
      counties: r.byCounty.map((g) => g.forwardedForApproval.length),
    };
  };
  expect(held(cn('2026-03-10T10:00:00'))).toEqual({ offices: { [TOWNSHIP]: [['CIVIL_AFFAIRS', TOWNSHIP]], CIVIL_AFFAIRS: [['CIVIL_AFFAIRS', TOWNSHIP]] }, townships: [1], counties: [1] });
  expect(held(cn('2026-03-25T10:00:00'))).toEqual({ offices: { [TOWNSHIP]: [['HEALTH', TOWNSHIP]], HEALTH: [['HEALTH', TOWNSHIP]] }, townships: [1], counties: [1] });
});

it('files the lists read with the owner of their instant under that office (the caller reads it: db/cases/records.ts ownerWhen)', () => {
  const r = overdueReport<string, string>([], [], cn('2026-03-10T10:00:00'), [], [], [], [], [], [{ referral: 'waived', waivedAt: cn('2026-03-09T10:00:00'), ownerOffice: TOWNSHIP, townshipCode: TOWNSHIP }], since, [], [{ referral: 'corrected', supersededAt: cn('2026-03-04T10:00:00'), ownerOffice: 'CIVIL_AFFAIRS', townshipCode: TOWNSHIP }]);
  expect(r.byOffice.map((g) => [g.office, g.decisionsWaived.map((d) => d.referral), g.corrected.map((d) => d.referral)])).toEqual([
    [TOWNSHIP, ['waived'], []],
    ['CIVIL_AFFAIRS', [], ['corrected']],
  ]);
});

it('files an open decline under the office that owns the case at asOf, and among the offices also under the one it was declined under', () => {
  // Declined 03-03 while 民政局 owned the case; the township owns it at asOf: it must resolve it.
  const handedOn = { referral: 'handedOn', declinedAt: cn('2026-03-03T10:00:00'), ownerOffice: TOWNSHIP, declinedUnder: 'CIVIL_AFFAIRS', townshipCode: TOWNSHIP };
  const kept = { referral: 'kept', declinedAt: cn('2026-03-04T10:00:00'), ownerOffice: 'CIVIL_AFFAIRS', declinedUnder: 'CIVIL_AFFAIRS', townshipCode: TOWNSHIP };
  const r = overdueReport<string, string>([], [], cn('2026-03-10T10:00:00'), [], [handedOn, kept]);
  expect(r.byOffice.map((g) => [g.office, g.declinesOpen.map((d) => [d.referral, d.owner, d.declinedUnder])])).toEqual([
    [TOWNSHIP, [['handedOn', TOWNSHIP, 'CIVIL_AFFAIRS']]],
    ['CIVIL_AFFAIRS', [['handedOn', TOWNSHIP, 'CIVIL_AFFAIRS'], ['kept', 'CIVIL_AFFAIRS', 'CIVIL_AFFAIRS']]],
  ]);
  // Once in its township and county.
  expect(r.byTownship.map((g) => g.declinesOpen.map((d) => d.referral))).toEqual([['handedOn', 'kept']]);
  expect(r.byCounty.map((g) => g.declinesOpen.map((d) => d.referral))).toEqual([['handedOn', 'kept']]);
});

it('files a deadline met in time before a hand-over under the office that met it, though it fell due after', () => {
  const timeline: CaseTimeline = { urgency: 'NORMAL', reportedAt: reported, transitions: [accepted, { to: 'INVESTIGATING', at: cn('2026-03-02T11:00:00') }, { to: 'IN_DELIBERATION', at: cn('2026-03-03T10:00:00') }] };
  const c = facts(timeline, 'CIVIL_AFFAIRS', [{ from: TOWNSHIP, at: cn('2026-03-04T10:00:00') }]);
  const [opinion] = overdueReport([], [c], cn('2026-03-10T10:00:00'), [], [], [], [], [], [], since).byOffice;
  expect(opinion).toMatchObject({ office: TOWNSHIP, tally: { caseDeadlines: { metOnTime: 1, fellDue: 1 } } });
  expect(deadlineOffice(c, { dueAt: cn('2026-03-05T23:59:59.999'), endedBy: { to: 'IN_DELIBERATION', at: cn('2026-03-03T10:00:00') } })).toBe(TOWNSHIP);
  // Handed over before it fell due and not yet met: the office it fell due at.
  expect(deadlineOffice(c, { dueAt: cn('2026-03-30T23:59:59.999'), endedBy: null })).toBe('CIVIL_AFFAIRS');
});
