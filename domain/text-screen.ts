/**
 * Text that other parties read (a village notice on the board, a need's description charities
 * read, a charity's name and project titles offices read; a charity's references, screenedReference):
 * one screen for all of it, so a client cannot write past the personal-data checks what a reader still sees.
 *
 * What got past before: full-width digits (`１３９０５３７１２３４`), digits in other scripts or
 * circled (①③⑨…), Chinese numerals digit by digit (一三九〇…) or with units (一百三十九亿零五百
 * 三十七万…, read as their value), and digits split by zero-width spaces, word
 * joiners, soft hyphens or bidi marks (`139\u200b0537\u200b1234`): the digit screens read ASCII
 * runs only, while a reader sees a phone or ID number. Invisible characters also let a text display
 * as something other than it is (a right-to-left mark reorders digits around it). So:
 *  - invisible and formatting characters (Unicode Cc and Cf: zero-width space, joiners, word
 *    joiner, soft hyphen, bidi marks, overrides and isolates, BOM, tag characters, interlinear
 *    annotation) and blank fillers (Hangul fillers, braille blank) are refused, not stripped: a
 *    client that sends them is told, and what is stored is what was sent; but for the joiners a
 *    script needs where it needs them (SCRIPT_JOINERS: Mongolian, Uyghur, emoji), which the
 *    screens read through;
 *  - the screens read the text's NFKC form (full-width and circled digits and letters, Kangxi
 *    radicals, compatibility ideographs as their plain forms), with digits of any script and Chinese
 *    numerals read as digits, and separators people put between a number's parts read through.
 * The text is stored as sent (trimmed, NFC): NFKC would turn the notice's full-width Chinese
 * punctuation （，：） into ASCII on the board; everything NFKC would change has been screened in
 * its NFKC form, so the stored form shows nothing the screen did not read.
 */

import { mayContainIdNumber } from './id-number';

/**
 * The format characters a script needs, where it needs them; kept (as written, and by the masking of
 * ID numbers in prose: formatCharactersLeftOut) and left out of what the screens read (scriptJoinersLeftOut):
 *  - the Mongolian vowel separator (U+180E) between two Mongolian letters: traditional Mongolian
 *    spells words with it (ᠬᠠᠷ᠎ᠠ);
 *  - a zero-width non-joiner or joiner (U+200C, U+200D) between two letters (either perhaps with its
 *    marks, a virama), as Uyghur, Persian and Indic scripts shape words; not between Chinese,
 *    Japanese or Korean characters, which no joiner shapes (and whose numerals are letters);
 *  - a zero-width joiner between two emoji (the one before perhaps with its skin tone or
 *    presentation selector): 👨‍👩‍👧, 🏳️‍🌈;
 *  - tag characters in a subdivision flag: U+1F3F4, then the region's two letters and up to four
 *    letters or digits in tag form, then the cancel tag U+E007F (🏴 gbsct). Not capitals or
 *    punctuation, nor anywhere else: tag characters elsewhere carry text no reader sees.
 * Next to a digit, doubled, at an edge or anywhere else they are refused as every other invisible character.
 */
const JOINING_LETTER = String.raw`(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}])\p{L}`;
const MONGOLIAN_LETTER = String.raw`(?=\p{L})\p{Script=Mongolian}`;
/*
 * Tried only where a format character stands ((?=\p{Cf})): the look-behinds read back over a letter's
 * marks, and tried at every position a text of 20,000 combining marks took 20 s to screen (99,000,
 * masked before a field's length check, minutes).
 */
const SCRIPT_JOINERS = new RegExp(
  String.raw`(?=\p{Cf})(?:` +
    [
      String.raw`(?<=${MONGOLIAN_LETTER}\p{M}*)\u180e(?=${MONGOLIAN_LETTER})`,
      String.raw`(?<=${JOINING_LETTER}\p{M}*)[\u200c\u200d](?=\p{M}*${JOINING_LETTER})`,
      String.raw`(?<=\p{Extended_Pictographic}[\p{Emoji_Modifier}\ufe0f]*)\u200d(?=\p{Extended_Pictographic})`,
      String.raw`(?<=\u{1f3f4})[\u{e0061}-\u{e007a}]{2}[\u{e0030}-\u{e0039}\u{e0061}-\u{e007a}]{1,4}\u{e007f}`,
    ].join('|') +
    ')',
  'gu',
);

