/**
 * The findings export's query string (GET /exports/scans/:id/findings.csv): a parameter it does not
 * take (a misspelt `townhsip=`, `severity[]=`) and one left empty (`township=`) are refused
 * MALFORMED_FILTER. Both were read as no filter, so a misspelt or emptied township exported every
 * finding of the scan in the caller's scope, with 200 and nothing to say the filter was not applied.
 */
import { exportFilter } from '../server/exports';

describe('the export filter', () => {
  it.each([
    [{ townhsip: '370811001' }, 'the export takes rule, severity, department, status, township, not townhsip'],
    [{ 'severity[]': 'CONFLICT' }, 'the export takes rule, severity, department, status, township, and no other parameter'],
    [{ township370811197504120312: '1' }, 'the export takes rule, severity, department, status, township, and no other parameter'],
    [{ township: '' }, 'township is given without a value: leave it out to filter by none'],
    [{ severity: ' , ' }, 'severity is given without a value: leave it out to filter by none'],
    [{ rule: ['', ''] }, 'rule is given without a value: leave it out to filter by none'],
  ])('%j is refused', (query, message) => {
    expect(exportFilter(query)).toEqual({ ok: false, message });
  });

  it('the parameters it takes still filter, and none given is no filter', () => {
    expect(exportFilter({ rule: 'x4', severity: 'conflict', township: '370811001', department: 'health', status: 'open' })).toMatchObject({
      ok: true,
      value: { ruleIds: ['X4'], severities: ['CONFLICT'], townshipCode: '370811001', departments: ['HEALTH'], statuses: ['OPEN'] },
    });
    expect(exportFilter({})).toMatchObject({ ok: true, value: { ruleIds: [], severities: [], departments: [], townshipCode: null, statuses: ['OPEN', 'CONFIRMED'] } });
  });
});
