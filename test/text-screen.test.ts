/**
 * Text other parties read (a village notice, a need's description, a charity's name and titles)
 * screened in one place (domain/text-screen.ts): a phone or ID number a reader sees is found however
 * it is written (full-width, other scripts' digits, circled, Chinese numerals, split by spaces,
 * dashes, dots or brackets), and an invisible character, which would make the text display as
 * something other than what was screened, is refused. Logs mask full-width ID numbers too.
 */
import { makeIdNumber } from '../domain/id-number';
import { maskIdNumbersInText, scrub } from '../domain/privacy';
import { HEALTH_WORDS, proseRefusal, screenedReference, screenedText, screeningForm, tellsOfYoungChild } from '../domain/text-screen';
import { descriptionTellsHealth } from '../domain/charity/needs';

const ID = makeIdNumber('370811', '1975-04-12', 3);
const FULL_WIDTH = (s: string) => s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

describe('screenedText', () => {
  it.each([
    ['a full-width mobile', `联系 ${FULL_WIDTH('13905371234')}`],
    ['a full-width ID number', `身份证${FULL_WIDTH(ID)}`],
    ['a mobile in Arabic-Indic digits', '联系 ١٣٩٠٥٣٧١٢٣٤'],
    ['a mobile in circled digits', '联系 ①③⑨⓪⑤③⑦①②③④'],
    ['a mobile in Chinese numerals', '联系一三九〇五三七一二三四'],
    ['a mobile read out with 幺', '联系幺三九零五三七幺二三四'],
    ['a mobile split by dots', '联系 139.0537.1234'],
    ['a mobile split by slashes and brackets', '联系 (139)/0537/1234'],
    ['a landline with its area code in full-width brackets', '电话（0537）2345678'],
    ['a bank account in groups', '账户 6222 0216 0000 1234 567'],
  ])('finds %s', (_what, text) => {
    expect(screenedText(text)).toEqual({ ok: false, problem: 'IDENTIFYING_NUMBER' });
  });

  it.each([
    ['a mobile written with units', '联系一百三十九亿零五百三十七万一千二百三十四'],
    ['a mobile in parts written with units', '联系 一百三十九 零五三七 一千二百三十四'],
    ['a mobile in financial numerals with units', '联系壹佰叁拾玖亿零伍佰叁拾柒万壹仟贰佰叁拾肆'],
    ['a landline written with units', '电话二百三十四万五千六百七十八'],
    ['an ID number written with units', '身份证三十七亿零八百一十一万一千九百七十五亿零四百一十二万零三十一'],
    ['a seven-digit amount written with units, as 1234567 in digits is', '缺口一百二十三万四千五百六十七元'],
  ])('finds %s', (_what, text) => {
    expect(screenedText(text)).toEqual({ ok: false, problem: 'IDENTIFYING_NUMBER' });
  });

  it.each([
    ['an age', '户主三十岁，两个孩子'],
    ['a month and day', '十一月二十日前向村委会反映'],
    ['an amount', '每人每月一百元'],
    ['a year in numerals and a date', '二〇二六年十二月三十一日'],
    ['two thousand', '两千元'],
    ['a round amount of 万', '治疗费用约一百二十万元，已自付三十五万'],
    ['a round amount of 亿', '全市救助资金三亿二千万元'],
    ['words with units', '千万不要错过，万一有变化，十分感谢，百分之八十'],
  ])('passes %s', (_what, text) => {
    expect(screenedText(text)).toMatchObject({ ok: true, text });
  });

  it.each([
    ['a zero-width space', '\u200b'],
    ['a zero-width non-joiner', '\u200c'],
    ['a zero-width joiner', '\u200d'],
    ['a word joiner', '\u2060'],
    ['a soft hyphen', '\u00ad'],
    ['a right-to-left mark', '\u200f'],
    ['a right-to-left override', '\u202e'],
    ['a first-strong isolate', '\u2068'],
    ['a byte order mark', '\ufeff'],
    ['a tag character', '\u{e0041}'],
    ['an interlinear annotation anchor', '\ufff9'],
    ['a Hangul filler', '\u3164'],
    ['a NUL', '\u0000'],
    ['a line separator', '\u2028'],
  ])('refuses %s, named by its code point, wherever it is', (_what, c) => {
    // Between a phone number's digits it hid the number from the digit screen; anywhere, it changes what a reader sees.
    const at = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    expect(screenedText(`联系 139${c}0537${c}1234`)).toEqual({ ok: false, problem: 'INVISIBLE_CHARACTER', codePoint: at });
    expect(screenedText(`向村委会${c}反映`)).toEqual({ ok: false, problem: 'INVISIBLE_CHARACTER', codePoint: at });
  });

  it('passes ordinary text, stored as written: full-width punctuation kept, trimmed, NFC', () => {
    const text = '  向南门社区居委会（二楼）反映，工作日上午；缺口约12,345.67元，2026年12月  ';
    const screened = screenedText(text);
    expect(screened).toMatchObject({ ok: true, text: text.trim() });
    // A decomposed é is stored composed.
    expect(screenedText('Cafe\u0301')).toMatchObject({ ok: true, text: 'Caf\u00e9' });
  });

  it('keeps line breaks in a multi-line text only', () => {
    expect(screenedText('第一行\n第二行', { multiLine: true })).toMatchObject({ ok: true });
    expect(screenedText('第一行\n第二行')).toMatchObject({ ok: false, problem: 'INVISIBLE_CHARACTER', codePoint: 'U+000A' });
  });

  it('screens a charity’s own name and titles for invisible characters, not for numbers', () => {
    expect(screenedText('2026-2027学年助学', { numbers: false })).toMatchObject({ ok: true });
    expect(screenedText('济宁市\u200b慈善总会', { numbers: false })).toMatchObject({ ok: false, problem: 'INVISIBLE_CHARACTER' });
  });

  it('gives the screening form a field’s own checks read: NFKC, so a Kangxi radical or compatibility ideograph reads as the character it shows', () => {
    // ⼿ U+2F3F (a radical: kept as written, NFC), 精神 U+FA1D U+FA19 (compatibility ideographs, stored as
    // 精神 by NFC already): a notice's health words read 手术, 精神.
    expect(screenedText('\u2f3f术后，\ufa1d\ufa19')).toMatchObject({ ok: true, text: '\u2f3f术后，精神', screened: '手术后,精神' });
  });
});

