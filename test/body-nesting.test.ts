/**
 * The request body's nesting guard (server/app.ts refuseDeepNesting) skips its byte-by-byte walk
 * when the body holds no more opening brackets than it allows (docs/performance.md, Session 28):
 * these bodies sit on each side of that shortcut, and the answer must not depend on which side.
 */
import { MAX_BODY_NESTING, refuseDeepNesting } from '../server/app';

const refused = (text: string, max = MAX_BODY_NESTING): boolean => {
  try {
    refuseDeepNesting(Buffer.from(text), max);
    return false;
  } catch (err) {
    expect(err).toMatchObject({ type: 'entity.nested.too.deep', status: 400 });
    return true;
  }
};

describe('refuseDeepNesting', () => {
  it('lets a body with no more brackets than the limit through, nested or not', () => {
    expect(refused(`${'['.repeat(3)}${']'.repeat(3)}`, 3)).toBe(false);
    expect(refused('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(refused('{"query":"{ a { b } }"}', 2)).toBe(false);
  });

  it('walks a body with more brackets than the limit, and refuses only what nests too deep', () => {
    // Four brackets, three levels at most: through with a limit of 3, refused with 2.
    expect(refused('{"a":[{"b":[]}]}', 3)).toBe(true);
    expect(refused('{"a":[{"b":1}],"c":{}}', 3)).toBe(false);
    expect(refused('{"a":[{"b":1}],"c":{}}', 2)).toBe(true);
    // Brackets inside strings (and after an escaped quote) do not nest.
    expect(refused(`{"query":"${'{'.repeat(40)}"}`, 3)).toBe(false);
    expect(refused(`{"q":"\\"${'['.repeat(40)}"}`, 3)).toBe(false);
    expect(refused(`{"q":"\\\\",${'['.repeat(3)}${']'.repeat(3)}}`, 3)).toBe(true);
  });

  it('refuses a body nested one level past the default limit, and not one at it', () => {
    const at = `{"v":${'['.repeat(MAX_BODY_NESTING - 1)}${']'.repeat(MAX_BODY_NESTING - 1)}}`;
    const past = `{"v":${'['.repeat(MAX_BODY_NESTING)}${']'.repeat(MAX_BODY_NESTING)}}`;
    expect(refused(at)).toBe(false);
    expect(refused(past)).toBe(true);
  });
});
