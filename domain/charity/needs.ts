/**
 * Charity linkage (慈善衔接) as plain rules: what consent a published need requires, how a need
 * shows to charities (amount bands), and whether a pledge fits what is still uncovered.
 *
 * Basis: 民发〔2023〕46号 (civil affairs may pass a household's needs to charities, with its
 * consent, for people who do not qualify for government aid or are still in difficulty after it);
 * PIPL art. 28–29 (health data and data of children under 14 are sensitive and need separate
 * consent); seed 003 四(五)(七) (a platform matching urgent needs with charity projects).
 */
import { ageOn, type IsoDate } from '../dates';
import { chinaDateOf } from '../cases/china-time';
import { divisionPrefix } from '../division-code';
import { carriesLongNumber, HEALTH_WORDS, screeningForm, tellsOfYoungChild } from '../text-screen';

export const NEED_PURPOSES = ['MEDICAL', 'EDUCATION', 'HOUSING', 'LIVING', 'DISASTER', 'REHABILITATION', 'OTHER'] as const;
export type NeedPurpose = (typeof NEED_PURPOSES)[number];

export const CONSENT_SCOPES = ['NEED_PUBLICATION', 'HEALTH_DATA', 'MINOR_DATA'] as const;
export type ConsentScope = (typeof CONSENT_SCOPES)[number];

export type NeedState = 'OPEN' | 'COVERED' | 'WITHDRAWN';

export interface ConsentFacts {
  householdId: number;
  scopes: readonly ConsentScope[];
  expiresOn: IsoDate;
  revokedAt: Date | null;
}

export interface NeedFacts {
  householdId: number;
  purpose: NeedPurpose;
  /** True when the need rests on the household's health (always for MEDICAL and REHABILITATION). */
  involvesHealth: boolean;
  /** The person the need is for, when it is one person: a child under 14 needs MINOR_DATA. */
  beneficiaryBirthDate: IsoDate | null;
  /**
   * The birth dates of the household's current members (none who left): a need for the whole
   * household (no beneficiary) is about each of them, since what a claiming charity reads (the
   * description, the township, the case) and what it delivers reach the household's children too,
   * so a child under 14 among them needs MINOR_DATA.
   */
  memberBirthDates: readonly IsoDate[];
}

/**
 * What a published need rests on: its health flag as stored, and whether it concerns a child under
 * 14 as it stands today (the member it is for, or a child among the current members, under 14
 * today: db/charity/store.ts reads it with the need), as concernsMinor judges a need published today.
 */
export interface PublishedNeedFacts {
  householdId: number;
  involvesHealth: boolean;
  involvesMinor: boolean;
}

/** Children under this age are minors whose data need separate consent (PIPL art. 28). */
export const MINOR_AGE = 14;

export type ConsentProblem = 'CONSENT_OTHER_HOUSEHOLD' | 'CONSENT_REVOKED' | 'CONSENT_EXPIRED' | 'CONSENT_SCOPE_MISSING' | 'HEALTH_CONSENT_MISSING' | 'MINOR_CONSENT_MISSING';

export function needsHealthConsent(need: Pick<NeedFacts, 'purpose' | 'involvesHealth'>): boolean {
  return need.involvesHealth || need.purpose === 'MEDICAL' || need.purpose === 'REHABILITATION';
}

/** Under 14 on the day (China date): one who turns 14 that day is not. */
export function isMinorOn(birthDate: IsoDate, day: IsoDate): boolean {
  return ageOn(birthDate, day) < MINOR_AGE;
}

/**
 * The birth date, as the ID number writes it (YYYYMMDD, GB 11643 digits 7-14), after which a person
 * is under 14 on the day: isMinorOn(born, day) exactly when born's digits compare greater. The day
 * 14 years back, month and day kept, as ageOn counts (on 2028-02-29 it is 20140229, a day that never
 * was: one born 2014-02-28 is 14, one born 2014-03-01 is 13), so the store asks it of the household's
 * members in the statement that reads the needs (db/charity/store.ts).
 */