describe('tellsOfYoungChild, a child under 14 in a text charities read', () => {
  it.each(['家里孩子3岁，需要奶粉', '孩子三岁', '孩子 3 岁', '孩子３岁', '十三周岁', '两岁半', '半岁', '8个月大', '两个月大', '婴儿', '新生儿', '宝宝', '留守儿童', '纸尿裤', '尿不湿', '上幼儿园', '托儿所', '读小学', '三年级', '学龄前'])('%s tells of one', (t) => {
    expect(tellsOfYoungChild(screeningForm(t))).toBe(true);
  });
  it.each(['儿子14岁', '十四岁', '母亲43岁', '户主40岁', '大学一年级', '初中二年级', '高三', '孩子在外打工', '房租3个月', '2026年岁末', '学费3000元', '未成年'])('%s does not', (t) => {
    expect(tellsOfYoungChild(screeningForm(t))).toBe(false);
  });
});

describe('the joiners a script needs (Mongolian, Uyghur, emoji): kept where the script needs them, refused elsewhere', () => {
  // ᠬᠠᠷ᠎ᠠ (qar-a, black): the Mongolian vowel separator is how the word is spelt.
  const MONGOLIAN = 'ᠬᠠᠷ\u180eᠠ';
  // Uyghur in Arabic script, a zero-width non-joiner keeping two letters of a word unjoined.
  const UYGHUR = 'ئابدۇ\u200cرەھىم';
  const FAMILY = '👨\u200d👩\u200d👧';
  const RAINBOW_FLAG = '🏳\ufe0f\u200d🌈';
  const SKIN_TONE = '👩🏽\u200d🌾';
  const SCOTLAND = '🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}';

  it.each([
    ['a Mongolian vowel separator between Mongolian letters', `牧民${MONGOLIAN}家`],
    ['a zero-width non-joiner inside a Uyghur word', `${UYGHUR} 家`],
    ['a zero-width joiner inside a Devanagari word (after a virama)', 'क्\u200dष'],
    ['an emoji family joined by zero-width joiners', `全家${FAMILY}已核实`],
    ['an emoji flag and a toned emoji joined', `${RAINBOW_FLAG} ${SKIN_TONE}`],
    ['a subdivision flag (tag sequence)', `来自${SCOTLAND}的捐赠`],
  ])('keeps %s, stored as written, in every screen', (_what, text) => {
    expect(screenedText(text)).toMatchObject({ ok: true, text });
    expect(screenedReference(text)).toMatchObject({ ok: true, text });
    expect(proseRefusal(['input', 'summary'], text)).toBeNull();
  });

  it.each([
    ['a Mongolian vowel separator between digits', '139\u180e05371234', 'U+180E'],
    ['a Mongolian vowel separator after a Chinese character', '牧民\u180eᠠ', 'U+180E'],
    ['a Mongolian vowel separator at the end', `${MONGOLIAN}\u180e`, 'U+180E'],
    ['a zero-width joiner between digits', '联系 139\u200d0537\u200d1234', 'U+200D'],
    ['a zero-width non-joiner between a letter and a digit', `${UYGHUR}\u200c1`, 'U+200C'],
    ['a zero-width joiner between Chinese characters, which no joiner shapes', '向村委会\u200d反映', 'U+200D'],
    ['a zero-width joiner between an emoji and a digit', '👨\u200d1', 'U+200D'],
    ['two zero-width joiners in a row', `ئاب\u200d\u200dدۇ`, 'U+200D'],
    ['a zero-width joiner after a digit with a variation selector', '1\ufe0f\u200d\ufe0f2', 'U+200D'],
    ['tag characters not after a black flag', `来自\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}`, 'U+E0067'],
    ['a tag sequence without its cancel tag', '🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}', 'U+E0067'],
    ['tag characters spelling capitals (hidden text)', '🏴\u{e0048}\u{e0049}\u{e0044}\u{e0045}\u{e007f}', 'U+E0048'],
    ['a word joiner between letters', `ئاب\u2060دۇ`, 'U+2060'],
    ['a right-to-left mark between letters', `ئاب\u200fدۇ`, 'U+200F'],
    ['a BOM inside a Mongolian word', 'ᠬᠠᠷ\ufeffᠠ', 'U+FEFF'],
  ])('refuses %s', (_what, text, codePoint) => {
    expect(screenedText(text)).toEqual({ ok: false, problem: 'INVISIBLE_CHARACTER', codePoint });
    expect(proseRefusal(['input', 'summary'], text)).toMatchObject({ code: 'TEXT_INVISIBLE_CHARACTER', message: expect.stringContaining(codePoint) });
  });

  it('reads a number through the joiners it keeps: letters joined around a number’s parts do not split it', () => {
    // The joiners kept are not in the screening form: a field's own checks (a member's name) read the word whole.
    expect(screenedText(`${UYGHUR} 家`)).toMatchObject({ ok: true, screened: 'ئابدۇرەھىم 家' });
    expect(screenedText(`${SCOTLAND}x`)).toMatchObject({ ok: true, screened: '🏴x' });
    // A Chinese numeral is a letter (Lo); a joiner between Chinese characters is refused, so no number hides behind one.
    expect(screenedText('一三九\u200c〇五三七一二三四')).toMatchObject({ ok: false, problem: 'INVISIBLE_CHARACTER', codePoint: 'U+200C' });
  });

  const MASKED = `${ID.slice(0, 6)}********${ID.slice(14)}`;
  it.each([
    ['a Mongolian vowel separator', MONGOLIAN],
    ['a Uyghur zero-width non-joiner', UYGHUR],
    ['a Devanagari zero-width joiner', 'क्\u200dष'],
    ['an emoji family', FAMILY],
    ['a toned emoji and a flag joined', `${RAINBOW_FLAG} ${SKIN_TONE}`],
    ['a subdivision flag', SCOTLAND],
  ])('keeps %s when it masks an ID number in the same prose: the words are stored as written', (_what, words) => {
    expect(maskIdNumbersInText(`${words} 申请人 ${ID}\u200b，${words}`)).toBe(`${words} 申请人 ${MASKED}\u200b，${words}`);
  });

  // Texts masked where no screen refuses them (an older stored text the upgrade masks, a department's
  // aid reference on the brief): the number changes, nothing else, as a text without one keeps all.
  it.each([
    ['a zero-width space elsewhere', `联系\u200b人 申请人 ${ID}`, `联系\u200b人 申请人 ${MASKED}`],
    ['a zero-width space right after it', `${ID}\u200b，已核实`, `${MASKED}\u200b，已核实`],
    ['a soft hyphen and a word joiner', `经\u00ad办\u2060 ${ID} 核实`, `经\u00ad办\u2060 ${MASKED} 核实`],
    ['full-width digits and a colon elsewhere', `２０２６年３月：申请人 ${ID}`, `２０２６年３月：申请人 ${MASKED}`],
    ['the number itself full-width, split by a zero-width space, beside a full-width date', `２０２６年 ${FULL_WIDTH(ID.slice(0, 9))}\u200b${FULL_WIDTH(ID.slice(9))}\u200b。`, `２０２６年 ${MASKED}\u200b。`],
    ['the number in parts, a BOM after', `${ID.slice(0, 6)} ${ID.slice(6, 14)} ${ID.slice(14)}\ufeff 号`, `${MASKED}\ufeff 号`],
  ])('changes only the ID number, keeping %s as written', (_what, text, out) => {
    expect(maskIdNumbersInText(text)).toBe(out);
    // And with words where the number was, the text is kept as written too.
    const without = out.split(MASKED).join('申请人');
    expect(maskIdNumbersInText(without)).toBe(without);
  });

  it.each([
    ['zero-width joiners', [...ID].join('\u200d')],
    ['zero-width non-joiners', [...ID].join('\u200c')],
    ['Mongolian vowel separators', [...ID].join('\u180e')],
    ['a tag character', `${ID.slice(0, 9)}\u{e0031}${ID.slice(9)}`],
  ])('still finds an ID number split by %s between its digits, beside the joiners it keeps, and no digit of its birth date survives', (_what, written) => {
    const out = maskIdNumbersInText(`${MONGOLIAN} ${written} ${UYGHUR}`);
    expect(out).toBe(`${MONGOLIAN} ${MASKED} ${UYGHUR}`);
    expect(out.replace(/\D/g, '')).not.toContain(ID.slice(6, 14));
  });
});

