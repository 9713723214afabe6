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

/** A position in (division, id) order, the order households are paged under a division. */
export interface RegionCursor {
  regionCode: string;
  id: number;
}

export function encodeRegionCursor(c: RegionCursor): string {
  return encode(`${c.regionCode}:${c.id}`);
}

/** Null when the cursor was not made by encodeRegionCursor. */
export function decodeRegionCursor(cursor: string): RegionCursor | null {
  const m = REGION_CURSOR.exec(decode(cursor));
  return m ? { regionCode: m[1], id: Number(m[2]) } : null;
}