/** The text without the format characters its scripts need where they need them (SCRIPT_JOINERS): what the screens read, a number split by none of them. */
function scriptJoinersLeftOut(text: string): string {
  return text.replace(SCRIPT_JOINERS, '');
}

/** A format character (Cf) where SCRIPT_JOINERS takes none, or (captured) a joiner it takes, judged in the text as written as scriptJoinersLeftOut judges it. */
const FORMAT_OR_SCRIPT_JOINER = new RegExp(`(${SCRIPT_JOINERS.source})|\\p{Cf}`, 'gu');

/**
 * The text without its format characters (Cf) but for the joiners its scripts need where they need
 * them (SCRIPT_JOINERS), kept as written: a number split by any invisible character reads whole (a
 * kept joiner stands between letters or emoji, never beside a digit), and a Mongolian or Uyghur
 * word, an emoji family, keeps its spelling (domain/privacy.ts masks ID numbers in prose over it).
 */
export function formatCharactersLeftOut(text: string): string {
  return text.replace(FORMAT_OR_SCRIPT_JOINER, (_c, joiner: string | undefined) => joiner ?? '');
}

/** Where formatCharactersLeftOut leaves a character out: each one's start and end (UTF-16, end excluded), in order. */
export function formatCharactersLeftOutAt(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const m of text.matchAll(FORMAT_OR_SCRIPT_JOINER)) if (m[1] === undefined) out.push({ start: m.index!, end: m.index! + m[0].length });
  return out;
}

/** Characters no displayed text may hold: controls, format characters (Cf), line and paragraph separators, blank fillers. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0\u2800]/u;
/** The same, less the line breaks and tabs a multi-line text (a need's description) may hold. */
const INVISIBLE_KEEPING_LINES = /(?![\t\n\r])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0\u2800]/u;

/** Chinese numerals as a phone or account number is read out or written (幺 for 1 in phone numbers). */
const CHINESE_DIGITS: Record<string, string> = {
  〇: '0', 零: '0', 一: '1', 幺: '1', 二: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9',
  壹: '1', 贰: '2', 貳: '2', 叁: '3', 參: '3', 肆: '4', 伍: '5', 陆: '6', 陸: '6', 柒: '7', 捌: '8', 玖: '9',
};
const CHINESE_DIGIT = new RegExp(`[${Object.keys(CHINESE_DIGITS).join('')}]`, 'gu');

/** A decimal digit of any script as its ASCII digit (Unicode puts each script's 0–9 in a row). */
function asciiDigit(c: string): string {
  const cp = c.codePointAt(0)!;
  let first = cp;
  while (cp - first < 100 && /\p{Nd}/u.test(String.fromCodePoint(first - 1))) first--;
  return String((cp - first) % 10);
}

/** Every decimal digit of another script (full-width ０–９, Arabic-Indic, mathematical …) as its ASCII digit; nothing else changes. */
export function asciiDigits(text: string): string {
  return text.replace(/[^\P{Nd}0-9]/gu, asciiDigit);
}

/**
 * The form the screens read: NFKC, every decimal digit and Chinese numeral as an ASCII digit. Not
 * for display or storage (it turns 一 into 1 in every word); only to decide.
 */
export function screeningForm(text: string): string {
  return asciiDigits(scriptJoinersLeftOut(text).normalize('NFKC')).replace(CHINESE_DIGIT, (c) => CHINESE_DIGITS[c]);
}

/**
 * Words that tell of someone's health, as a cause or a place: illness, hospital, medicine,
 * disability and the like (PIPL art. 28; DOMAIN: no health data, "also not through a cause like
 * 因病"). Read in the screening form: a village notice must not carry them, and a charity need's
 * description carrying them rests on health data (domain/charity/needs.ts).
 */