describe('ID numbers glued by an invisible character', () => {
  const ID2 = makeIdNumber('110101', '1990-03-07', 1);
  const ID3 = makeIdNumber('110105', '1990-01-01', 123);
  const MASKED = (id: string) => `${id.slice(0, 6)}********${id.slice(14)}`;

  // A text no screen reads (a department's source text): each number masked on its own, the character between them kept.
  it.each([
    ['a zero-width space', `申请人 ${ID}\u200b${ID2}，已核实`, `申请人 ${MASKED(ID)}\u200b${MASKED(ID2)}，已核实`],
    ['a word joiner, the second full-width', `${ID}\u2060${FULL_WIDTH(ID2)}号`, `${MASKED(ID)}\u2060${MASKED(ID2)}号`],
    ['a soft hyphen, to a longer run', `流水 ${ID2}\u00ad12345678901234567890`, `流水 ${MASKED(ID2)}\u00ad12345678901234567890`],
  ])('masks each of two glued by %s', (_what, text, out) => {
    expect(maskIdNumbersInText(text)).toBe(out);
  });

  it('leaves 36 digits with no invisible character in them as they are', () => {
    expect(maskIdNumbersInText(`编号 ${ID2}${ID3}`)).toBe(`编号 ${ID2}${ID3}`);
  });

  it('is refused by the prose screen, as the invisible character and as the number', () => {
    expect(screenedText(`${ID}\u200b${ID2}`)).toMatchObject({ ok: false, problem: 'INVISIBLE_CHARACTER', codePoint: 'U+200B' });
    // A joiner is kept only between a script's letters; between digits it is refused too.
    expect(screenedText(`${ID}\u200d${ID2}`)).toMatchObject({ ok: false, problem: 'INVISIBLE_CHARACTER', codePoint: 'U+200D' });
    expect(screenedText(`${ID}${ID2}`)).toMatchObject({ ok: false, problem: 'IDENTIFYING_NUMBER' });
  });
});

