/**
 * Pure rules of an alert that goes with its case's hand-over (db/monitoring/store.ts
 * followCaseHandOver): who verifies it in the new county, and the chain of cases its decision is
 * read over (domain/cases/chain.ts).
 */
import { verifierAfterHandOver } from '../../domain/monitoring/alerts';
import { formerRegionOfMove, movedWithHandOver } from '../../db/monitoring/store';
import { caseAndPredecessorIdsOf } from '../../domain/cases/chain';

describe('verifierAfterHandOver', () => {
  it('gives a township’s alert to the township the household lives in now', () => {
    expect(verifierAfterHandOver('370811001', '370826100')).toBe('370826100');
  });

  it('keeps a department, read as the new county’s office (civil affairs that took it over included)', () => {
    expect(verifierAfterHandOver('HUMAN_RESOURCES', '370826100')).toBe('HUMAN_RESOURCES');
    expect(verifierAfterHandOver('CIVIL_AFFAIRS', '370826100')).toBe('CIVIL_AFFAIRS');
  });
});

describe('movedWithHandOver', () => {
  type Event = Parameters<typeof movedWithHandOver>[0] & Parameters<typeof formerRegionOfMove>[0] & { reason: string | null };
  const withCase: Event = { action: 'MOVED', reason: 'household 7 (370811001001) → 7 (370826100); case 3 handed over as case 9', formerRegionCode: '370811001001', successorCaseId: 9 };
  const toNewHome: Event = { action: 'MOVED', reason: 'household 7 (370811001001) → 8 (370826100)', formerRegionCode: '370811001001', successorCaseId: null };

  it('tells a move with a case’s hand-over (a takeover stands) from a move to another home (it ends one)', () => {
    expect(movedWithHandOver(withCase)).toBe(true);
    expect(formerRegionOfMove(withCase)).toBe('370811001001');
    expect(movedWithHandOver(toNewHome)).toBe(false);
    expect(formerRegionOfMove(toNewHome)).toBe('370811001001');
  });

  it('reads what the event records, not its words: reworded or translated, the move is the same', () => {
    const reworded: Event = { ...withCase, reason: '户 7（370811001001）随案件 3 移交（新案件 9）迁至 370826100' };
    expect(movedWithHandOver(reworded)).toBe(true);
    expect(formerRegionOfMove(reworded)).toBe('370811001001');
    // Words of a hand-over on a move that recorded none, or on another action, make none.
    const worded: Event = { ...toNewHome, reason: withCase.reason };
    expect(movedWithHandOver(worded)).toBe(false);
    const takeover: Event = { action: 'TAKEN_OVER', reason: withCase.reason, formerRegionCode: null, successorCaseId: null };
    expect(movedWithHandOver(takeover)).toBe(false);
    expect(formerRegionOfMove(takeover)).toBeNull();
  });
});

describe('caseAndPredecessorIdsOf', () => {
  const cases = [
    { id: 3, predecessorCaseId: null },
    { id: 7, predecessorCaseId: 3 },
    { id: 9, predecessorCaseId: 7 },
    { id: 11, predecessorCaseId: null },
  ];

  it('walks a successor back to the first case, latest first', () => {
    expect(caseAndPredecessorIdsOf({ id: 9, predecessorCaseId: 7 }, cases)).toEqual([9, 7, 3]);
  });

  it('is the case alone when it continues none', () => {
    expect(caseAndPredecessorIdsOf({ id: 11, predecessorCaseId: null }, cases)).toEqual([11]);
  });

  it('stops at a loop rather than walking it for ever', () => {
    expect(caseAndPredecessorIdsOf({ id: 1, predecessorCaseId: 2 }, [{ id: 1, predecessorCaseId: 2 }, { id: 2, predecessorCaseId: 1 }])).toEqual([1, 2]);
  });
});