export const HEALTH_WORDS = new RegExp(
  [
    '病|医|药|残|癌|瘤|疾|患|症|诊|疗|住院|手术|透析|化疗|康复|瘫|聋|哑|智障|孕|失明|失聪',
    // 伤 alone is also grief (伤心, 悲伤, 伤感) and harm to no body (伤害感情): only an injury tells of health.
    '受伤|负伤|伤者|伤员|伤情|伤势|伤口|伤病|伤残|工伤|外伤|内伤|创伤|烧伤|烫伤|摔伤|砸伤|撞伤|扭伤|刺伤|咬伤|冻伤|重伤|轻伤|骨折|截肢',
    // 护理 is also the care a child or an elder gets at home (护理孩子, 照顾护理老人): a nursing need is told
    // by what it goes with (a nursing home, a carer paid by the day, long-term care, a bedridden or disabled person).
    '护理(?:院|费|员|工|险|补贴|等级)|(?:长期|专业|专人|医疗|术后|临终|需要|需)护理|护工|卧床|失能|失智|不能自理',
    // 精神 alone is also spirit (精神面貌, 自强精神): a mental illness is told by these.
    '精神(?:分裂|障碍|异常|卫生|科|失常)|抑郁|焦虑症|自闭|孤独症',
    // 卫生 alone is also hygiene (环境卫生, 打扫卫生): a place of care is told by what it goes with
    // (乡镇卫生院, 村卫生室, 社区卫生服务中心); 卫健 is the health commission.
    '卫生(?:院|室|所|站|服务|中心)|卫健|体检',
    // 盲 in 文盲 (illiterate) and 盲目 tells of no eye.
    '(?<!文|法)盲(?!目|从|区|点)',
    // Illnesses named without 病 or 症, as settlements and townships write them (脑梗死, 肺炎, 乙肝).
    // 梗 alone is also 从中作梗 and 梗概, 炎 炎热 and 世态炎凉, 中风 途中风雨, 移植 a seedling's, 支架 a frame.
    '梗死|梗塞|脑梗|心梗|(?:肺|肝|肾|胃|肠|脑|胰腺|关节|皮|鼻|咽)炎|[甲乙丙]肝|艾滋|脑中风|中风后|哮喘|结核|高血压|脑出血|脑溢血|衰竭|心衰|肝硬化|癫痫|痴呆|帕金森|阿尔茨海默|血透|(?:骨髓|器官|肾|肝|心脏)移植|(?:心脏|冠脉)支架',
    // Latin abbreviations, in either case, not inside a longer word (AIDHUB is none of them).
    '(?<![A-Za-z])(?:[Hh][Ii][Vv]|[Aa][Ii][Dd][Ss]|[Ii][Cc][Uu])(?![A-Za-z])',
  ].join('|'),
  'u',
);

/**
 * Words that tell of a child under 14 (PIPL art. 28: a child's data is sensitive, and art. 31 asks
 * a guardian's separate consent), read in the screening form: a charity need's description carrying
 * them hands the charity a child's data whoever the need is for (domain/charity/needs.ts), so it
 * rests on MINOR_DATA as health words rest a need on HEALTH_DATA. Chosen by what they say of age,
 * not tuned to one text:
 *  - an age under 14 in years or months (3岁, 三岁, 3 岁, 十三周岁, 两岁半, 8个月大; not 14岁 or 40岁), read
 *    as ageUnder14 reads it, numerals with units as their value;
 *  - a baby or a young child by name (婴儿, 婴幼儿, 幼儿, 新生儿, 宝宝, 儿童, 幼童, 男童, 女童, 学龄前);
 *  - what only a baby uses (奶粉, 尿不湿, 纸尿裤, 尿布, 辅食, 婴儿车);
 *  - where only a young child goes (幼儿园, 托儿所, 托育, 早教, 小学, primary years 1–6: 3年级, not 大学1年级).
 * Not 孩子, 子女 or 学生 alone: a mother's child of 20 is her 孩子 too, and a student may be 17 (an age
 * or a school beside them tells). Not 未成年: under 18, not under 14.
 */
const YOUNG_CHILD_WORDS = new RegExp(
  [
    '婴儿|婴幼儿|幼儿|新生儿|宝宝|儿童|幼童|男童|女童|学龄前',
    '奶粉|尿不湿|纸尿裤|尿布|辅食',
    '托儿所|托育|早教|小学',
    // A school year of primary school (1–6); 大学1年级, 初中1年级 and 高中1年级 are older.
    '(?<!大学|大|初中|高中|初|高|研究生|研)[1-6]\\s*年级',
  ].join('|'),
  'u',
);
/** An age under 14 in years (3岁, 13周岁, 2岁半, 两岁, 半岁) or a baby's in months (8个月大, 两个月大): no digit before it, so 40岁 and 14岁 do not read as 0 or 4. */
const AGE_UNDER_14 = /(?<![\d.])(?:1[0-3]|\d|两|半)\s*(?:周岁|岁)|(?<![\d.])(?:\d{1,2}|两|半)\s*个月大/u;