describe('screenedReference, a charity’s reference offices read', () => {
  it.each([
    ['an ID number', `PL-${ID}`],
    ['an ID number in parts', `${ID.slice(0, 6)}-${ID.slice(6, 14)}-${ID.slice(14)}`],
    ['an ID number in full-width digits', FULL_WIDTH(ID)],
    ['a mobile number', 'TEL13905371234'],
    ['a mobile number in Chinese numerals with units', '一百三十九亿零五百三十七万一千二百三十四'],
    ['a bank account', 'ACC6222021600001234567'],
  ])('finds %s', (_what, reference) => {
    expect(screenedReference(reference)).toEqual({ ok: false, problem: 'IDENTIFYING_NUMBER' });
  });

  it.each([
    ['split by dots', 'JNCS-138.1234.5678'],
    ['split by spaces', '138 1234 5678'],
    ['split by hyphens', 'TEL 138-1234-5678'],
    ['split by an ideographic space and enumeration commas', '138\u30001234、5678'],
    ['split by a space, an underscore and brackets', '(138) 1234_5678'],
    ['after the country code', '+86 138 1234 5678'],
    ['after the country code, run together', '+8613812345678'],
    ['in full-width digits', '１３８１２３４５６７８'],
    ['in full-width digits split by full-width hyphens', 'P-１３８－１２３４－５６７８'],
    ['in full-width digits split by full-width stops', '１３８．１２３４．５６７８'],
    ['in Chinese numerals split by spaces', '一三八 一二三四 五六七八'],
    ['a bank account in groups of four, as printed', 'ACC 6222 0216 0700 1234 567'],
    ['a card of 19 digits in groups split by dashes', '6222-0262-3456-7890-123'],
    ['a card of 16 digits in groups split by dots', '6222.0232.3456.7890'],
    ['a card in groups split by dashes after a date', 'DL-20260317-6222-0232-3456-7890'],
    ['a card in groups split by full-width dashes', 'ZH ６２２２－０２６２－３４５６－７８９０－１２３'],
    ['a card in groups split by middle dots', '卡号4367·4270·1234·5678'],
    ['a UnionPay card (Luhn-valid) of 19 digits in groups of four and seven', 'ACC-6217-8560-1239-5678901'],
    ['a UnionPay card (Luhn-valid) in other groups', 'ACC 622202-1234567890128'],
    ['a UnionPay card (Luhn-valid) in groups split by dots', 'SN.6217.0000.12345670'],
  ])('finds a mobile number or account %s', (_what, reference) => {
    expect(screenedReference(reference)).toEqual({ ok: false, problem: 'IDENTIFYING_NUMBER' });
  });

  it.each([
    ['PL-2026-0301-0001'],
    ['DL-20260317-000123'],
    ['慈字2026第1号'],
    ['JNCS-2026-0001'],
    ['SETL20260110001-2'],
    ['DL-20260317-000123-2'],
    ['2026-12-03'],
    ['２０２６－１２－０３'],
    ['2026.12.03 第3批'],
    ['INV 1380'],
    ['INV-13-2026-0001'],
    ['发票 1234 5678'],
    ['¥13,800.00'],
    ['1,380.50元 2026-12-03'],
    ['PL 2026 0301 0001'],
    ['JNCS-P-2026-0001-R1'],
    ['2026.12.03'],
    ['2026-12-03-0001'],
    ['INV-2026-1203-0001-0002'],
    ['DL-20260317-000123-0001'],
    ['SEQ-0001-0002-0003-0004'],
    ['PL-9001-0001-0002'],
    ['NO.5001.0002.0003'],
    ['SN-622202-1234567890123'],
    ['SN-6201-20260317-000124'],
    ['¥1.380.000,00'],
    ['12,345.67元 2026.12.03'],
  ])('passes %s: dates, sequence and invoice numbers, amounts', (reference) => {
    expect(screenedReference(reference)).toMatchObject({ ok: true, text: reference });
  });

  it('refuses an invisible character, named by its code point', () => {
    expect(screenedReference('CX\u200b-1')).toEqual({ ok: false, problem: 'INVISIBLE_CHARACTER', codePoint: 'U+200B' });
  });
});

