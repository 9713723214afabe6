/**
 * 转交县级审批 without a server: which approvals a township holds is the locality's data (the trigger
 * set's townshipApproval, per county where they differ), and a case forwarded to the county has its
 * township review met by the forward and no APPROVAL limit from then (the seeds set the county none),
 * as it stood at each asOf.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTriggerSet } from '../../rules/triggers-load';
import { TriggerSetError } from '../../domain/monitoring/triggers';
import { forwardTargetRefusal, townshipMayApprove } from '../../domain/cases/county-approval';
import { caseDeadlines, type CaseTimeline } from '../../domain/cases/deadlines';
import { overdueReport } from '../../domain/cases/supervision';

const cn = (local: string) => new Date(`${local}+08:00`);

function withOverride(content: unknown) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'township-approval-')), 'local.json');
  fs.writeFileSync(file, JSON.stringify(content));
  return loadTriggerSet({ AIDHUB_TRIGGERS_FILE: file });
}

describe('which approvals a township holds', () => {
  it('by default: 低保 and 特困 are the county’s, everything else the township’s', () => {
    const rule = loadTriggerSet({}).townshipApproval;
    expect(rule.notDelegated).toEqual(['DIBAO', 'TEKUN']);
    expect(townshipMayApprove(rule, '370811001', 'DIBAO')).toBe(false);
    expect(townshipMayApprove(rule, '370811001', 'TEKUN')).toBe(false);
    expect(townshipMayApprove(rule, '370811001', 'TEMP_AID')).toBe(true);
  });

  it('a locality’s file replaces it, a county of it differing', () => {
    const rule = withOverride({
      townshipApproval: { notDelegated: ['TEKUN'], basis: '济宁市 2026 年审批权限下放通知', counties: { '370826': { notDelegated: ['DIBAO', 'TEKUN', 'TEMP_AID'], basis: '微山县未下放' } } },
    }).townshipApproval;
    expect(townshipMayApprove(rule, '370811001', 'DIBAO')).toBe(true);
    expect(townshipMayApprove(rule, '370811001', 'TEKUN')).toBe(false);
    expect(townshipMayApprove(rule, '370826100', 'TEMP_AID')).toBe(false);
    expect(townshipMayApprove(rule, '370826100', 'DIBAO')).toBe(false);
  });

  it('refuses a programme the catalogue lacks, or a county that is no 6-digit code, naming the field', () => {
    const refused = (content: unknown) => {
      try {
        withOverride(content);
      } catch (err) {
        if (err instanceof TriggerSetError) return err.message;
        throw err;
      }
      throw new Error('no error');
    };
    expect(refused({ townshipApproval: { notDelegated: ['DIBOA'], basis: 'x' } })).toMatch(/field townshipApproval\.notDelegated.*not a programme/);
    expect(refused({ townshipApproval: { notDelegated: [], basis: 'x', counties: { '3708': { notDelegated: [], basis: 'y' } } } })).toMatch(/field townshipApproval\.counties\.3708: /);
  });

  it('takes a case for approval only to a county department that answers', () => {
    expect(forwardTargetRefusal('CIVIL_AFFAIRS')).toBeNull();
    expect(forwardTargetRefusal('370811001')).toBe('NOT_COUNTY_OFFICE');
    expect(forwardTargetRefusal('CHARITY')).toBe('UNKNOWN_OFFICE');
  });
});

describe('the deadlines of a forwarded case', () => {
  // Reported Monday 2026-03-02; investigating from 03-03; 20 working days run to 03-30.
  const reported = cn('2026-03-02T09:00:00');
  const investigating = { to: 'INVESTIGATING' as const, at: cn('2026-03-03T09:00:00') };
  const forwarded = { act: 'APPROVAL_FORWARDED' as const, at: cn('2026-04-02T10:00:00') };
  const t: CaseTimeline = { urgency: 'NORMAL', reportedAt: reported, transitions: [{ to: 'ACCEPTED', at: cn('2026-03-02T10:00:00') }, investigating], acts: [forwarded] };

  it('before the forward: the township’s 20 working days run, overdue after 03-30', () => {
    const at = caseDeadlines(t, cn('2026-04-01T10:00:00'));
    expect(at.map((d) => [d.kind, d.status])).toEqual([
      ['INVESTIGATION_OPINION', 'OVERDUE'],
      ['APPROVAL', 'OVERDUE'],
    ]);
  });

  it('from the forward: the review is met by it, and no APPROVAL limit is listed', () => {
    const at = caseDeadlines(t, cn('2026-05-20T10:00:00'));
    expect(at.map((d) => [d.kind, d.status, d.metAt])).toEqual([['INVESTIGATION_OPINION', 'MET_LATE', forwarded.at]]);
    // A state entered first meets the review first: the forward does not move it later.
    const decidedEarlier = { ...t, transitions: [...t.transitions, { to: 'FIRST_AID_GIVEN' as const, at: cn('2026-03-04T09:00:00') }] };
    expect(caseDeadlines(decidedEarlier, cn('2026-05-20T10:00:00'))[0]).toMatchObject({ status: 'MET', metAt: cn('2026-03-04T09:00:00') });
  });

  it('files what ran late before the forward under the township, not the county office that owns it now', () => {
    const facts = { case: 'c1', timeline: t, openedAt: reported, ownerOffice: 'CIVIL_AFFAIRS', townshipCode: '370811001', ownedBefore: [{ from: '370811001', at: forwarded.at }] };
    // As of 03-31, asked after the forward: both limits overdue then, the township's.
    const then = overdueReport([], [facts], cn('2026-03-31T10:00:00'), [], [], [], [], [], [], cn('2026-01-01T00:00:00'));
    expect(then.byOffice.map((g) => [g.office, g.cases.map((c) => c.deadline.kind)])).toEqual([['370811001', ['INVESTIGATION_OPINION', 'APPROVAL']]]);
    // As of 04-09: the review met late by the forward is the township's; the county holds the case, late on nothing.
    const now = overdueReport([], [facts], cn('2026-04-09T10:00:00'), [], [], [], [], [], [], cn('2026-01-01T00:00:00'));
    const byOffice = Object.fromEntries(now.byOffice.map((g) => [g.office, g]));
    expect(byOffice['370811001'].casesLate.map((l) => l.deadline.kind)).toEqual(['INVESTIGATION_OPINION']);
    expect(byOffice['370811001'].tally.caseDeadlines).toMatchObject({ metLate: 1, fellDue: 1 });
    expect(byOffice.CIVIL_AFFAIRS).toMatchObject({ casesLate: [], cases: [], forwardedForApproval: [{ case: 'c1' }] });
    expect(byOffice.CIVIL_AFFAIRS.tally.caseDeadlines).toMatchObject({ metLate: 0, overdue: 0, fellDue: 0 });
  });

  it('supervision lists it held by the county office since the forward, never overdue', () => {
    const report = overdueReport([], [{ case: 'c1', timeline: t, openedAt: reported, ownerOffice: 'CIVIL_AFFAIRS', townshipCode: '370811001' }], cn('2026-04-09T10:00:00'), [], [], [], [], [], [], cn('2026-01-01T00:00:00'));
    const [office] = report.byOffice;
    expect(office).toMatchObject({ office: 'CIVIL_AFFAIRS', countyCode: '370811', cases: [] });
    // 04-04 to 04-06 are 清明 (2026's notice): held 04-03, 04-07, 04-08 and 04-09.
    expect(office.forwardedForApproval).toEqual([{ case: 'c1', heldBy: 'CIVIL_AFFAIRS', forwardedBy: 'CIVIL_AFFAIRS', since: forwarded.at, workingDaysHeld: 4, provisional: false }]);
    // As it stood before the forward: the township's APPROVAL overdue, nothing forwarded.
    const before = overdueReport([], [{ case: 'c1', timeline: t, openedAt: reported, ownerOffice: '370811001', townshipCode: '370811001' }], cn('2026-04-01T10:00:00'));
    expect(before.byOffice[0].cases.map((c) => c.deadline.kind)).toEqual(['INVESTIGATION_OPINION', 'APPROVAL']);
    expect(before.byOffice[0].forwardedForApproval).toEqual([]);
    // Ended (the county rejected it): no longer held.
    const ended = { ...t, transitions: [...t.transitions, { to: 'REJECTED' as const, at: cn('2026-04-08T10:00:00') }] };
    expect(overdueReport([], [{ case: 'c1', timeline: ended, openedAt: reported, ownerOffice: 'CIVIL_AFFAIRS', townshipCode: '370811001' }], cn('2026-04-09T10:00:00')).byOffice).toEqual([]);
  });
});
