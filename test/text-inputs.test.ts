/**
 * No stored text holds control characters, NUL, bidi overrides or isolates, or lone surrogates
 * (the database stored a lone surrogate as U+FFFD, silently); single-line texts hold no line breaks
 * or tabs. One check over every String argument of the schema (resolvers/text-inputs.ts):
 * BAD_USER_INPUT, reason TEXT_INVALID, `argument` the path of the field, and nothing written.
 * Chinese text, emoji, and line breaks and tabs in a multi-line field (a summary, a reason, notes)
 * are stored whole.
 */
import { sql } from 'drizzle-orm';
import { textProblem } from '../domain/text-length';
import { makeIdNumber } from '../domain/id-number';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY } from './support/scenarios';

jest.setTimeout(120_000);

type Gql = TestHub['gql'];
let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let ca: Gql;
let reporter: Gql;

beforeAll(async () => {
  dbs = await createTestDatabases('text_inputs');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING' });
  const make = async (name: string, department: string, regionScope: string, roles: string[], purpose: string) =>
    hub.as({ token: (await hub.createClient({ name, department: department as never, regionScope, roles: roles as never })).token, purpose }).gql;
  ca = await make('ti-ca', 'CIVIL_AFFAIRS', '370811', ['CASEWORKER'], 'CASE_MEETING');
  reporter = await make('ti-emergency', 'EMERGENCY_MANAGEMENT', '370811', ['DEPARTMENT_WRITER'], 'DUPLICATE_CHECK');
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

async function count(table: 'reported_aid' | 'case_request'): Promise<number> {
  const [rows] = (await dbs.hub.execute(sql.raw(`select count(*) as n from ${table}`))) as unknown as [{ n: number }[]];
  return Number(rows[0].n);
}

const BAD = [
  ['NUL', 'DF\u00002026'],
  ['a C0 control', 'DF\u001b[31m'],
  ['a C1 control', 'DF\u0085'],
  ['DEL', 'DF\u007f'],
  ['a right-to-left override', 'DF-\u202e100-2026'],
  ['a left-to-right embedding', 'DF-\u202a1'],
  ['a first-strong isolate', 'DF-\u20681\u2069'],
  ['a lone high surrogate', 'DF-\ud83d'],
  ['a lone low surrogate', 'DF-\ude00'],
] as const;

const REPORT = `mutation($records: [ReportedAidInput!]!) { aidReport(input: { records: $records }) { recorded userErrors { index code field } } }`;
const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id summary } userErrors { code field } } }`;
const BENEFICIARY = makeIdNumber('370811', '1958-03-03', 41);
const record = (reference: string, caseReference?: string) => ({ reference, caseReference, beneficiaryIdNumber: BENEFICIARY, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-01-20', amountFen: 80_000 });
const openInput = (extra: Record<string, unknown>) => ({ householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '住院自付费用高', reportedAt: '2026-03-10T09:00:00+08:00', ...extra });

describe('aidReport', () => {
  it.each(BAD)('a case reference with %s is TEXT_INVALID naming the record’s field, and the batch writes nothing', async (_what, text) => {
    const before = await count('reported_aid');
    const res = await reporter(REPORT, { records: [record('DF-OK-1'), record('DF-OK-2', `民政${text}`)] });
    expect(res.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'TEXT_INVALID', argument: 'input.records.1.caseReference' })]);
    expect(res.errors![0].message).not.toContain(text);
    expect(await count('reported_aid')).toBe(before);
  });

  it('a line break in a case reference (one line) is refused too; an ordinary one is recorded', async () => {
    const before = await count('reported_aid');
    const broken = await reporter(REPORT, { records: [record('DF-OK-3', '民政\n2026')] });
    expect(broken.errors?.[0].extensions).toMatchObject({ reason: 'TEXT_INVALID', argument: 'input.records.0.caseReference' });
    expect(await count('reported_aid')).toBe(before);
    const ok = await reporter(REPORT, { records: [record('DF-OK-3', '民政救助〔2026〕1号')] });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
  });
});

describe('caseOpen', () => {
  it('a summary of several lines, with a tab, Chinese text and an emoji, is stored whole', async () => {
    const summary = '住院自付费用高。\n\t第二行：𠮷😀\r\n第三行';
    const res = await ca(OPEN, { input: openInput({ summary }) });
    expect(res.errors).toBeUndefined();
    expect(res.data.caseOpen.case.summary).toBe(summary);
  });

  it.each(BAD)('a summary with %s is refused and no case is opened', async (_what, text) => {
    const before = await count('case_request');
    const res = await ca(OPEN, { input: openInput({ summary: `住院${text}` }) });
    expect(res.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'TEXT_INVALID', argument: 'input.summary' })]);
    expect(await count('case_request')).toBe(before);
  });

  it('an officer (one line) with a line break or a tab inside is refused; around it, it is trimmed', async () => {
    const trimmed = await ca(OPEN, { input: openInput({ actor: { officer: '张三\n' } }) });
    expect(trimmed.errors).toBeUndefined();
    for (const officer of ['张\n三', '张\t三']) {
      const res = await ca(OPEN, { input: openInput({ actor: { officer } }) });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TEXT_INVALID', argument: 'input.actor.officer' });
    }
  });
});

describe('an ID number written into prose', () => {
  const SUMMARY_OF = `query($id: ID!) { case(id: $id) { summary } }`;
  const stored = async (id: string) => {
    const [rows] = (await dbs.hub.execute(sql`select summary from aid_case where id = ${Number(id)}`)) as unknown as [{ summary: string }[]];
    return rows[0].summary;
  };

  it('is masked as it comes in, whole, in parts or full-width: stored, answered and read back masked', async () => {
    const masked = `${BENEFICIARY.slice(0, 6)}********${BENEFICIARY.slice(14)}`;
    const fullWidth = [...BENEFICIARY].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    for (const written of [BENEFICIARY, `${BENEFICIARY.slice(0, 6)} ${BENEFICIARY.slice(6, 14)} ${BENEFICIARY.slice(14)}`, fullWidth]) {
      const res = await ca(OPEN, { input: openInput({ summary: `申请人 ${written} 住院自付费用高` }) });
      expect(res.errors).toBeUndefined();
      expect(res.data.caseOpen.case.summary).toBe(`申请人 ${masked} 住院自付费用高`);
      const id = res.data.caseOpen.case.id;
      expect(await stored(id)).toBe(`申请人 ${masked} 住院自付费用高`);
      expect((await ca(SUMMARY_OF, { id })).data.case.summary).toBe(`申请人 ${masked} 住院自付费用高`);
    }
  });

  it('keeps the joiners a script needs while it masks one, even one split by zero-width joiners between its digits', async () => {
    const masked = `${BENEFICIARY.slice(0, 6)}********${BENEFICIARY.slice(14)}`;
    // ᠬᠠᠷ᠎ᠠ (black): the Mongolian vowel separator spells the word; the Uyghur name keeps its zero-width non-joiner.
    const words = '牧民 ᠬᠠᠷ\u180eᠠ ئابدۇ\u200cرەھىم 👨\u200d👩\u200d👧';
    for (const written of [BENEFICIARY, [...BENEFICIARY].join('\u200d')]) {
      const res = await ca(OPEN, { input: openInput({ summary: `${words} 申请人 ${written}` }) });
      expect(res.errors).toBeUndefined();
      expect(res.data.caseOpen.userErrors).toEqual([]);
      const id = res.data.caseOpen.case.id;
      expect(await stored(id)).toBe(`${words} 申请人 ${masked}`);
      expect((await ca(SUMMARY_OF, { id })).data.case.summary).toBe(`${words} 申请人 ${masked}`);
    }
  });

  it('leaves prose that holds none exactly as written (full-width punctuation and digits of dates and amounts kept)', async () => {
    const summary = '住院自付：１２０００元，２０２６年３月１０日入院；电话另告';
    const res = await ca(OPEN, { input: openInput({ summary }) });
    expect(res.data.caseOpen.case.summary).toBe(summary);
    expect(await stored(res.data.caseOpen.case.id)).toBe(summary);
  });
});

describe('textProblem', () => {
  it('names the character by its code point, never the text', () => {
    expect(textProblem('a\u0000b', true)).toBe('a control character (U+0000)');
    expect(textProblem('a\u202eb', true)).toBe('a bidirectional control character (U+202E)');
    expect(textProblem('a\ud800', true)).toBe('a lone surrogate (U+D800), not a character');
    expect(textProblem('a\nb', false)).toBe('a line break or tab (U+000A) in a single-line field');
    expect(textProblem(' DF-2026-020\r\n', false)).toBeNull();
  });

  it('accepts Chinese, emoji, surrogate pairs, and line breaks and tabs where the field is multi-line', () => {
    for (const text of ['王建国', '𠮷😀救', '第一行\n第二行\r\n\t缩进', '', 'a\u200fb']) expect(textProblem(text, true)).toBeNull();
    expect(textProblem('王建国 𠮷', false)).toBeNull();
  });
});