describe('proseRefusal, prose other offices read (a case’s, a slip’s, a finding’s, a charity’s reason)', () => {
  const FIELD = ['input', 'reason'];
  it.each([
    ['a mobile number', '已电话联系本人 13905371234', '139****1234'],
    ['a mobile number in groups of 3-4-4 split by hyphens', '已电话核实 139-0537-1234', '139****1234'],
    ['a mobile number in groups of 3-4-4 split by spaces', '电话 139 0537 1234 已核实', '139****1234'],
    ['a mobile number in groups of 3-8', '电话 139 05371234', '139****1234'],
    ['a mobile number split by dots and middle dots', '139.0537·1234', '139****1234'],
    ['a mobile number after the country code, its groups split', '+86 (139) 0537-1234', '139****1234'],
    ['a mobile number after the country code, run together', '0086 13905371234', '139****1234'],
    ['a mobile number after a date', '2026-03-16 139 0537 1234 入户', '139****1234'],
    ['a mobile number before a year', '电话 139 0537 1234 2026年3月16日', '139****1234'],
    ['a mobile number after a landline', '(0537)2345678 13905371234', '139****1234'],
    ['a mobile number in Chinese numerals', '联系户主 一三九〇五三七一二三四', '139****1234'],
    ['a mobile number in Chinese numerals with units, split by spaces', '一百三十九 零五三七 一千二百三十四', '139****1234'],
    ['a card in groups of four, its last of three', '救助金打入 6222 0216 0700 1234 567', '****4567'],
    ['a card in groups of four split by dashes', '救助金打入 6222-0232-3456-7890', '****7890'],
    ['a card in groups of four after a date', 'DL-20260317-6222-0232-3456-7890', '****7890'],
    ['a UnionPay card joined', '打入 6222021607001234567', '****4567'],
    ['a UnionPay card in other groups', '打入 622202-1234567890128', '****0128'],
  ])('finds %s, masked', (_what, prose, found) => {
    expect(proseRefusal(FIELD, prose)).toEqual({ code: 'IDENTIFYING_NUMBER', field: FIELD, found, message: expect.stringContaining(found) });
  });

  it.each([
    ['a time and a date with a one-digit month', '17:30 2026.3.16 入户核实'],
    ['a time', '08:30 到 17:30 入户'],
    ['a date with a one-digit month and day', '2026-3-16 走访，2026-3-6 复核'],
    ['amounts split by a slash', '自付/报销：13,500.00/2,000.00'],
    ['amounts', '自付 13500.00 元，报销 2000.00 元'],
    ['a list of amounts', '金额 1500 2000 3000 5000'],
    ['a list of amounts that starts as a card does', '金额 3000 2000 1500 5000 元'],
    ['a list of periods', '第 1 2 3 4 5 6 7 8 9 10 11 12 13 期'],
    ['a settlement number in groups of four', '结算 3708 1100 0020 2602 2100 0012 3456'],
    ['a settlement number in groups of four, joined by dashes', '结算号 3708-1100-0020-2602-2100-0012-3456'],
    ['an office landline', '咨询电话 0537-2345678'],
    ['an office landline with its area code in brackets', '(0537) 2345678'],
    ['a card-shaped number that fails the Luhn check', '编号 6222 0216 0000 1234 567'],
    ['a document number', '依据鲁民〔2026〕12号，2026-03-16入户核实，因病住院自付500元'],
    ['a transfer number', '转办单 DL-20260317-000123'],
    ['a document number of dotted groups', 'NO.138.2026.0316.0001'],
  ])('passes %s', (_what, prose) => {
    expect(proseRefusal(FIELD, prose)).toBeNull();
  });

  it.each([
    ['a zero-width space between a number’s digits', '联系 139\u200b0537\u200b1234', 'U+200B'],
    ['a word joiner', '数据\u2060有误', 'U+2060'],
    ['a right-to-left override', '核实\u202e4321', 'U+202E'],
    ['a BOM', '已\ufeff核实', 'U+FEFF'],
    ['a line separator', '已核实\u2028无误', 'U+2028'],
  ])('refuses %s, named by its code point, as an alert’s reason is', (_what, prose, codePoint) => {
    expect(proseRefusal(FIELD, prose)).toEqual({ code: 'TEXT_INVISIBLE_CHARACTER', field: FIELD, found: null, message: expect.stringContaining(codePoint) });
  });

  it('keeps line breaks and tabs, which prose may hold', () => {
    expect(proseRefusal(FIELD, '第一行\n\t第二行\r\n')).toBeNull();
  });
});

