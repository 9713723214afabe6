import type { IsoDate } from '../dates';

/** The instant a calendar day begins in China (UTC+8, no daylight saving). */
export function chinaMidnight(day: IsoDate): Date {
  return new Date(`${day}T00:00:00+08:00`);
}
