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

/**
 * Characters no stored text may hold, whatever the field: C0 controls but tab, line feed and
 * carriage return (NUL among them: it truncates the text in some clients and tools), DEL and the C1
 * controls, the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069: they make a
 * stored text display in another order than it is stored, the "Trojan Source" trick, so a reason or
 * a reference could read as something else to the next officer), and lone surrogates (JSON can carry
 * them; the database stored each as U+FFFD, silently changing the text).
 */
const NEVER_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff]/u;
/** In a single-line text (a name, a reference, an officer), line breaks and tabs are a paste accident too. */
const NEVER_IN_LINE = /[\t\n\r\u2028\u2029]/u;

/**
 * What makes a text unfit to store, in words for a message (naming the character by its code point,
 * never the text), or null. `multiLine` fields (reasons, notes, summaries) keep line breaks and tabs;
 * in a single-line one they are refused inside the text: around it they are whitespace
 * the hub trims (a reference looked up as "DF-2026-020\n" is DF-2026-020).
 */
export function textProblem(text: string, multiLine: boolean): string | null {
  const bad = NEVER_IN_TEXT.exec(text) ?? (multiLine ? null : NEVER_IN_LINE.exec(text.trim()));
  if (!bad) return null;
  const c = bad[0];
  const at = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  if (c >= '\ud800' && c <= '\udfff') return `a lone surrogate (${at}), not a character`;
  if (/[\u202a-\u202e\u2066-\u2069]/.test(c)) return `a bidirectional control character (${at})`;
  if (NEVER_IN_LINE.test(c)) return `a line break or tab (${at}) in a single-line field`;
  return `a control character (${at})`;
}

/**
 * Characters that show nothing on their own: whitespace of any kind (the ideographic space U+3000
 * among it), controls, format characters (Unicode Cf: zero-width space, joiners, word joiner, soft
 * hyphen, bidi marks, BOM), line and paragraph separators, and the blank fillers (Hangul fillers,
 * braille blank) domain/text-screen.ts also refuses.
 */
const BLANK = /^[\s\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0\u2800]*$/u;

/**
 * Whether a text is empty to its reader: made only of characters that show nothing. `trim()` keeps
 * a zero-width space or a Hangul filler, so a decline "reason" of U+200B passed as given and
 * supervision listed a declined decision whose reason reads as nothing.
 */
export function isBlank(text: string): boolean {
  return BLANK.test(text);
}
