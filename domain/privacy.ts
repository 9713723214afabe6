import { checkIdNumber, isOldIdNumber } from './id-number';
import { asciiDigits, formatCharactersLeftOut, formatCharactersLeftOutAt } from './text-screen';

/**
 * Personal data never reaches a log in clear. Anything that looks like an ID number (18
 * characters) or a disability certificate number (20) is masked before text is logged, and so is
 * an old 15-digit ID number (`110105900101123`, `110105 900101 123`) and an ID number written in
 * parts (`110105 19900101 1234`, `1101-0519-9001-0112-34`).
 */
/** Bounded by non-digits, not word boundaries: `ID110105…` or `…1234号` must be caught too. */
const ID_LIKE = /(?<!\d)(\d{6})\d{8,10}(\d{3}[\dXx])(?!\d)/g;
/**
 * Fifteen digits alone (GB 11643-1989: address code, yymmdd, sequence), still on old papers and
 * in older department systems; masked only when they can be one (`isOldIdNumber`), so an order or
 * file number of 15 digits stays as it is.
 */
const OLD_ID_LIKE = /(?<!\d)\d{15}(?!\d)/g;

/**
 * Digit groups joined by separators people write between an ID number's parts (as
 * domain/id-number.ts mayContainIdNumber reads them), list separators among them: a value joined
 * with "; " or ", " (`370811; 19900101; 123X`, a form's fields run together) passed whole.
 * Only from the first digit of a run (`(?<!\d)`): a match starting inside a run is one the run's
 * first digit would have made, and without the look-behind a run of digits with no separator after
 * it was tried again from each of its digits, each try reading the rest of the run (90,000 digits
 * in a case's summary held the event loop for seconds).
 */
const SPLIT_RUN = /(?<!\d)\d+(?:[\s._:/;,，；、-]+\d+)+[Xx]?/g;
const SEPARATORS = /([\s._:/;,，；、-]+)/;

function masked(idNumber: string): string {
  return `${idNumber.slice(0, 6)}********${idNumber.slice(14)}`;
}

/** An old 15-digit number masked like an 18-character one: address code and sequence kept, birth date hidden. */
function maskedOld(idNumber: string): string {
  return `${idNumber.slice(0, 6)}******${idNumber.slice(12)}`;
}

/**
 * How people write an ID number in parts: address code, birth date, the rest (6-8-4 or 6-8-3-1),
 * or in fours (4-4-4-4-2). Groups in one of these shapes with a possible birth date are an ID
 * number even when its check character is wrong: a clerk's typo still names the person.
 */
const WRITTEN_SHAPES = new Set(['6,8,4', '6,8,3,1', '4,4,4,4,2']);
/** An old 15-digit number written in its parts: address code, yymmdd, sequence. */
const OLD_WRITTEN_SHAPE = '6,6,3';

function spellsIdNumber(groups: readonly string[], joined: string): boolean {
  const check = checkIdNumber(joined);
  if (check.ok) return true;
  return check.problem === 'CHECKSUM' && WRITTEN_SHAPES.has(groups.map((g) => g.length).join(','));
}

/** What masking puts in place of part of a text: the units start..end (UTF-16, end excluded) become `text`. */
interface Cut {
  start: number;
  end: number;
  text: string;
}

/** The text with its cuts (in order, apart) made. */
function withCuts(text: string, cuts: readonly Cut[]): string {
  let out = '';
  let last = 0;
  for (const c of cuts) {
    out += text.slice(last, c.start) + c.text;
    last = c.end;
  }
  return out + text.slice(last);
}

/**
 * The ID numbers a run of digit groups spells, each as the cut that masks it (its groups and the
 * separators between them): whole groups in a row whose digits joined are a valid ID number (a
 * possible birth date at 7-14 and the right check character), or have an ID number's written shape
 * (WRITTEN_SHAPES). Any other grouping must pass the check character, which keeps dates, times,
 * amounts, phone and file numbers written in parts as they are: a run of groups that happens to have
 * 18 digits and a possible birth date at 7-14 still fails it ten times in eleven.
 */