describe('scrub, an ID number written full-width or with invisible characters', () => {
  const MASKED = `${ID.slice(0, 6)}********${ID.slice(14)}`;
  it.each([
    ['full-width', FULL_WIDTH(ID)],
    ['full-width, with a full-width X', FULL_WIDTH(ID.slice(0, 17) + 'X')],
    ['full-width, in parts', `${FULL_WIDTH(ID.slice(0, 6))}－${FULL_WIDTH(ID.slice(6, 14))}－${FULL_WIDTH(ID.slice(14))}`],
    ['with zero-width spaces between its digits', [...ID].join('\u200b')],
    ['with a soft hyphen', `${ID.slice(0, 9)}\u00ad${ID.slice(9)}`],
  ])('masks one %s', (_what, written) => {
    const out = scrub(`申请人 ${written}，电话 13800138000`);
    const expected = written.includes('Ｘ') ? `${ID.slice(0, 6)}********${ID.slice(14, 17)}X` : MASKED;
    expect(out).toContain(expected);
    expect(out.replace(/\D/g, '')).not.toContain(ID.slice(6, 14));
  });

  // Two written in parts in one run of digit groups (a couple's numbers, a form's fields run
  // together): the first found used to leave the search on the separator after it, so the second
  // never began on a group and stayed in clear, in a log line and in prose alike. (A first one
  // ending in X ends the run there, so the second began a run of its own and was masked.)
  const HEAD = makeIdNumber('370811', '1975-04-12', 31);
  const SPOUSE = makeIdNumber('370811', '1977-09-03', 42);
  const masked = (n: string) => `${n.slice(0, 6)}********${n.slice(14)}`;
  const inParts = (n: string, sep: string) => [n.slice(0, 6), n.slice(6, 14), n.slice(14)].join(sep);
  const inFours = (n: string, sep: string) => n.match(/.{1,4}/g)!.join(sep);
  it.each([
    ['6-8-4, by spaces', inParts, ' ', ' '],
    ['6-8-4, by a comma', inParts, ' ', ', '],
    ['6-8-4, by dashes', inParts, '-', '-'],
    ['in fours, by dots', inFours, '.', '.'],
  ])('masks both of two in parts in one run: %s', (_what, shape, sep, between) => {
    expect(HEAD.endsWith('X')).toBe(false);
    const text = `夫妻 ${shape(HEAD, sep)}${between}${shape(SPOUSE, sep)} 申请`;
    for (const out of [scrub(text), maskIdNumbersInText(text)]) expect(out).toBe(`夫妻 ${masked(HEAD)}${between}${masked(SPOUSE)} 申请`);
  });
});

