/**
 * Programmes for women and girls only: "两癌"救助 (TWO_CANCERS_AID), the women's federation's aid to
 * women with breast or cervical cancer, and 春蕾计划 (SPRING_BUD), its education aid to girls
 * (DOMAIN.md, "Departments"). A grant of either to a man's ID number (the 17th digit, the sequence's
 * last, odd: GB 11643) is an ID number mistyped or another programme's aid: taken, it put a cancer
 * aid on a stranger's record, read by every office reading his household, and counted his
 * household's aid wrongly. Refused, not warned: the programmes name no exception. The one definition
 * aidReport (and `npm run report`, which sends to it), preGrantCheck, a meeting's, a correction's
 * or a reassignment's decision and a case's first aid hold a beneficiary to.
 */

const FOR_WOMEN: ReadonlyMap<string, string> = new Map([
  ['TWO_CANCERS_AID', '"两癌"救助 is for women (breast and cervical cancer)'],
  ['SPRING_BUD', '春蕾计划 is for girls'],
]);

/**
 * Why a grant of the programme to this ID number cannot be (PROGRAMME_FOR_WOMEN), or null (a
 * programme for anyone, a woman's or girl's number, or a number too malformed to tell: its own check
 * says so). The message names the programme and never the number.
 */
export function programmeForWomenProblem(programmeCode: string, idNumber: string): string | null {
  const forWomen = FOR_WOMEN.get(programmeCode);
  if (!forWomen || !/^\d{17}[\dXx]$/.test(idNumber) || Number(idNumber[16]) % 2 === 0) return null;
  return `${programmeCode}: ${forWomen}, and the ID number is a man's (its 17th digit is odd): check the ID number, or the programme`;
}
