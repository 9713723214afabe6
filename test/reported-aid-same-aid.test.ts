/**
 * domain/reported-aid/same-aid.ts: when a charity's aidReport record and a delivery of its
 * organisation are taken for the same handover (the integration: test/charity/corrections.test.ts).
 */
import { SAME_AID_WINDOW_DAYS, sameAid, sameAidIn } from '../domain/reported-aid/same-aid';

const delivery = { beneficiaryIdNumber: '370811197504120314', programme: 'CHARITY_MEDICAL', amountFen: 100_000, grantDate: '2026-03-15' };

describe('sameAid', () => {
  it('matches the same person, programme and amount within the window either way, and nothing else', () => {
    expect(SAME_AID_WINDOW_DAYS).toBe(7);
    for (const grantDate of ['2026-03-15', '2026-03-08', '2026-03-22']) expect(sameAid({ ...delivery, grantDate }, delivery)).toBe(true);
    for (const grantDate of ['2026-03-07', '2026-03-23']) expect(sameAid({ ...delivery, grantDate }, delivery)).toBe(false);
    expect(sameAid({ ...delivery, amountFen: 100_001 }, delivery)).toBe(false);
    expect(sameAid({ ...delivery, programme: 'CHARITY_EDUCATION' }, delivery)).toBe(false);
    expect(sameAid({ ...delivery, beneficiaryIdNumber: '370811197709030428' }, delivery)).toBe(false);
    // Across a month's end, and never recurring aid (no grant day) or a reversal's 0 fen.
    expect(sameAid({ ...delivery, grantDate: '2026-04-02' }, { ...delivery, grantDate: '2026-03-28' })).toBe(true);
    expect(sameAid({ ...delivery, grantDate: null }, delivery)).toBe(false);
    expect(sameAid({ ...delivery, amountFen: 0 }, { ...delivery, amountFen: 0 })).toBe(false);
  });

  it('sameAidIn names the first standing entry matched, or null', () => {
    const standing = [{ ...delivery, amountFen: 5 }, { ...delivery, reference: 'D-2' }];
    expect(sameAidIn(delivery, standing)).toBe(standing[1]);
    expect(sameAidIn({ ...delivery, amountFen: 6 }, standing)).toBeNull();
  });
});