describe('HEALTH_WORDS, what tells of someone’s health (a village notice, a need’s description)', () => {
  const tells = (text: string) => HEALTH_WORDS.test(screeningForm(text)) && descriptionTellsHealth(text);
  it('finds illnesses, injuries, stays, disabilities and nursing needs', () => {
    for (const text of ['户主确诊癌症', '因病致贫', '孩子摔伤后骨折', '父亲工伤在家', '老人长期卧床，需要护工', '母亲住进护理院', '支付护理费', '患抑郁多年', '精神分裂症', '双目失明', '先天性耳聋', '术后康复', '妻子怀孕', '烧伤治疗', '老人生活不能自理', '母亲需要护理', '已转介乡镇卫生院', '村卫生室上门随访', '社区卫生服务中心建档', '卫健部门已联系', '体检发现异常'])
      expect([text, tells(text)]).toEqual([text, true]);
  });
  it('finds illnesses named without 病 or 症: strokes, infarcts, inflammations, hepatitis, HIV and the like', () => {
    for (const text of ['户主脑梗死后无劳动能力', '父亲突发心梗', '母亲脑梗塞', '孩子肺炎反复发作', '母亲乙肝多年', '丈夫肝炎', '感染HIV', '感染 hiv', '艾滋', '老人脑中风', '中风后行动不便', '哮喘发作', '肺结核', '高血压多年', '脑出血', '脑溢血', '肾衰竭', '心衰', '肝硬化', '癫痫', '老年痴呆', '帕金森', '每周血透三次', '等待骨髓移植', '装了心脏支架', '在ICU'])
      expect([text, tells(text)]).toEqual([text, true]);
  });
  it('leaves ordinary words alone: grief, spirit, caring for a child, illiteracy', () => {
    for (const text of ['失去亲人后十分伤心', '悲伤过度，情绪低落', '独自护理两个年幼的孩子', '照顾护理年迈的父母', '自强不息的精神', '精神面貌良好', '户主是文盲，不会填表', '不要盲目借贷', '家中房屋漏雨，冬季取暖困难', '院内环境卫生较差', '帮助老人打扫卫生', '世态炎凉', '天气炎热', '途中风雨交加', '从中作梗', '故事梗概', '秧苗移植', '搭建支架晾晒', '体力衰退', 'AIDHUB 平台'])
      expect([text, HEALTH_WORDS.test(screeningForm(text)), descriptionTellsHealth(text)]).toEqual([text, false, false]);
  });
});
