/** Page cursors (domain/cursor.ts): the same text as before they shared one codec, and nothing else accepted. */
import { decodeIdCursor, decodeRegionCursor, encodeIdCursor, encodeRegionCursor } from '../domain/cursor';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('id cursors', () => {
  it('are the tag and the id, base64url, and read back', () => {
    expect(encodeIdCursor('seq', 42)).toBe(b64('seq:42'));
    expect(encodeIdCursor('F', 7)).toBe(b64('F:7'));
    expect(decodeIdCursor('seq', encodeIdCursor('seq', 42))).toBe(42);
    expect(decodeIdCursor('S', encodeIdCursor('S', 999_999_999_999_999))).toBe(999_999_999_999_999);
  });

  it('refuse another tag, a zero or leading zero, a 16-digit id and anything else', () => {
    expect(decodeIdCursor('S', encodeIdCursor('F', 7))).toBeNull();
    expect(decodeIdCursor('F', b64('F:0'))).toBeNull();
    expect(decodeIdCursor('F', b64('F:07'))).toBeNull();
    expect(decodeIdCursor('F', b64('F:1000000000000000'))).toBeNull();
    expect(decodeIdCursor('F', b64('F:7 '))).toBeNull();
    expect(decodeIdCursor('F', 'not a cursor')).toBeNull();
  });
});

describe('region cursors', () => {
  it('are the division code and the household id, base64url, and read back', () => {
    expect(encodeRegionCursor({ regionCode: '370811001', id: 12 })).toBe(b64('370811001:12'));
    expect(decodeRegionCursor(b64('370811001:12'))).toEqual({ regionCode: '370811001', id: 12 });
  });

  it('refuse a code that is not a division code and a cursor of another kind', () => {
    expect(decodeRegionCursor(b64('37081:12'))).toBeNull();
    expect(decodeRegionCursor(encodeIdCursor('seq', 12))).toBeNull();
  });
});
