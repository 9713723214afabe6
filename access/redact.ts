/**
 * Error messages leave the hub without ID numbers or names. graphql-js quotes the caller's own
 * values back in parse, validation and coercion errors ("got invalid value …", "found …"); those
 * values are withheld, and any ID-number-like digits or Chinese text (a name) left are masked.
 */
import { scrub } from '../domain/privacy';
import { PROGRAMMES } from '../domain/programmes';

const WITHHELD = '(withheld)';

/** How much of a name the caller wrote (a field, an argument, a type) an error may quote back. */
export const ECHO_MAX = 48;
/** No error message is longer than this, whatever it quotes. */
export const MESSAGE_MAX = 500;

/**
 * Quoted names (graphql-js writes `Cannot query field "…"`, `Unknown argument "…"`, `Unknown type
 * "…"`) are cut to ECHO_MAX characters, and the whole message to MESSAGE_MAX: a caller's 10 KB
 * field name does not come back whole, nor fill a log.
 */
function shorten(message: string): string {
  const cut = message.replace(/"([^"]*)"/g, (quoted, inner: string) => (inner.length > ECHO_MAX ? `"${inner.slice(0, ECHO_MAX)}…" (${inner.length} characters)` : quoted));
  return cut.length > MESSAGE_MAX ? `${cut.slice(0, MESSAGE_MAX)}…` : cut;
}

/**
 * Where a value graphql-js printed (`inspect`: a JSON string, a list or an object, or a bare word
 * or number) that begins at `start` ends. A string is read to its closing quote past escaped ones,
 * a list or an object to its closing bracket, strings inside included: the value is the caller's,
 * and may hold "; " or `"` itself (`"王建国; 13800138000"`), which is where a pattern ending the
 * value at the first "; " stopped and let the rest through.
 */
function endOfPrintedValue(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 0) return i + 1;
    } else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth <= 0) return i + 1;
    } else if (depth === 0 && (c === ' ' || c === ';')) return i;
  }
  return text.length;
}

/** `got invalid value <value>` with the whole value withheld, however it is written. */
function withholdInvalidValues(message: string): string {
  const marker = 'got invalid value ';
  let out = '';
  let from = 0;
  for (let at = message.indexOf(marker, from); at >= 0; at = message.indexOf(marker, from)) {
    const start = at + marker.length;
    out += message.slice(from, start) + WITHHELD;
    from = endOfPrintedValue(message, start);
  }
  return out + message.slice(from);
}

/**
 * The last message redacted and its redaction: an answer's errors mostly share one message (a
 * refused entry of `households(ids:)` each, 5,000 in a request), and each is redacted twice
 * (server/app.ts: its log line, its answer). redactErrorMessage depends on its text alone; one entry
 * holds no more than the message it answers.
 */
let lastRedacted: { message: string; redacted: string } | null = null;

export function redactErrorMessage(message: string): string {
  if (lastRedacted?.message === message) return lastRedacted.redacted;
  const redacted = redactedMessage(message);
  lastRedacted = { message, redacted };
  return redacted;
}

function redactedMessage(message: string): string {
  return shorten(
    scrub(withholdInvalidValues(message))
      // Partial or over-long ID numbers that scrub's exact 18/20-character pattern leaves.
      .replace(/\d{12,}[\dXx]*/g, WITHHELD)
      .replace(/(cannot represent [^:]*: ).*$/g, `$1${WITHHELD}`)
      .replace(/(Value is not a valid [^:]*: ).*$/g, `$1${WITHHELD}`)
      // `found "…"` quotes a literal the caller wrote; `found <EOF>` or a count is harmless.
      .replace(/(found) ["{[].*?(\.?)$/g, `$1 ${WITHHELD}$2`)
      .replace(/(Syntax Error: Unexpected character: ).*$/g, `$1${WITHHELD}`)
      // Chinese text in an error is a value the caller sent (a name, an address), but for the hub's own programme names.
      .split(HUB_NAME)
      .map((part, i) => (i % 2 === 1 ? part : part.replace(/[\u3400-\u9fff\uf900-\ufaff\u{20000}-\u{2ffff}]+/gu, '…')))
      .join(''),
  );
}

/**
 * The hub's own programme names (the catalogue's, domain/programmes.ts), longest first, as one
 * capturing pattern: its messages name them (PROGRAMME_FOR_WOMEN: `TWO_CANCERS_AID: "两癌"救助 is for
 * women`, which read `"…"… is for women`). Such a message names the programme the caller sent by its
 * code, never a person; a caller's name or address around it is still blanked.
 */
const HUB_NAME = new RegExp(
  `(${[...new Set(PROGRAMMES.map((p) => p.name))]
    .sort((a, b) => b.length - a.length)
    .map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|')})`,
  'u',
);
