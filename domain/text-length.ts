/**
 * Text lengths as the documented limits mean them: characters (Unicode code points). A JavaScript
 * string's `length` counts UTF-16 code units, in which an emoji or a rare CJK character (𠮷,
 * Extension B and beyond, common in names and places) counts twice, so 300 emoji were refused
 * against a limit of 500 characters. Code points are also what the database counts: a
 * MySQL/MariaDB VARCHAR(n) holds n characters in utf8mb4 (up to 4 bytes each), and a TEXT column's
 * 65,535 bytes hold at least 16,383 of them, more than any limit here.
 */

/** Characters (code points) in a text; a lone surrogate counts as one, as the database stores it. */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Whether a text has more than `max` characters. */
export function longerThan(text: string, max: number): boolean {
  // A text never has more characters than code units: most texts are decided without counting.
  return text.length > max && charCount(text) > max;
}

/** The first `max` characters of a text, never half of a surrogate pair. */
export function firstChars(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  let n = 0;
  for (const c of text) {
    if (n++ === max) break;
    out += c;
  }
  return out;
}
