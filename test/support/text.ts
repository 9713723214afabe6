/**
 * Texts for length limits: `n` characters cycling through an emoji, a CJK Extension B character
 * (both two UTF-16 code units) and a common CJK one, so a text at a limit of characters is longer
 * than the limit in code units (domain/text-length.ts).
 */
export function chars(n: number): string {
  const cycle = ['😀', '𠮷', '救'];
  return Array.from({ length: n }, (_, i) => cycle[i % 3]).join('');
}
