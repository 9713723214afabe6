/**
 * Error messages leave the hub without ID numbers or names. graphql-js quotes the caller's own
 * values back in parse, validation and coercion errors ("got invalid value …", "found …"); those
 * values are withheld, and any ID-number-like digits or Chinese text (a name) left are masked.
 */
import { scrub } from '../domain/privacy';

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

export function redactErrorMessage(message: string): string {
  return shorten(
    scrub(message)
      // Partial or over-long ID numbers that scrub's exact 18/20-character pattern leaves.
      .replace(/\d{12,}[\dXx]*/g, WITHHELD)
      .replace(/(got invalid value) .*?(; |$)/g, `$1 ${WITHHELD}$2`)
      .replace(/(cannot represent [^:]*: ).*$/g, `$1${WITHHELD}`)
      .replace(/(Value is not a valid [^:]*: ).*$/g, `$1${WITHHELD}`)
      // `found "…"` quotes a literal the caller wrote; `found <EOF>` or a count is harmless.
      .replace(/(found) ["{[].*?(\.?)$/g, `$1 ${WITHHELD}$2`)
      .replace(/(Syntax Error: Unexpected character: ).*$/g, `$1${WITHHELD}`)
      // Chinese text in an error can only be a value the caller sent: a name, an address.
      .replace(/[\u3400-\u9fff\uf900-\ufaff\u{20000}-\u{2ffff}]+/gu, '…')
  );
}
