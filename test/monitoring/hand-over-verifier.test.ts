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
  it('tells a move with a case’s hand-over (a takeover stands) from a move to another home (it ends one)', () => {
    const withCase = 'household 7 (370811001001) → 7 (370826100); case 3 handed over as case 9';
    expect(movedWithHandOver(withCase)).toBe(true);
    expect(formerRegionOfMove(withCase)).toBe('370811001001');
    expect(movedWithHandOver('household 7 (370811001001) → 8 (370826100)')).toBe(false);
    expect(movedWithHandOver(null)).toBe(false);
    // A reason of other words that merely ends alike is not one.
    expect(movedWithHandOver('逾期 case 3 handed over as case 9')).toBe(false);
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