export function minorBornAfter(day: IsoDate): string {
  return `${Number(day.slice(0, 4)) - MINOR_AGE}${day.slice(5, 7)}${day.slice(8, 10)}`;
}

/** A need for one person concerns a minor when that person is one; a need for the whole household, when any current member is. */
export function concernsMinor(need: Pick<NeedFacts, 'beneficiaryBirthDate' | 'memberBirthDates'>, today: IsoDate): boolean {
  if (need.beneficiaryBirthDate !== null) return isMinorOn(need.beneficiaryBirthDate, today);
  return need.memberBirthDates.some((born) => isMinorOn(born, today));
}

/** Whether a consent lets this need be published today; null when it does. */
export function consentProblem(consent: ConsentFacts, need: NeedFacts, today: IsoDate): ConsentProblem | null {
  return publishedConsentProblem(consent, { householdId: need.householdId, involvesHealth: needsHealthConsent(need), involvesMinor: concernsMinor(need, today) }, today);
}

/**
 * Whether a consent lets a published need stay published today (listed, claimed, its detail read);
 * null when it does. The same rule as publication, on what the need rests on today (PublishedNeedFacts).
 */
export function publishedConsentProblem(consent: ConsentFacts, need: PublishedNeedFacts, today: IsoDate): ConsentProblem | null {
  if (consent.householdId !== need.householdId) return 'CONSENT_OTHER_HOUSEHOLD';
  if (consent.revokedAt !== null) return 'CONSENT_REVOKED';
  if (consent.expiresOn < today) return 'CONSENT_EXPIRED';
  if (!consent.scopes.includes('NEED_PUBLICATION')) return 'CONSENT_SCOPE_MISSING';
  if (need.involvesHealth && !consent.scopes.includes('HEALTH_DATA')) return 'HEALTH_CONSENT_MISSING';
  if (need.involvesMinor && !consent.scopes.includes('MINOR_DATA')) return 'MINOR_CONSENT_MISSING';
  return null;
}

/** What a charity sees of the amount before claiming: a band, never the exact figure. */
export type AmountBand = 'UNDER_5000_YUAN' | 'FROM_5000_TO_20000_YUAN' | 'FROM_20000_TO_50000_YUAN' | 'OVER_50000_YUAN';

export function amountBand(fen: number): AmountBand {
  if (fen < 500_000) return 'UNDER_5000_YUAN';
  if (fen < 2_000_000) return 'FROM_5000_TO_20000_YUAN';
  if (fen < 5_000_000) return 'FROM_20000_TO_50000_YUAN';
  return 'OVER_50000_YUAN';
}

export type PledgeProblem = 'NEED_NOT_OPEN' | 'AMOUNT_NOT_POSITIVE' | 'OVER_FUNDED';

/** A pledge never goes beyond what is still uncovered. */
export function pledgeProblem(need: { state: NeedState; uncoveredFen: number; pledgedFen: number }, amountFen: number): PledgeProblem | null {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) return 'AMOUNT_NOT_POSITIVE';
  if (need.state !== 'OPEN') return 'NEED_NOT_OPEN';
  if (amountFen > need.uncoveredFen - need.pledgedFen) return 'OVER_FUNDED';
  return null;
}

/**
 * What an organisation's pledges against a need leave it answering for. `live`: a pledge of more
 * than 0 (one reduced to 0 was taken back and promises nothing): only such a pledger still reads a
 * need no longer open, since it delivers and reports. `undelivered`: a pledge with something still
 * to deliver: its organisation may claim a closed need again to read where to deliver (the claim
 * lapses after CHARITY_CLAIM_WORKING_DAYS, delivery takes longer), and may not release its claim
 * while the promise stands (reduce the pledge to what was delivered first).
 */
export function pledgeStanding(pledges: readonly { amountFen: number; deliveredFen: number }[]): { live: boolean; undelivered: boolean } {
  return { live: pledges.some((p) => p.amountFen > 0), undelivered: pledges.some((p) => p.amountFen > p.deliveredFen) };
}

export type DeliveryDateProblem = 'DELIVERY_BEFORE_PLEDGE' | 'DELIVERY_IN_FUTURE';

