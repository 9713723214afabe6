/**
 * The audit chain's row hash and the token hash are taken with one `crypto.hash` call each
 * (docs/performance.md, session 34): the same bytes hashed as before, so every chain written
 * before still verifies and every stored token hash still matches. The expected values were
 * computed by the Hash-object code they replaced (three `update`s; one), on rows and tokens with
 * text outside ASCII.
 */
import crypto from 'node:crypto';
import { rowHash } from '../access/audit';
import { tokenHash } from '../access/clients';

const row = {
  at: '2026-03-15 09:30:00.123',
  requestId: '0f8c2b9e-3d4a-4c1b-9e8f-1a2b3c4d5e6f',
  clientId: 7,
  clientName: '济宁市民政局 窗口',
  department: 'CIVIL_AFFAIRS',
  regionScope: '370800',
  purpose: 'ELIGIBILITY_REVIEW',
  caseReference: 'JN-2026/0042',
  channel: 'GRAPHQL',
  operation: 'BenchHousehold',
  operationHash: 'a'.repeat(64),
  subjectKind: 'HOUSEHOLD',
  subjectRef: 'k:3f9a',
  subjectLabel: '户 12 — 张𠀋',
  outcome: 'OK',
  officer: 'officer-9',
  rootFields: 'household',
};

describe('one-shot SHA-256', () => {
  it('hashes an audit row as the Hash object did', () => {
    expect(rowHash('b'.repeat(64), 41, row as never)).toBe('e222767e8dd9e82125fc3d3ad64050a3de3c6e46c7a25c28fc5385bcef8b6aad');
  });

  it('hashes a token as the Hash object did', () => {
    const token = 'ahk_éé𠀋-token';
    expect(tokenHash(token)).toBe('0282e21a6a34f7e5d745cb2807da2c3eaa910ed6f9836e2ca21334b794fa189f');
    expect(tokenHash(token)).toBe(crypto.createHash('sha256').update(token, 'utf8').digest('hex'));
  });
});
