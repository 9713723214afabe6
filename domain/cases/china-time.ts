/**
 * Instants and China dates. Hour limits (24 h, 2 h) run on instants; day limits run on the
 * calendar date in China. China keeps one zone, UTC+8, with no daylight saving since 1991, so the
 * conversion is a fixed offset and never depends on the server's own time zone.
 */
import type { IsoDate } from '../dates';

export const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** The calendar date in China at an instant. */
export function chinaDateOf(instant: Date): IsoDate {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** 00:00:00.000 China time on a date. */
export function startOfChinaDay(date: IsoDate): Date {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) - CHINA_OFFSET_MS);
}

/** 23:59:59.999 China time on a date: the last instant a day limit still counts as met. */
export function endOfChinaDay(date: IsoDate): Date {
  return new Date(startOfChinaDay(date).getTime() + 24 * HOUR_MS - 1);
}

export function addHours(instant: Date, hours: number): Date {
  return new Date(instant.getTime() + hours * HOUR_MS);
}

/** Whole hours from `a` to `b` (negative when b is before a), rounded towards zero. */
export function wholeHoursBetween(a: Date, b: Date): number {
  return Math.trunc((b.getTime() - a.getTime()) / HOUR_MS);
}

/** An instant as ISO 8601 in China time with its offset: 2026-03-15T09:30:00.000+08:00. */
export function formatChinaInstant(instant: Date): string {
  return `${new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 23)}+08:00`;
}

/** Whole calendar days from a to b. */
export function calendarDaysBetween(a: IsoDate, b: IsoDate): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / (24 * HOUR_MS));
}