/**
 * A delivery answers a pledge to a published need, so it is dated from the day of the later of the
 * two (China time) up to today. An earlier date would enter the reported-aid ledger as aid given
 * before anyone knew of the need (a 2020 grant for a need of this year), outside the dossier's
 * window and the duplicate rules' view of the case.
 */
export function deliveryDateProblem(deliveredOn: IsoDate, answers: { publishedOn: IsoDate; pledgedOn: IsoDate }, today: IsoDate): DeliveryDateProblem | null {
  if (deliveredOn > today) return 'DELIVERY_IN_FUTURE';
  if (deliveredOn < earliestDeliveryOn(answers)) return 'DELIVERY_BEFORE_PLEDGE';
  return null;
}

/** The first day a delivery against this pledge may be dated. */
export function earliestDeliveryOn(answers: { publishedOn: IsoDate; pledgedOn: IsoDate }): IsoDate {
  return answers.pledgedOn > answers.publishedOn ? answers.pledgedOn : answers.publishedOn;
}

/**
 * A description charities read must not identify anyone: no number long enough to be an ID
 * number, phone or bank account (7 digits or more), however written: full-width, in Chinese
 * numerals, split by spaces, dashes or dots (domain/text-screen.ts).
 */
export function descriptionIdentifies(text: string): boolean {
  return carriesLongNumber(screeningForm(text));
}

/**
 * A description naming the household: a member's name, or its village (村/居), finer than the
 * township the sealed detail gives the claiming charity. The schema promises charities no name,
 * and the village with the need's category and household picks the family out, so the office
 * describes the need, not the people or the place (PIPL art. 6: the least needed for the purpose;
 * a village notice is held to the same, domain/monitoring/notice.ts). Names of one character
 * are not looked for: they are words as often as names.
 */
export function descriptionNamesHousehold(text: string, household: { memberNames: readonly string[]; villageName: string | null }): 'MEMBER_NAME' | 'VILLAGE' | null {
  const seen = screeningForm(text);
  const named = (name: string) => {
    const form = screeningForm(name.trim()).replace(/\s+/gu, '');
    return form.length >= 2 && seen.replace(/\s+/gu, '').includes(form);
  };
  if (household.memberNames.some(named)) return 'MEMBER_NAME';
  if (household.villageName !== null && named(household.villageName)) return 'VILLAGE';
  return null;
}

/**
 * Whether a description tells of someone's health (an illness, a hospital stay, a disability, as a
 * village notice may not: domain/text-screen.ts HEALTH_WORDS). A charity reading it reads health
 * data, so the need rests on it and its consent needs HEALTH_DATA, whatever purpose it is for.
 */
export function descriptionTellsHealth(text: string): boolean {
  return HEALTH_WORDS.test(screeningForm(text));
}

/**
 * Whether a description tells of a child under 14 (an age under 14, a baby, what a baby uses, a
 * kindergarten or primary school: domain/text-screen.ts tellsOfYoungChild). A charity reading it
 * reads a child's data whoever the need is for (a need for the mother, `孩子3岁，需要奶粉`), so its
 * consent needs MINOR_DATA, as health words ask HEALTH_DATA.
 */
export function descriptionTellsMinor(text: string): boolean {
  return tellsOfYoungChild(screeningForm(text));
}

/**
 * Whether a need's texts a charity reads (its description, its reason for publishing before
 * government aid is given) tell of a child under 14 (descriptionTellsMinor): publication then asked
 * MINOR_DATA, and the need rests on it for as long as the texts say so, whoever it is for and
 * however old the household's members are. Read with the need, by the screen in force (not a flag
 * stored at publication: a screen learning a word reads old needs by it too, as the upgrade does).
 */
export function needTextsTellMinor(need: { description: string; governmentAidPendingReason: string | null }): boolean {
  return descriptionTellsMinor(need.description) || (need.governmentAidPendingReason !== null && descriptionTellsMinor(need.governmentAidPendingReason));
}