function splitIdNumberCuts(run: string): Cut[] {
  const parts = run.split(SEPARATORS); // groups at even indices, separators between
  const at: number[] = [];
  let offset = 0;
  for (const p of parts) {
    at.push(offset);
    offset += p.length;
  }
  const cuts: Cut[] = [];
  let i = 0;
  while (i < parts.length) {
    let joined = '';
    let found = -1;
    const groups: string[] = [];
    let old = false;
    for (let last = i; last < parts.length && joined.length < 18; last += 2) {
      joined += parts[last];
      groups.push(parts[last]);
      if (joined.length === 18 && spellsIdNumber(groups, joined)) found = last;
      // Only in its own shape: any 15 digits in parts would take dates and amounts along.
      if (joined.length === 15 && groups.map((g) => g.length).join(',') === OLD_WRITTEN_SHAPE && isOldIdNumber(joined)) {
        found = last;
        old = true;
        break;
      }
    }
    if (found >= 0) {
      cuts.push({ start: at[i], end: at[found] + parts[found].length, text: old ? maskedOld(joined) : masked(joined) });
      // On to the group after the separator that follows it: another number may begin there.
      i = found + 2;
    } else {
      i += 2;
    }
  }
  return cuts;
}

/**
 * An ID number as a client may write it in full-width characters (a Chinese input method's
 * full-width mode: `３７０８１１…`, `－` between parts, a final `Ｘ`) or with invisible characters
 * between its digits (a zero-width space or joiner, a soft hyphen, a Mongolian vowel separator): read
 * as the ASCII it shows, so the masks below find it. Only these change in a logged text; its Chinese
 * punctuation stays as written, and so do the joiners its scripts need where they need them
 * (domain/text-screen.ts formatCharactersLeftOut: U+180E in a Mongolian word, U+200C/U+200D in a
 * Uyghur one or an emoji family), which stand between letters, never between a number's digits.
 */
const FULL_WIDTH_ID_CHARACTERS = /[\uff38\uff58\uff0d\uff0e\uff0f\uff1a\uff3f]/g;

export function scrub(text: string): string {
  return masksIn(readingWithPlaces(text));
}

