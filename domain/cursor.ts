/**
 * Page cursors. A cursor is a position only the hub reads back, given out as base64url so that
 * clients pass it on as it is rather than build one. Every connection of the schema uses these.
 */
import { HUB_ID_DIGITS } from './hub-id';

const ID_CURSOR = new RegExp(`^([A-Za-z]+):(${HUB_ID_DIGITS})$`);
const REGION_CURSOR = new RegExp(`^(\\d{6,12}):(${HUB_ID_DIGITS})$`);

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function decode(cursor: string): string {
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/** A position by a positive integer key, tagged with what is paged (`seq`, `F` findings, `S` scans). */
export function encodeIdCursor(tag: string, id: number): string {
  return encode(`${tag}:${id}`);
}

/** Null when the cursor was not made by encodeIdCursor with this tag. */
export function decodeIdCursor(tag: string, cursor: string): number | null {
  const m = ID_CURSOR.exec(decode(cursor));
  return m && m[1] === tag ? Number(m[2]) : null;
}

/**
 * A position in the pages of a division's households: the division paged (its prefix,
 * domain/division-code.ts divisionPrefix) and the last household id given, as households are paged
 * in hub id order (db/household/region-pages.ts householdsUnderDivision).
 */
export interface DivisionCursor {
  prefix: string;
  id: number;
}

const DIVISION_CURSOR = new RegExp(`^H:(\\d{2}|\\d{4}|\\d{6}|\\d{9}|\\d{12}):(${HUB_ID_DIGITS})$`);

export function encodeDivisionCursor(c: DivisionCursor): string {
  return encode(`H:${c.prefix}:${c.id}`);
}

/** Null when the cursor was not made by encodeDivisionCursor. */
export function decodeDivisionCursor(cursor: string): DivisionCursor | null {
  const m = DIVISION_CURSOR.exec(decode(cursor));
  return m ? { prefix: m[1], id: Number(m[2]) } : null;
}

/**
 * A cursor of a division's pages as they were read before hub id order: a position in (village or
 * township, hub id) order, the household's own region code and id. It names no position in hub id
 * order (the households after it there are others), so it is refused as outdated, not read.
 */
const REGION_ORDER_CURSOR = new RegExp(`^(\\d{6,12}):(${HUB_ID_DIGITS})$`);

export function isRegionOrderCursor(cursor: string): boolean {
  return REGION_ORDER_CURSOR.test(decode(cursor));
}