/** What the screen of a need already published finds (screenPublishedNeed). */
export type PublishedNeedScreen = { withdraw: 'DESCRIPTION_IDENTIFIES' | 'HEALTH_CONSENT_MISSING' | 'MINOR_CONSENT_MISSING' } | { restsOnHealth: true } | null;

/**
 * A published need's description read again by the screens publication applies now (needs published
 * before them were never screened): one that carries a long number or names a current member or the
 * household's village is withdrawn (DESCRIPTION_IDENTIFIES), as publication would refuse it; one that
 * tells of health without resting on health data rests on it from now on where its consent covers
 * HEALTH_DATA (what publication would have recorded), and is withdrawn otherwise
 * (HEALTH_CONSENT_MISSING): charities would read health data the household never consented to give.
 * One that tells of a child under 14 under a consent without MINOR_DATA is withdrawn so too
 * (MINOR_CONSENT_MISSING).
 */
export function screenPublishedNeed(
  need: { description: string; involvesHealth: boolean },
  household: { memberNames: readonly string[]; villageName: string | null },
  consentScopes: readonly string[],
): PublishedNeedScreen {
  if (descriptionIdentifies(need.description) || descriptionNamesHousehold(need.description, household) !== null) return { withdraw: 'DESCRIPTION_IDENTIFIES' };
  if (!consentScopes.includes('MINOR_DATA') && descriptionTellsMinor(need.description)) return { withdraw: 'MINOR_CONSENT_MISSING' };
  if (need.involvesHealth || !descriptionTellsHealth(need.description)) return null;
  return consentScopes.includes('HEALTH_DATA') ? { restsOnHealth: true } : { withdraw: 'HEALTH_CONSENT_MISSING' };
}

/**
 * Whether a project's area and a division meet: the project serves within the division (a county's
 * own project, listed for the city) or its area holds the division (a city-wide project, listed for
 * each of its counties and their townships). What `charityProjects(regionCode:)` lists.
 */
export function projectServesDivision(projectRegionCode: string, divisionCode: string): boolean {
  return divisionCode.startsWith(divisionPrefix(projectRegionCode)) || projectRegionCode.startsWith(divisionPrefix(divisionCode));
}

/** Whether a project of this purpose and region can answer this need (region: the project's area contains the need's county). */
export function projectMatches(project: { purpose: NeedPurpose; regionCode: string; budgetLeftFen: number }, need: { purpose: NeedPurpose; regionCode: string }): boolean {
  if (project.budgetLeftFen <= 0 || project.purpose !== need.purpose) return false;
  return need.regionCode.startsWith(divisionPrefix(project.regionCode));
}

/**
 * Whether aid given on `day` is recorded against a need under this consent (null when it is; else
 * why not, for CONSENT_REVOKED): the household's revocation ends what a charity may do with its need
 * (PIPL art. 15: what was done before stands). Aid handed over up to the day it revoked (China time;
 * the hour of aid is not reported) is aid it received; aid dated after it is not recorded against
 * the need. The one rule for a delivery, its correction and a record linked by aidReport's needId.
 */
export function revokedConsentProblem(consent: { revokedAt: Date | null } | null, day: IsoDate): string | null {
  const revokedOn = consent?.revokedAt ? chinaDateOf(consent.revokedAt) : null;
  if (consent && (revokedOn === null || day <= revokedOn)) return null;
  return `the household revoked its consent on ${revokedOn ?? 'an earlier day'}; aid delivered after that day is not recorded against its need`;
}

/**
 * The charity programme aid answering a need is recorded under, by what the need is for: a delivery
 * (charityDeliveryReport) is recorded so, and a charity's aidReport record linked to the need by
 * its needId must be of it (NEED_PURPOSE_MISMATCH).
 */
export function charityProgrammeFor(purpose: NeedPurpose): 'CHARITY_MEDICAL' | 'CHARITY_EDUCATION' | 'CHARITY_JISHIJIU_99' {
  if (purpose === 'MEDICAL' || purpose === 'REHABILITATION') return 'CHARITY_MEDICAL';
  if (purpose === 'EDUCATION') return 'CHARITY_EDUCATION';
  return 'CHARITY_JISHIJIU_99';
}
