/** Charity linkage's pure rules: the credit code check, consent scopes, amount bands, pledges, projects. */
import { checkCreditCode, creditCodeCheckChar, isCreditCode, makeCreditCode } from '../../domain/credit-code';
import { amountBand, consentProblem, deliveryDateProblem, descriptionIdentifies, isMinorOn, minorBornAfter, pledgeProblem, pledgeStanding, projectMatches, publishedConsentProblem } from '../../domain/charity/needs';
import { addDays } from '../../domain/dates';

describe('统一社会信用代码 (GB 32100)', () => {
  it('accepts published codes and refuses a changed check character', () => {
    // A widely published example code.
    for (const code of ['91350100M000100Y43']) expect(checkCreditCode(code)).toEqual({ ok: true, creditCode: code });
    expect(checkCreditCode('91350100M000100Y44')).toMatchObject({ ok: false, problem: 'CHECKSUM' });
  });
  it('reads a code typed in full width, in lower case or with spaces around it, as ASCII (typedCode)', () => {
    const code = '91350100M000100Y43';
    const fullWidth = code.replace(/[0-9A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    for (const typed of [fullWidth, ` ${code.toLowerCase()}\u3000`]) expect(checkCreditCode(typed)).toEqual({ ok: true, creditCode: code });
    // Stored only in the form the hub keys it (registerCharity checks isCreditCode).
    expect([isCreditCode(code), isCreditCode(fullWidth)]).toEqual([true, false]);
  });
  it('refuses wrong length, letters outside the alphabet and a non-numeric division', () => {
    expect(checkCreditCode('5337080')).toMatchObject({ ok: false, problem: 'LENGTH' });
    expect(checkCreditCode('53370800MJI00000XO')).toMatchObject({ ok: false, problem: 'CHARACTERS' });
    expect(checkCreditCode('5337A800MJ0000000' + creditCodeCheckChar('5337A800MJ0000000'))).toMatchObject({ ok: false, problem: 'DIVISION' });
  });
  it('a check character of 31 becomes 0', () => {
    const codes = Array.from({ length: 400 }, (_, i) => makeCreditCode(`533708005${String(i).padStart(8, '0')}`));
    expect(codes.every((c) => checkCreditCode(c).ok)).toBe(true);
    expect(codes.some((c) => c.endsWith('0'))).toBe(true);
  });
});

describe('consent (民发〔2023〕46号; PIPL art. 28–29)', () => {
  const today = '2026-03-15';
  const consent = { householdId: 1, scopes: ['NEED_PUBLICATION' as const], expiresOn: '2026-12-31', revokedAt: null };
  const need = { householdId: 1, purpose: 'LIVING' as const, involvesHealth: false, beneficiaryBirthDate: null, memberBirthDates: ['1980-05-01'] };
  it('covers a plain need of its household while it holds', () => {
    expect(consentProblem(consent, need, today)).toBeNull();
    expect(consentProblem(consent, { ...need, householdId: 2 }, today)).toBe('CONSENT_OTHER_HOUSEHOLD');
    expect(consentProblem({ ...consent, revokedAt: new Date() }, need, today)).toBe('CONSENT_REVOKED');
    expect(consentProblem({ ...consent, expiresOn: '2026-03-14' }, need, today)).toBe('CONSENT_EXPIRED');
    expect(consentProblem({ ...consent, expiresOn: today }, need, today)).toBeNull();
    expect(consentProblem({ ...consent, scopes: ['HEALTH_DATA'] }, need, today)).toBe('CONSENT_SCOPE_MISSING');
  });
  it('health data and a child under 14 need their own scopes', () => {
    expect(consentProblem(consent, { ...need, purpose: 'MEDICAL' }, today)).toBe('HEALTH_CONSENT_MISSING');
    expect(consentProblem(consent, { ...need, involvesHealth: true }, today)).toBe('HEALTH_CONSENT_MISSING');
    expect(consentProblem({ ...consent, scopes: ['NEED_PUBLICATION', 'HEALTH_DATA'] }, { ...need, purpose: 'MEDICAL' }, today)).toBeNull();
    // 14th birthday the day after today: still a minor; on it: not.
    expect(consentProblem(consent, { ...need, beneficiaryBirthDate: '2012-03-16' }, today)).toBe('MINOR_CONSENT_MISSING');
    expect(consentProblem(consent, { ...need, beneficiaryBirthDate: '2012-03-15' }, today)).toBeNull();
    expect(consentProblem({ ...consent, scopes: ['NEED_PUBLICATION', 'MINOR_DATA'] }, { ...need, beneficiaryBirthDate: '2016-01-01' }, today)).toBeNull();
  });
  it('a need for the whole household of a child under 14 needs MINOR_DATA; one for a named adult of it does not', () => {
    const withChild = { ...need, memberBirthDates: ['1980-05-01', '2016-01-01'] };
    expect(consentProblem(consent, withChild, today)).toBe('MINOR_CONSENT_MISSING');
    expect(consentProblem({ ...consent, scopes: ['NEED_PUBLICATION', 'MINOR_DATA'] }, withChild, today)).toBeNull();
    expect(consentProblem(consent, { ...withChild, beneficiaryBirthDate: '1980-05-01' }, today)).toBeNull();
    // The youngest turns 14 today: no longer a minor; tomorrow's birthday: still one.
    expect(consentProblem(consent, { ...need, memberBirthDates: ['1980-05-01', '2012-03-15'] }, today)).toBeNull();
    expect(consentProblem(consent, { ...need, memberBirthDates: ['1980-05-01', '2012-03-16'] }, today)).toBe('MINOR_CONSENT_MISSING');
  });
  it('a published need stays published only under the scopes it was published with', () => {
    const published = { householdId: 1, involvesHealth: false, involvesMinor: true };
    expect(publishedConsentProblem(consent, published, today)).toBe('MINOR_CONSENT_MISSING');
    expect(publishedConsentProblem({ ...consent, scopes: ['NEED_PUBLICATION', 'MINOR_DATA'] }, published, today)).toBeNull();
    expect(publishedConsentProblem({ ...consent, scopes: ['NEED_PUBLICATION', 'MINOR_DATA'], expiresOn: '2026-03-14' }, published, today)).toBe('CONSENT_EXPIRED');
  });
});

describe('amounts and pledges', () => {
  it('bands hide the exact amount', () => {
    expect([0, 499_999, 500_000, 1_999_999, 2_000_000, 4_999_999, 5_000_000].map(amountBand)).toEqual([
      'UNDER_5000_YUAN',
      'UNDER_5000_YUAN',
      'FROM_5000_TO_20000_YUAN',
      'FROM_5000_TO_20000_YUAN',
      'FROM_20000_TO_50000_YUAN',
      'FROM_20000_TO_50000_YUAN',
      'OVER_50000_YUAN',
    ]);
  });
  it('a pledge never goes beyond what is uncovered', () => {
    const need = { state: 'OPEN' as const, uncoveredFen: 1000, pledgedFen: 600 };
    expect(pledgeProblem(need, 400)).toBeNull();
    expect(pledgeProblem(need, 401)).toBe('OVER_FUNDED');
    expect(pledgeProblem(need, 0)).toBe('AMOUNT_NOT_POSITIVE');
    expect(pledgeProblem(need, 1.5)).toBe('AMOUNT_NOT_POSITIVE');
    expect(pledgeProblem({ ...need, state: 'COVERED' }, 1)).toBe('NEED_NOT_OPEN');
  });
  it('a delivery is dated from the later of publication and pledge to today', () => {
    const today = '2026-03-15';
    const answers = { publishedOn: '2026-03-10', pledgedOn: '2026-03-12' };
    expect(['2026-03-12', '2026-03-13', today].map((d) => deliveryDateProblem(d, answers, today))).toEqual([null, null, null]);
    expect(['2020-01-01', '2026-03-10', '2026-03-11'].map((d) => deliveryDateProblem(d, answers, today))).toEqual(Array(3).fill('DELIVERY_BEFORE_PLEDGE'));
    expect(deliveryDateProblem('2026-03-16', answers, today)).toBe('DELIVERY_IN_FUTURE');
    // Should a pledge ever read earlier than the need's publication, publication still bounds it.
    expect(deliveryDateProblem('2026-03-09', { publishedOn: '2026-03-10', pledgedOn: '2026-03-08' }, today)).toBe('DELIVERY_BEFORE_PLEDGE');
  });
  it('descriptions with long numbers are refused', () => {
    expect(descriptionIdentifies('母亲住院，自付约三万元')).toBe(false);
    expect(descriptionIdentifies('联系 138 1234 5678')).toBe(true);
    expect(descriptionIdentifies('身份证37081119750412003X')).toBe(true);
  });
  it('projects match by purpose and area, with budget left', () => {
    const need = { purpose: 'MEDICAL' as const, regionCode: '370811' };
    expect(projectMatches({ purpose: 'MEDICAL', regionCode: '370800', budgetLeftFen: 1 }, need)).toBe(true);
    expect(projectMatches({ purpose: 'MEDICAL', regionCode: '370811', budgetLeftFen: 1 }, need)).toBe(true);
    expect(projectMatches({ purpose: 'MEDICAL', regionCode: '370826', budgetLeftFen: 1 }, need)).toBe(false);
    expect(projectMatches({ purpose: 'EDUCATION', regionCode: '370800', budgetLeftFen: 1 }, need)).toBe(false);
    expect(projectMatches({ purpose: 'MEDICAL', regionCode: '370800', budgetLeftFen: 0 }, need)).toBe(false);
  });
});

describe('pledgeStanding: what an organisation’s pledges against a need leave it answering for', () => {
  it('a pledge reduced to 0 is not live; one with something undelivered is owed', () => {
    expect(pledgeStanding([])).toEqual({ live: false, undelivered: false });
    expect(pledgeStanding([{ amountFen: 0, deliveredFen: 0 }])).toEqual({ live: false, undelivered: false });
    expect(pledgeStanding([{ amountFen: 100, deliveredFen: 100 }])).toEqual({ live: true, undelivered: false });
    expect(pledgeStanding([{ amountFen: 0, deliveredFen: 0 }, { amountFen: 100, deliveredFen: 40 }])).toEqual({ live: true, undelivered: true });
  });
});

describe('minorBornAfter, the store’s reading of isMinorOn over ID numbers’ birth digits', () => {
  it('agrees with isMinorOn for every birth date around the 14th birthday, leap days included', () => {
    for (const day of ['2026-03-15', '2026-02-28', '2026-03-01', '2028-02-29', '2027-12-31', '2026-01-01']) {
      const cutoff = minorBornAfter(day);
      for (let offset = -800; offset <= 800; offset++) {
        const born = addDays(`${Number(day.slice(0, 4)) - 14}${day.slice(4)}`.replace('-02-29', '-02-28'), offset);
        expect({ day, born, minor: born.replace(/-/g, '') > cutoff }).toEqual({ day, born, minor: isMinorOn(born, day) });
      }
    }
  });
});
