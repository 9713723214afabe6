/**
 * Personal data never reaches a log in clear. Anything that looks like an ID number (18
 * characters) or a disability certificate number (20) is masked before text is logged.
 */
const ID_LIKE = /\b(\d{6})\d{8,10}(\d{3}[\dXx])\b/g;

export function scrub(text: string): string {
  return text.replace(ID_LIKE, (_m, head: string, tail: string) => `${head}********${tail}`);
}