/** Whether a text (its screening form) tells of a child under 14: YOUNG_CHILD_WORDS, or an age under 14 (AGE_UNDER_14, numerals with units as their value: 十三岁 is 13岁). */
export function tellsOfYoungChild(screened: string): boolean {
  return YOUNG_CHILD_WORDS.test(screened) || AGE_UNDER_14.test(unitNumbersAsDigits(screened));
}

/** What the young-child screen reads as (its word lists' sources): a data upgrade keys the screen of published needs by it. */
export const YOUNG_CHILD_SCREEN_SOURCE = `${YOUNG_CHILD_WORDS.source}/${AGE_UNDER_14.source}`;

/** What people write between a number's parts: spaces, dashes, dots, slashes, brackets, plus, stars, commas. */
const NUMBER_SEPARATOR = String.raw`[\s\p{Pd}.·・_/\\()\[\]+*#~,、]`;
/** Seven digits or more, parts joined by up to two separators each: an ID number, a mobile or landline, a bank account. */
const LONG_NUMBER = new RegExp(String.raw`\d(?:${NUMBER_SEPARATOR}{0,2}\d){6,}`, 'u');
/** An amount's fraction (12,345.67): not part of a longer number. */
const DECIMAL_FRACTION = /(?<=\d)\.\d{1,2}(?![\d.])/g;

/** Chinese numeral units, with their financial and traditional forms. */
const UNITS: Record<string, bigint> = { 十: 10n, 拾: 10n, 百: 100n, 佰: 100n, 千: 1000n, 仟: 1000n, 万: 10_000n, 萬: 10_000n, 亿: 100_000_000n, 億: 100_000_000n };
/** In the screening form (its numerals digits already): a number written with units, 1百2十3, 2千, 1百3十9亿0 5百… (两 is 2 before a unit). */
const UNIT_NUMBER = /[0-9两]*(?:[十拾百佰千仟万萬亿億][0-9两]*)+/gu;

/** The value of a number written with units (in the screening form): 1百2十3 is 123, 十1 is 11, 两千 2000. */
function unitNumberValue(run: string): bigint {
  let completed = 0n; // whole 亿 groups
  let tenThousands = 0n; // the 万 part of the current 亿 group
  let section = 0n; // below 万
  let number = 0n;
  let hasNumber = false;
  for (const c of run) {
    const unit = UNITS[c];
    if (unit === undefined) {
      number = number * 10n + (c === '两' ? 2n : BigInt(c));
      hasNumber = true;
    } else if (unit < 10_000n) {
      section += (hasNumber ? number : 1n) * unit;
      number = 0n;
      hasNumber = false;
    } else {
      const part = section + number || 1n;
      if (unit === 10_000n) tenThousands += part * unit;
      else {
        completed = (completed + tenThousands + part) * unit;
        tenThousands = 0n;
      }
      section = 0n;
      number = 0n;
      hasNumber = false;
    }
  }
  return completed + tenThousands + section + number;
}

/**
 * Numbers written with units as their digits, as a reader works them out: 一百三十九亿零五百三十七万
 * 一千二百三十四 is the mobile 13905371234, and 一百三十九 零五三七 一千二百三十四 one split by
 * spaces. A round number of 万 or 亿 keeps its unit (一百二十万 reads 120万, as amounts are written
 * in digits too): a round amount identifies no one. Short numbers stay short: 三十岁 is 30岁,
 * 十一月 11月, 一百元 100元.
 */
function unitNumbersAsDigits(screened: string): string {
  return screened.replace(UNIT_NUMBER, (run) => {
    const value = unitNumberValue(run);
    const last = run.at(-1)!;
    const unit = UNITS[last];
    if (value > 0n && (unit === 10_000n || unit === 100_000_000n) && value % unit === 0n) return `${value / unit}${last}`;
    return value.toString();
  });
}

/**
 * Whether a text (its screening form) carries a number that could identify someone: seven digits
 * or more, however written and split (an ID number, phone or bank account; also a date written in
 * digits, which a displayed text has no need of either), Chinese numerals with units read as their
 * value (unitNumbersAsDigits).
 */
export function carriesLongNumber(screened: string): boolean {
  return LONG_NUMBER.test(unitNumbersAsDigits(screened).replace(DECIMAL_FRACTION, ''));
}

export type ScreenProblem = 'INVISIBLE_CHARACTER' | 'IDENTIFYING_NUMBER';