/** The text as scrub reads it: the ID number a full-width or invisibly split one shows. */
function asRead(text: string): string {
  return asciiDigits(formatCharactersLeftOut(text)).replace(FULL_WIDTH_ID_CHARACTERS, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** One pass of the masks: what it looks for, and the cuts (in the match, in order, apart) that mask a match. */
interface MaskPass {
  find: RegExp;
  cutsOf: (m: RegExpMatchArray) => Cut[];
}

/** The whole match given way to `text`; none when `text` is null (a match that is no ID number). */
function whole(m: RegExpMatchArray, text: string | null): Cut[] {
  return text === null ? [] : [{ start: 0, end: m[0].length, text }];
}

/** A run of digits (an ID number's final X among them) in the reading, from its first digit. */
const DIGIT_RUN = /(?<![\dXx])\d[\dXx]*/g;

/**
 * The ID numbers a run of digits glued by invisible characters spells (`110101199003070011\u200b110101199003070038`,
 * one read as 36 digits, which ID_LIKE and OLD_ID_LIKE leave as no number is bounded by non-digits):
 * where the reading left a character out (`dropped`, positions in the run) the run is cut in parts,
 * and parts in a row whose characters joined are a valid ID number (its check character right) or
 * an old 15-digit one (isOldIdNumber) are masked, each on its own. A run with no character left out
 * in it gives none: 36 digits written as such stay, as ID_LIKE's bounds keep them.
 */
function gluedIdNumberCuts(run: string, dropped: (at: number) => boolean): Cut[] {
  const parts: { start: number; end: number }[] = [];
  let start = 0;
  for (let k = 1; k < run.length; k++) {
    if (dropped(k)) {
      parts.push({ start, end: k });
      start = k;
    }
  }
  if (parts.length === 0) return [];
  parts.push({ start, end: run.length });
  const cuts: Cut[] = [];
  let i = 0;
  while (i < parts.length) {
    // An 18-character number before an old one its first 15 digits may make.
    let found: { last: number; cut: Cut } | null = null;
    for (let last = i; last < parts.length && parts[last].end - parts[i].start <= 18; last += 1) {
      const joined = run.slice(parts[i].start, parts[last].end);
      const at = { start: parts[i].start, end: parts[last].end };
      if (joined.length === 18 && checkIdNumber(joined).ok) found = { last, cut: { ...at, text: masked(joined) } };
      else if (joined.length === 15 && /^\d+$/.test(joined) && isOldIdNumber(joined)) found = { last, cut: { ...at, text: maskedOld(joined) } };
    }
    if (found) {
      cuts.push(found.cut);
      i = found.last + 1;
    } else {
      i += 1;
    }
  }
  return cuts;
}

/** The masks every text gets, in the order they are made: each pass reads the text as the ones before it left it. */
const FIXED_PASSES: readonly MaskPass[] = [
  { find: ID_LIKE, cutsOf: (m) => whole(m, `${m[1]}********${m[2]}`) },
  { find: OLD_ID_LIKE, cutsOf: (m) => whole(m, isOldIdNumber(m[0]) ? maskedOld(m[0]) : null) },
  { find: SPLIT_RUN, cutsOf: (m) => splitIdNumberCuts(m[0]) },
];

/**
 * The masks, in the order they are made. Where the reading left characters out (`dropped`,
 * positions in `plain`), a first pass reads the runs they glued, before any mask moved them; with
 * none left out it would cut nothing (gluedIdNumberCuts), so it is not made: the passes are then
 * the fixed ones, made once.
 */
function maskPasses(dropped: ReadonlySet<number>): readonly MaskPass[] {
  if (dropped.size === 0) return FIXED_PASSES;
  return [{ find: DIGIT_RUN, cutsOf: (m) => gluedIdNumberCuts(m[0], (k) => dropped.has(m.index! + k)) }, ...FIXED_PASSES];
}

/** The cuts one pass makes in a text, placed in it. */
function passCuts(text: string, pass: MaskPass): Cut[] {
  const cuts: Cut[] = [];
  for (const m of text.matchAll(pass.find)) {
    for (const c of pass.cutsOf(m)) cuts.push({ start: m.index! + c.start, end: m.index! + c.end, text: c.text });
  }
  return cuts;
}

function masksIn({ plain, dropped }: Reading): string {
  return maskPasses(dropped).reduce((text, pass) => withCuts(text, passCuts(text, pass)), plain);
}

/**
 * Prose with any ID number in it masked as scrub masks it, and nothing else changed: the number is
 * found as scrub reads the text (full-width, in parts, split by invisible characters), and only the
 * characters from its first to its last, as written, give way to the mask. Every other character
 * stays as written, in a text with a number as in one without: an invisible one beside the number
 * (a zero-width space the prose screen then refuses, as it refuses it in a text without a number),
 * full-width digits and colons of a date, the joiners of a Mongolian or Uyghur word. Texts masked
 * where no screen reads them (an older stored text the upgrade masks, db/setup/upgrades.ts; a
 * department's aid reference and stored prose on the printed brief, server/case-pages.ts) thus
 * keep what was written but the number.
 */
export function maskIdNumbersInText(text: string): string {
  const cuts = writtenCuts(readingWithPlaces(text));
  return cuts.length === 0 ? text : withCuts(text, cuts);
}

/**
 * The text as scrub reads it (asRead), and for each of its UTF-16 units the characters of the
 * text as written it reads (`from` to `to`): a full-width digit as its ASCII one, a character
 * formatCharactersLeftOut leaves out as nothing.
 */
interface Reading {
  plain: string;
  from: number[];
  to: number[];
  /** The units of `plain` before which the reading left a character out. */
  dropped: Set<number>;
}

/** The text's Reading: maskIdNumbersInText's only reading of it. */
function readingWithPlaces(text: string): Reading {
  const left = formatCharactersLeftOutAt(text);
  const from: number[] = [];
  const to: number[] = [];
  const dropped = new Set<number>();
  let plain = '';
  let l = 0;
  for (let i = 0; i < text.length; ) {
    if (l < left.length && left[l].start === i) {
      dropped.add(plain.length);
      i = left[l].end;
      l += 1;
      continue;
    }
    const c = String.fromCodePoint(text.codePointAt(i)!);
    const read = /[\p{Nd}\uff00-\uffef]/u.test(c) ? asRead(c) : c;
    for (let k = 0; k < read.length; k++) {
      from.push(i);
      to.push(i + c.length);
    }
    plain += read;
    i += c.length;
  }
  return { plain, from, to, dropped };
}

/**
 * The masks of maskIdNumbersInText, placed in the text as written: each ID number found in its
 * reading (maskPasses, in their order, as masksIn makes them) is cut from its first character as written to its
 * last, with whatever stands between them (an invisible character, a full-width dash); every other
 * character stays as written, an invisible one beside the number too, as in a text without one.
 */
function writtenCuts({ plain, from, to, dropped }: Reading): Cut[] {
  // The text as masked so far, and for each of its units the unit of `plain` it still is, or (a
  // mask's) -1 - the index in `took` of the units of `plain` that mask took, first and after last.
  let cur = plain;
  let at = Array.from({ length: plain.length }, (_, i) => i);
  const took: { first: number; end: number }[] = [];
  for (const pass of maskPasses(dropped)) {
    const made = passCuts(cur, pass);
    const nextAt: number[] = [];
    let last = 0;
    for (const c of made) {
      for (let k = last; k < c.start; k++) nextAt.push(at[k]);
      const span = { first: plain.length, end: 0 };
      for (const u of at.slice(c.start, c.end)) {
        span.first = Math.min(span.first, u >= 0 ? u : took[-1 - u].first);
        span.end = Math.max(span.end, u >= 0 ? u + 1 : took[-1 - u].end);
      }
      took.push(span);
      for (let k = 0; k < c.text.length; k++) nextAt.push(-took.length);
      last = c.end;
    }
    for (let k = last; k < cur.length; k++) nextAt.push(at[k]);
    cur = withCuts(cur, made);
    at = nextAt;
  }
  // Each mask, in the text as written: from the first character of the first unit of `plain` it
  // took to the last of the last one; two masks side by side (numbers glued by an invisible
  // character) each on its own, the character between them kept.
  const cuts: Cut[] = [];
  for (let k = 0; k < cur.length; ) {
    if (at[k] >= 0) {
      k += 1;
      continue;
    }
    let end = k;
    while (end < cur.length && at[end] === at[k]) end += 1;
    const { first, end: after } = took[-1 - at[k]];
    cuts.push({ start: from[first], end: to[after - 1], text: cur.slice(k, end) });
    k = end;
  }
  return cuts;
}

/**
 * What of an error may be logged. A driver's error (and drizzle's, which wraps it) carries the
 * statement and its parameters in its message: ID numbers, names, amounts. Of those only the
 * driver's code is kept (ER_BAD_DB_ERROR, ETIMEDOUT, …), which tells an operator what failed. Any
 * other error keeps its message, scrubbed.
 */
export function loggableError(err: unknown): { name: string; code?: string; message?: string } {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const name = String(e.name ?? typeof err);
  const code = e.cause?.code ?? e.code;
  if (typeof code === 'string' || typeof code === 'number') return { name, code: scrub(String(code)) };
  const message = String(e.message ?? '');
  // No code, but a statement: drizzle's "Failed query: … params: …" without a driver cause.
  if (/^Failed query:/i.test(message)) return { name };
  return { name, message: scrub(message) };
}
