/**
 * How long a charity's claim on a need holds, in working days (CHARITY_CLAIM_WORKING_DAYS,
 * default 5): long enough to contact the office and decide, short enough that an abandoned claim
 * does not keep a need's detail open. Localities set their own.
 */
export const DEFAULT_CLAIM_WORKING_DAYS = 5;

/** Read once, by db/config.ts loadConfig (HubConfig.charityClaimWorkingDays), which the claims use. */
export function claimWorkingDays(env: NodeJS.ProcessEnv): number {
  const raw = env.CHARITY_CLAIM_WORKING_DAYS;
  if (raw === undefined || raw === '') return DEFAULT_CLAIM_WORKING_DAYS;
  // Decimal digits only, as every number setting (db/config.ts DECIMAL_DIGITS): `Number` read 0x5 as 5.
  const n = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 60) throw new Error('CHARITY_CLAIM_WORKING_DAYS must be a whole number of working days from 1 to 60, in decimal digits');
  return n;
}