export interface ScreenOptions {
  /** Keep line breaks and tabs (a need's description). */
  multiLine?: boolean;
  /**
   * Refuse a long number (default): texts about a household. A charity's own name and titles
   * (`2026-2027学年助学`) are screened for invisible characters only.
   */
  numbers?: boolean;
}

/**
 * `found`, with IDENTIFYING_NUMBER from prose: the number found, masked (phoneOrAccountIn), for the
 * writer to find it in their text; never the number in clear.
 */
export type Screened = { ok: true; text: string; screened: string } | { ok: false; problem: ScreenProblem; codePoint?: string; found?: string };

/**
 * A displayed text screened: `text` as it is stored (trimmed, NFC), `screened` its screening form
 * for the checks a field adds (a notice's health words and the household's names); or the problem.
 */
export function screenedText(raw: string, options: ScreenOptions = {}): Screened {
  const text = raw.trim().normalize('NFC');
  const invisible = invisibleIn(text, options.multiLine ?? false);
  if (invisible) return invisible;
  const screened = screeningForm(text);
  if (options.numbers !== false && carriesLongNumber(screened)) return { ok: false, problem: 'IDENTIFYING_NUMBER' };
  return { ok: true, text, screened };
}

/** The first invisible character in the text (INVISIBLE), the joiners its scripts need where they need them left out (SCRIPT_JOINERS); null when none. */
function invisibleIn(text: string, multiLine: boolean): Screened | null {
  const invisible = (multiLine ? INVISIBLE_KEEPING_LINES : INVISIBLE).exec(scriptJoinersLeftOut(text));
  return invisible ? { ok: false, problem: 'INVISIBLE_CHARACTER', codePoint: `U+${invisible[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` } : null;
}

/** What people put between a mobile number's groups: spaces, dashes, dots, middle dots, enumeration commas, underscores, up to three in a row between two groups. Not `:` `,` `/`, which part a time, an amount or a date. */
const MOBILE_SEPARATOR = String.raw`[\s\p{Pd}.·・。、_]`;
/** The country code before a mobile number: 86, +86, 0086, (+86). */
const COUNTRY_CODE = String.raw`(?:\(\+?86\)|\+?0{0,2}86)`;
/**
 * A mobile number as people write it: 1, then 3–9, then nine digits, joined (13812345678,
 * +8613812345678) or in groups of 3-4-4 or 3-8 (138 1234 5678, 139-0537-1234, (138) 1234·5678,
 * +86 138-1234-5678), perhaps after the country code. Not part of a longer number: no digit either
 * side, nor a digit beyond a dot, comma or dash (13,500.00 and 2026-138-1234-5678-2 are no phone).
 */
const MOBILE_NUMBER = new RegExp(
  String.raw`(?<!\d|\d[.,\p{Pd}])(?:${COUNTRY_CODE}${MOBILE_SEPARATOR}{0,3})?` +
    String.raw`(?:1[3-9]\d{9}|(?:\(1[3-9]\d\)${MOBILE_SEPARATOR}{0,3}|1[3-9]\d${MOBILE_SEPARATOR}{1,3})(?:\d{4}${MOBILE_SEPARATOR}{1,3}\d{4}|\d{8}))` +
    String.raw`(?!\d|[.,\p{Pd}]\d)`,
  'u',
);

/** The mobile number a text's digits (its screening form) carry (MOBILE_NUMBER), its eleven digits, a country code left off; or null. */
function mobileNumberIn(digits: string): string | null {
  const found = MOBILE_NUMBER.exec(digits)?.[0];
  return found === undefined ? null : found.replace(/\D/gu, '').slice(-11);
}

/**
 * The first digits, of some digit groups in a row of a run `runs` finds, joined from the start of a
 * group to the end of one (up to `maxDigits`), that pass `test`; null when none do.
 */
function groupsJoined(digits: string, runs: RegExp, maxDigits: number, test: (joined: string) => boolean): string | null {
  for (const run of digits.match(runs) ?? []) {
    const groups = run.split(/\D+/u);
    for (let first = 0; first < groups.length; first++) {
      let joined = '';
      for (let last = first; last < groups.length && joined.length < maxDigits; last++) {
        joined += groups[last];
        if (test(joined)) return joined;
      }
    }
  }
  return null;
}

/** What people put between a card or account number's groups: spaces, dashes, dots, middle dots, up to three in a row. */
const ACCOUNT_SEPARATOR = String.raw`[\s\p{Pd}.·・。]{1,3}`;
/**
 * The first four digits of a bank card (ISO/IEC 7812 issuer numbers): 3 (JCB, American Express), 4
 * and 5 (Visa, Mastercard), 6 (UnionPay 62…, the cards issued here), 9 (national cards such as
 * 9558…), Mastercard's 2221–2720. Not 0 or 1, nor a year (19xx, 20xx), which a date or a sequence
 * number starts with (2026-0301-0001-0002).
 */
const CARD_START = String.raw`(?:[3-69]\d{3}|2[2-7]\d{2})`;
/** A group of four digits a card starts with (CARD_START). */
const CARD_FIRST_GROUP = new RegExp(String.raw`^${CARD_START}$`, 'u');
/** Digit groups joined by an account's separators. */
const ACCOUNT_GROUPS = new RegExp(String.raw`\d+(?:${ACCOUNT_SEPARATOR}\d+)*`, 'gu');

/** The Luhn check (ISO/IEC 7812-1), which every bank card number passes and a number made up at random passes one time in ten. */
function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[digits.length - 1 - i]);
    sum += i % 2 === 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d;
  }
  return sum % 10 === 0;
}

/**
 * The cards printed in groups of four (CARD_START, then three groups of four, then perhaps the last
 * 1–3 digits of a 17- to 19-digit card) in a run of groups (ACCOUNT_GROUPS), their digits.
 * Exactly four groups of four in a row: a run of more (a settlement number, 3708 1100 0020 2602 2100
 * 0012 3456, or a list of amounts, 1500 2000 3000 5000) is not a card, whatever four of them read
 * as; a group of another length may come before or after (DL-20260317-6222-0232-3456-7890).
 */
function printedCardsIn(run: string): string[] {
  const groups = run.split(/\D+/u);
  const cards: string[] = [];
  for (let first = 0; first + 4 <= groups.length; first++) {
    const four = groups.slice(first, first + 4);
    const next = groups[first + 4];
    if (four.some((g) => g.length !== 4) || groups[first - 1]?.length === 4 || next?.length === 4 || !CARD_FIRST_GROUP.test(four[0])) continue;
    cards.push(four.join('') + (next !== undefined && next.length <= 3 ? next : ''));
  }
  return cards;
}

/**
 * The digits of the bank card or account number written in groups that a text's digits carry, or
 * null: one that passes the Luhn check (ISO/IEC 7812-1, which every bank card passes and a number
 * made up passes one time in ten) and is
 *  - printed in four groups of four from a card's first digits, with the last 1–3 digits of a 17-
 *    to 19-digit card after them (printedCardsIn), joined by spaces, dashes, dots or middle dots
 *    (6222 0216 0700 1234 567, 6222-0232-3456-7890, 4367·4270·1234·5678); or
 *  - a UnionPay card's (62…) 16–19 digits, joined (6222021607001234567) or in some groups in a row
 *    (622202-1234567890128).
 * Not a date, a time, an amount or a sequence number (2026-12-03, 17:30, 13,500.00,
 * PL-2026-0301-0001, DL-20260317-000123-0001): their groups are not a card's four by four, are
 * parted by what a card's are not, or do not start as a card does.
 */
function groupedAccountIn(digits: string): string | null {
  for (const run of digits.match(ACCOUNT_GROUPS) ?? []) {
    const printed = printedCardsIn(run).find(luhnValid);
    if (printed !== undefined) return printed;
  }
  return groupsJoined(digits, ACCOUNT_GROUPS, 19, (joined) => joined.length >= 16 && joined.length <= 19 && joined.startsWith('62') && luhnValid(joined));
}

/**
 * A reference other parties read (a charity's pledge, delivery or reduction reference, which
 * offices read beside the household's aid): screened as a text for invisible characters, and for
 * an ID number (however split, domain/id-number.ts mayContainIdNumber), a mobile number (however
 * written as people write one: mobileNumberIn) or a bank card (printed in groups of four, or a
 * UnionPay card's digits however grouped, passing the Luhn check: groupedAccountIn), in any script
 * or in Chinese numerals. Not for seven digits, as a text is:
 * references carry dates and sequence numbers (`PL-2026-0301-0001`, `慈字2026第1号`).
 */
export function screenedReference(raw: string): Screened {
  const screened = screenedForNumbers(raw, false, (digits) => (mayContainIdNumber(digits) ? '' : phoneOrAccountIn(digits)));
  return screened.ok || screened.problem !== 'IDENTIFYING_NUMBER' ? screened : { ok: false, problem: 'IDENTIFYING_NUMBER' };
}

/**
 * Prose an office writes about a household for other offices to read (an alert's reasons and notes,
 * kept in its history): line breaks kept, invisible characters refused, and numbers screened as a
 * reference's are, for a mobile number or a bank card or account however written and split. Not for
 * seven digits, as a displayed text is: such prose names dates, amounts and document numbers
 * (`2026-11-20入户核实`, `存款1,234,567元`, `转办单 DL-20260317-000123`). An ID number is masked
 * where the text comes in (resolvers/text-inputs.ts), as in all prose, not refused. A refusal names
 * the number found, masked (`found`: 138****5678, ****7890), as the only part of it fit to repeat.
 */
export function screenedProse(raw: string): Screened {
  return screenedForNumbers(raw, true, phoneOrAccountIn);
}

/**
 * The mobile number (mobileNumberIn) or bank card or account (groupedAccountIn) a text's
 * digits carry, masked so that its writer recognises it and no reader learns it: a mobile's first
 * three and last four digits (138****5678), a card's or account's last four (****7890); null when
 * they carry none.
 */
function phoneOrAccountIn(digits: string): string | null {
  const mobile = mobileNumberIn(digits);
  if (mobile !== null) return `${mobile.slice(0, 3)}****${mobile.slice(-4)}`;
  const account = groupedAccountIn(digits);
  return account === null ? null : `****${account.slice(-4)}`;
}

/** What a refusal of prose for `found` (screenedProse) says of `field`: what was found, masked, and why. */
export function identifyingNumberMessage(field: string, found: string): string {
  const what = found.startsWith('*') ? `a bank card or account number (ending ${found.slice(-4)}: ${found})` : `a mobile number (${found})`;
  return `${field} carries ${what}: other offices read it; leave the number out (dates, amounts and document numbers are fine)`;
}

/** A refusal of prose other offices read (proseRefusal): `found` the number, masked, with IDENTIFYING_NUMBER; null with TEXT_INVISIBLE_CHARACTER. */
export type ProseRefusal =
  | { code: 'IDENTIFYING_NUMBER'; message: string; field: string[]; found: string }
  | { code: 'TEXT_INVISIBLE_CHARACTER'; message: string; field: string[]; found: null };

/**
 * The refusal of the prose at `field` (its last name read in the message) that other offices read:
 * a case's summary and reasons, a slip's ask, note, feedback and decline reason, a meeting's notes
 * and a decision's ask, a finding's settling reason or note, a charity's cancellation, correction,
 * reduction or release reason. Screened as an alert's reasons and notes are (screenedProse): an
 * invisible or formatting character anywhere in it (a zero-width space between a number's digits
 * hides it from a reader's eye as well as a screen's; a bidi mark reorders what is shown) is
 * TEXT_INVISIBLE_CHARACTER, naming its code point; a mobile number or a bank card or account is
 * IDENTIFYING_NUMBER, naming it masked. Null when it passes.
 */
export function proseRefusal(field: string[], raw: string): ProseRefusal | null {
  const screened = screenedProse(raw);
  if (screened.ok) return null;
  const name = field.at(-1)!;
  if (screened.problem === 'INVISIBLE_CHARACTER') {
    const message = `${name} holds an invisible or formatting character (${screened.codePoint}): what other offices read would not be what was screened; remove it`;
    return { code: 'TEXT_INVISIBLE_CHARACTER', message, field, found: null };
  }
  return { code: 'IDENTIFYING_NUMBER', message: identifyingNumberMessage(name, screened.found!), field, found: screened.found! };
}

/** Trimmed and NFC as stored, refused for an invisible character, then for what `found` finds in its digits (numerals with units read as their value), named as it returns it. */
function screenedForNumbers(raw: string, multiLine: boolean, found: (digits: string) => string | null): Screened {
  const text = raw.trim().normalize('NFC');
  const invisible = invisibleIn(text, multiLine);
  if (invisible) return invisible;
  const screened = screeningForm(text);
  const number = found(unitNumbersAsDigits(screened));
  if (number !== null) return { ok: false, problem: 'IDENTIFYING_NUMBER', found: number };
  return { ok: true, text, screened };
}
