/**
 * The printable meeting brief, in a real headless browser: Debian's chromium driven by
 * playwright-core. The page is opened over HTTP from a real hub like any officer's browser would,
 * read through the DOM, screenshotted and printed to PDF.
 *
 * Chromium is required, not optional: `npm test` installs it first or stops saying so (tools/test-prerequisites.ts).
 * So is poppler-utils: the printed PDF's pages are read back with `pdfinfo` and `pdftotext` to
 * check that every page carries the case reference and its page number.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEPARTMENT_NAMES } from '../domain/departments';
import { maskIdNumber } from '../domain/id-number';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';

/** The hub records each step when the scenario says it happened. */
const clock = new TestClock('2025-06-02T09:00:00+08:00');
import { eq } from 'drizzle-orm';
import { household, householdMember, person } from '../db/household/schema';
import { makeIdNumber } from '../domain/id-number';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { healthScenario } from '../federation/health/scenario';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dbs: TestDatabases;
let hub: TestHub;
let browser: Browser;
let headers: Record<string, string>;
let caseId: string;
let reference: string;
let meetingBrief: string;
let earlierReference: string;
/** A typical household's case before its meeting: three people on 低保, one hospital stay. */
let liuCaseId: string;
let liuReference: string;

/**
 * A typical household: a 低保 family of three, the wife hospitalised once; nothing else. Its
 * brief before a meeting must fit one A4 page.
 */
const LIU = {
  head: makeIdNumber('370811', '1968-11-02', 55),
  spouse: makeIdNumber('370811', '1970-03-18', 62),
  child: makeIdNumber('370811', '2012-09-09', 71),
};

async function insertLiu(): Promise<number> {
  const [res] = await dbs.hub.insert(household).values({ registrationNo: 'RC-0002', regionCode: '370811001001', address: '任城区古槐街道南门社区 9 号' });
  const id = res.insertId;
  await dbs.hub.insert(person).values([
    { idNumber: LIU.head, name: '刘德成', gender: 'M', birthDate: '1968-11-02' },
    { idNumber: LIU.spouse, name: '孙玉梅', gender: 'F', birthDate: '1970-03-18' },
    { idNumber: LIU.child, name: '刘佳佳', gender: 'F', birthDate: '2012-09-09' },
  ]);
  await dbs.hub.insert(householdMember).values([
    { householdId: id, idNumber: LIU.head, relation: 'HEAD', joinedOn: '1995-01-01' },
    { householdId: id, idNumber: LIU.spouse, relation: 'SPOUSE', joinedOn: '1995-01-01' },
    { householdId: id, idNumber: LIU.child, relation: 'CHILD', joinedOn: '2012-09-09' },
  ]);
  const s = dbs.sources;
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'dibaoFamilies', { familyNo: 'DB370811-0002', countyCode: '370811', headIdNo: LIU.head, areaType: 1, approvedOn: '2025-05-01' });
  await civilAffairsScenario.insert(
    s.CIVIL_AFFAIRS,
    'dibaoMembers',
    [LIU.head, LIU.spouse, LIU.child].map((idNo, i) => ({ familyNo: 'DB370811-0002', idNo, relationToHead: ['本人', '配偶', '女'][i], joinedOn: '2025-05-01', monthlyShareFen: 72_000 })),
  );
  await healthScenario.insert(s.HEALTH, 'settlements', {
    setlId: 'SETL20260201007',
    psnCertNo: LIU.spouse,
    fixmedinsName: '济宁市第一人民医院',
    admDate: '2026-01-20',
    dscgDate: '2026-02-01',
    setlDate: '2026-02-01',
    diseName: '乳腺恶性肿瘤',
    medfeeSumamt: '36500.00',
    hifpPay: '21900.00',
    hifmiPay: '3200.00',
    mafPay: '0.00',
    psnPay: '11400.00',
  });
  return id;
}

const cn = (local: string) => `${local}+08:00`;

async function call(query: string, variables: Record<string, unknown>, field: string) {
  clock.follow(variables);
  const res = await hub.as({ token: headers.authorization.slice('Bearer '.length), purpose: 'CASE_MEETING' }).gql(query, variables);
  expect(res.errors).toBeUndefined();
  expect(res.data[field].userErrors).toEqual([]);
  return res.data[field];
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`chromium is not installed at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH). The meeting brief is tested in a real browser; this test does not skip.`);
  }
  dbs = await createTestDatabases('brief');
  await insertRegions(dbs);
  const wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const county = await hub.createClient({ name: 'rencheng-civil', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['CASEWORKER', 'MEETING_CONVENER'] });
  headers = hub.as({ token: county.token, purpose: 'CASE_MEETING' }).headers;

  // Aid the brief must explain: a second temporary aid for an accident, with its flags.
  await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', { idNo: WANG.head, familyNo: 'DB370811-0001', causeCode: '02', isUrgent: false, isSecondAid: true, grantDate: '2025-12-05', amountFen: 150_000, approvalLevel: 2 });
  const health = await hub.createClient({ name: 'rencheng-health', department: 'HEALTH', regionScope: '370811', roles: ['CASEWORKER'] });
  const education = await hub.createClient({ name: 'rencheng-education', department: 'EDUCATION', regionScope: '370811', roles: ['CASEWORKER'] });

  const open = async (householdId: number, urgency: string, summary: string, reportedAt: string) =>
    (clock.set(cn(reportedAt)),
    
      await call(
        `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id reference briefUrl } userErrors { code } } }`,
        { input: { householdId: String(householdId), origin: 'APPLICATION', urgency, summary, reportedAt: cn(reportedAt) } },
        'caseOpen',
      )
    ).case;
  const move = async (id: string, steps: [string, string, string?][]) => {
    for (const [to, at, reason] of steps) {
      clock.set(cn(at));
      if (to === 'FIRST_AID_GIVEN') {
        await call(`mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { state } userErrors { code } } }`, { input: { caseId: id, programme: 'TEMP_AID', cause: 'ILLNESS', amountFen: 200_000, reason: reason ?? to } }, 'caseFirstAid');
      } else {
        await call(`mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } userErrors { code } } }`, { input: { caseId: id, to, reason: reason ?? to, occurredAt: cn(at) } }, 'caseTransition');
      }
    }
  };

  // An earlier case of the household, rejected with the explanation given to it.
  const earlier = await open(wangId, 'NORMAL', '申请将户主之母单独纳入低保', '2025-06-02T09:00:00');
  earlierReference = earlier.reference;
  await move(earlier.id, [
    ['ACCEPTED', '2025-06-02T10:00:00'],
    ['REJECTED', '2025-06-04T10:00:00', '已随全户享受低保，不单独纳入'],
  ]);

  const opened = await open(wangId, 'URGENT', '户主之母脑梗住院，自付费用较高，申请救助', '2025-09-26T09:00:00');
  caseId = opened.id;
  reference = opened.reference;
  expect(opened.briefUrl).toBe(`/cases/${caseId}/brief`);
  await move(caseId, [
    ['ACCEPTED', '2025-09-26T09:30:00', '电话申请，街道受理'],
    ['INVESTIGATING', '2025-09-26T10:00:00'],
    ['FIRST_AID_GIVEN', '2025-09-26T15:00:00', '先行发放临时救助 2000 元'],
    ['IN_DELIBERATION', '2025-09-30T09:00:00'],
  ]);
  const recorded = await call(
    `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { briefUrl } case { referrals { id to { key } } } userErrors { code } } }`,
    {
      input: {
        caseId,
        heldOn: '2025-10-09',
        occurredAt: cn('2025-10-09T16:00:00'),
        departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH', 'EDUCATION', 'UNION'],
        notes: '会议研究确定分别救助。',
        decisions: [
          { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 800_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.grandmother, ask: '对住院自付部分给予医疗救助' },
          { department: 'EDUCATION', programme: 'TUITION_WAIVER', amountFen: 120_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.child },
          { department: 'UNION', programme: 'UNION_ILLNESS', amountFen: 200_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.grandmother },
        ],
      },
    },
    'meetingRecord',
  );
  meetingBrief = recorded.meeting.briefUrl;
  const slipTo = (dept: string) => recorded.case.referrals.find((r: any) => r.to.key === dept).id;
  const as = (token: string) => hub.as({ token, purpose: 'REFERRAL' });
  const answer = async (token: string, mutation: string, input: Record<string, unknown>) => {
    clock.follow({ input });
    const res = await as(token).gql(`mutation($input: ${mutation[0].toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { userErrors { code } } }`, { input });
    expect(res.errors).toBeUndefined();
    expect(res.data[mutation].userErrors).toEqual([]);
  };
  await answer(health.token, 'referralAccept', { referralId: slipTo('HEALTH'), occurredAt: cn('2025-10-10T09:00:00') });
  // The medical aid the health office paid on the decision, in its own database: the slip's feedback links it.
  const [medicalAidRef] = await healthScenario.insert(dbs.sources.HEALTH, 'aidPayments', [{ payId: 'MA-2025-1013', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2025-10-13', payAmt: '8000.00' }]);
  await answer(health.token, 'referralComplete', { referralId: slipTo('HEALTH'), feedback: '已按规定核拨医疗救助 8000 元', aidSourceReference: medicalAidRef, occurredAt: cn('2025-10-14T09:00:00') });
  await answer(education.token, 'referralDecline', { referralId: slipTo('EDUCATION'), reason: '该生就读义务教育阶段，无学费可减免', occurredAt: cn('2025-10-10T09:00:00') });

  // The typical household's case, before its meeting.
  const liuId = await insertLiu();
  const liu = await open(liuId, 'NORMAL', '妻子乳腺癌手术后自付费用较高，申请临时救助', '2026-03-10T09:00:00');
  liuCaseId = liu.id;
  liuReference = liu.reference;
  await move(liuCaseId, [
    ['ACCEPTED', '2026-03-10T10:00:00'],
    ['INVESTIGATING', '2026-03-11T09:00:00'],
  ]);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  await dbs?.close();
});

async function open(url: string, extraHeaders = headers): Promise<{ page: Page; requests: string[]; status: number; csp: string | null }> {
  const context = await browser.newContext({ extraHTTPHeaders: extraHeaders, viewport: { width: 1100, height: 1400 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const response = await page.goto(url, { waitUntil: 'load' });
  return { page, requests, status: response!.status(), csp: (await response!.allHeaders())['content-security-policy'] ?? null };
}

/** Share of pixels that are not (near) white, measured by the browser itself from the PNG. */
async function inkShare(png: Buffer): Promise<number> {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Evaluated in the page (the test itself is compiled without DOM types).
  const share = (await page.evaluate(`(async () => {
    const img = new Image();
    img.src = ${JSON.stringify(`data:image/png;base64,${png.toString('base64')}`)};
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0);
    const data = g.getImageData(0, 0, img.width, img.height).data;
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) ink += 1;
    return ink / (data.length / 4);
  })()`)) as number;
  await context.close();
  return share;
}


/** The text of each page of a PDF, read with poppler's pdfinfo and pdftotext. */
function pdfPages(pdf: Buffer): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-pdf-'));
  try {
    const file = path.join(dir, 'brief.pdf');
    fs.writeFileSync(file, pdf);
    const count = Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]);
    return Array.from({ length: count }, (_, i) => execFileSync('pdftotext', ['-f', String(i + 1), '-l', String(i + 1), '-layout', file, '-'], { encoding: 'utf8' }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the meeting brief in a real browser', () => {
  it('renders the meeting in Chinese, with the decisions, from the page alone', async () => {
    const { page, requests, status, csp } = await open(`${hub.url}/cases/${caseId}/brief`);
    expect(status).toBe(200);
    expect(await page.title()).toBe(`一事一议会议材料 ${reference}`);
    expect(await page.locator('h1').textContent()).toBe('社会救助“一事一议”会议材料');
    const text = await page.locator('body').innerText();
    for (const expected of ['王建国', '张桂英', '南门社区', '会议决定（2025-10-09）', '医疗保障局', '医疗救助', '学费减免', '大病帮扶', '8000.00 元', '5 个工作日', '（2025-10-15 前）', '近24个月各部门救助情况', '数据比对发现的问题', 'X6', 'X13', '受助学生 2025-10-15 在读学段为初中']) {
      expect({ expected, found: text.includes(expected) }).toEqual({ expected, found: true });
    }
    // ID numbers are printed masked, never in clear.
    expect(text).toContain(maskIdNumber(WANG.head));
    expect(await page.content()).not.toContain(WANG.head);
    // One request: the page. No script, font, image or style from anywhere, and the CSP forbids them.
    expect(requests).toEqual([`${hub.url}/cases/${caseId}/brief`]);
    expect(csp).toContain("default-src 'none'");
    expect(await page.locator('table').count()).toBeGreaterThanOrEqual(5);
    await page.context().close();
  });

  it('takes a screenshot that is not blank', async () => {
    const { page } = await open(`${hub.url}${meetingBrief}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-brief-'));
    const file = path.join(dir, 'brief.png');
    if (process.env.AIDHUB_KEEP_SCREENSHOT) console.log(file);
    const png = await page.screenshot({ path: file, fullPage: true });
    const size = fs.statSync(file).size;
    // Kept only when asked for: every run of the suite left one behind in the temporary directory.
    if (!process.env.AIDHUB_KEEP_SCREENSHOT) fs.rmSync(dir, { recursive: true, force: true });
    expect(size).toBeGreaterThan(20_000);
    expect(size).toBeLessThan(20_000_000);
    const ink = await inkShare(png);
    // Text, table rules and headings: some ink, mostly paper.
    expect(ink).toBeGreaterThan(0.01);
    expect(ink).toBeLessThan(0.6);
    await page.context().close();
  });

  it('prints to A4 with the print styles', async () => {
    const { page } = await open(`${hub.url}${meetingBrief}`);
    await page.emulateMedia({ media: 'print' });
    expect(await page.evaluate("getComputedStyle(document.querySelector('thead')).display")).toBe('table-header-group');
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(10_000);
    await page.context().close();
  });

  it('prints what a convener needs: asks, feedback, decline reasons, units, flags, hospital costs, ages, disability, history, earlier outcomes', async () => {
    const { page } = await open(`${hub.url}${meetingBrief}`);
    const text = await page.locator('body').innerText();
    const expected = [
      // Each decision's ask, the feedback and the decline reason.
      '对住院自付部分给予医疗救助',
      '反馈：已按规定核拨医疗救助 8000 元',
      '退回理由：该生就读义务教育阶段，无学费可减免',
      // The decision's check kept its warning: 学费减免 is not for a 初中 pupil (the layout test below
      // then proves a row with such a warning fits the printed page).
      'SCHOOL_STAGE 需核查：学费减免面向普通高中、中职、高校学生',
      // Units: per month for recurring aid, in total for one-off.
      '720.00 元/月',
      '450.00 元/月',
      '3000.00 元',
      '目前每月发放',
      // Temporary aid's cause, 急难 and second-aid flags.
      '事由：疾病',
      '事由：意外事故',
      '急难',
      '二次临时救助',
      // Hospital out-of-pocket figures (a case meeting may read health detail).
      '济宁医学院附属医院',
      '脑梗死',
      '7010.50 元',
      '48230.50 元',
      // Members' age (at the dossier's date, 2026-03-15) and disability.
      '50 岁',
      '78 岁',
      '15 岁',
      '肢体二级',
      // The case's own history: who accepted, first aid given.
      '本案办理经过',
      '电话申请，街道受理',
      '先行发放临时救助 2000 元',
      // Earlier cases' outcomes and reasons.
      earlierReference,
      '不予救助',
      '已随全户享受低保，不单独纳入',
      // Signature lines after the decisions.
      '主持人：',
      '记录人：',
    ];
    for (const e of expected) expect({ e, found: text.includes(e) }).toEqual({ e, found: true });
    // The facts block names who accepted and when first aid was given.
    const facts = await page.locator('dl.facts').innerText();
    expect(facts).toMatch(/受理\s+2025-09-26 09:30/);
    expect(facts).toMatch(/先行救助\s+2025-09-26 15:00/);
    // The decisions grid shows the meeting's decisions, not blank rows.
    expect(await page.locator('table.grid').count()).toBe(0);
    // Signed by the four departments present, in the usual order; none for those absent.
    const signers = (await page.locator('.sign.departments div').allInnerTexts()).map((t) => t.trim());
    expect(signers).toEqual(['民政：', '教育：', '医保：', '工会：']);
    await page.context().close();
  });

  it('prints each member’s age but not the birth date, and the village but not the house (PIPL minimum necessary)', async () => {
    // What the hub holds for the two households, read back from its own tables: the brief may print none of it.
    const homes = await dbs.hub.select({ id: household.id, address: household.address }).from(household);
    const people = await dbs.hub.select({ householdId: householdMember.householdId, birthDate: person.birthDate }).from(householdMember).innerJoin(person, eq(person.idNumber, householdMember.idNumber));
    expect(homes.length).toBeGreaterThanOrEqual(2);
    for (const url of [`/cases/${liuCaseId}/brief`, meetingBrief, `/cases/${caseId}/brief?view=current`]) {
      const { page } = await open(`${hub.url}${url}`);
      const html = await page.content();
      const flatPdf = pdfPages(await page.pdf({ preferCSSPageSize: true, printBackground: true })).join('').replace(/\s+/g, '');
      const printed = [html, (await page.locator('body').innerText()).replace(/\s+/g, ''), flatPdf];
      for (const home of homes) {
        const houseNumber = home.address.match(/\d+\s*号$/)![0];
        for (const [i, text] of printed.entries()) {
          expect({ url, form: i, address: text.includes(home.address.replace(/\s+/g, '')) || text.includes(home.address) }).toEqual({ url, form: i, address: false });
          expect({ url, form: i, houseNumber: text.includes(houseNumber.replace(/\s+/g, '')) }).toEqual({ url, form: i, houseNumber: false });
        }
      }
      for (const { birthDate } of people) for (const [i, text] of printed.entries()) expect({ url, form: i, birthDate, found: text.includes(birthDate) }).toEqual({ url, form: i, birthDate, found: false });
      expect(flatPdf).toContain('所在村（居）南门社区');
      expect(flatPdf).toMatch(/\d+岁/);
      expect(html).not.toContain('出生日期');
      await page.context().close();
    }
    // Three pages rendered and printed to PDF in a browser: 47 s of the suite's 60 s default on a
    // loaded machine, past it twice (session 35).
  }, 180_000);

  it('prints a blank decision grid and signature lines before a meeting', async () => {
    const { page } = await open(`${hub.url}/cases/${liuCaseId}/brief`);
    expect(await page.locator('body').getAttribute('data-version')).toBe('CURRENT');
    const grid = page.locator('table.grid');
    expect(await grid.count()).toBe(1);
    expect(await grid.locator('tbody tr').count()).toBe(5);
    expect((await grid.locator('tbody').innerText()).trim()).toBe('');
    const sign = (await page.locator('.sign').allInnerTexts()).join(' ');
    for (const who of ['主持人', '记录人', '参会部门签字', '民政', '医保', '教育', '人社']) expect({ who, found: sign.includes(who) }).toEqual({ who, found: true });
    // The reported-aid ledger is the hub's own table, not an office: nobody attends or signs for it.
    expect(sign).not.toContain(`${DEPARTMENT_NAMES.REPORTED}：`);
    await page.context().close();
  });

  it('shows the current dossier beside the meeting snapshot', async () => {
    // New aid after the meeting: in the current dossier, not in the meeting's stored one.
    await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', { idNo: WANG.spouse, familyNo: 'DB370811-0001', causeCode: '03', isUrgent: true, grantDate: '2026-03-01', amountFen: 123_400, approvalLevel: 1 });
    const snapshot = await open(`${hub.url}${meetingBrief}`);
    expect(await snapshot.page.locator('body').getAttribute('data-version')).toBe('SNAPSHOT');
    expect(await snapshot.page.locator('body').innerText()).not.toContain('1234.00 元');
    // The snapshot links to the current view, which keeps the meeting's decisions.
    const link = await snapshot.page.locator('nav.versions a', { hasText: '当前材料' }).getAttribute('href');
    expect(link).toMatch(/view=current/);
    await snapshot.page.context().close();
    const current = await open(`${hub.url}${link}`);
    expect(current.status).toBe(200);
    expect(await current.page.locator('body').getAttribute('data-version')).toBe('CURRENT');
    const text = await current.page.locator('body').innerText();
    expect(text).toContain('1234.00 元');
    expect(text).toContain('会议决定（2025-10-09）');
    // What the meeting did not know is named: the new grant, as added since.
    const changes = await current.page.locator('h2', { hasText: '会后变化' }).locator('xpath=following-sibling::table[1]').innerText();
    expect(changes).toContain('新增');
    expect(changes).toContain('1234.00 元');
    expect(changes).toContain('李秀兰');
    expect(text).toContain('退回理由：该生就读义务教育阶段，无学费可减免');
    await current.page.context().close();
    const bad = await fetch(`${hub.url}/cases/${caseId}/brief?view=yesterday`, { headers: { ...headers, accept: 'application/json' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN_VIEW' });
  });

  it('names the parameter at fault: a malformed meeting is the meeting’s, not the case’s; a parameter given twice is malformed', async () => {
    const refusal = async (query: string) => {
      const res = await fetch(`${hub.url}/cases/${caseId}/brief${query}`, { headers: { ...headers, accept: 'application/json' } });
      const [error] = ((await res.json()) as any).errors;
      return { status: res.status, ...error.extensions, message: error.message };
    };
    for (const query of ['?meeting=abc', '?meeting=0', `?meeting=1&meeting=2`]) {
      expect({ query, ...(await refusal(query)) }).toEqual({ query, status: 400, code: 'BAD_USER_INPUT', reason: 'MALFORMED_ID', argument: 'meeting', message: '会议编号格式不正确' });
    }
    for (const query of ['?view=yesterday', '?view=current&view=meeting']) {
      expect({ query, ...(await refusal(query)) }).toEqual({ query, status: 400, code: 'BAD_USER_INPUT', reason: 'UNKNOWN_VIEW', argument: 'view', message: expect.stringContaining('材料版本') });
    }
  });

  it('prints on A4 with the reference and page number on every page, a typical household on one page', async () => {
    for (const [url, ref, maxPages] of [
      [`/cases/${liuCaseId}/brief`, () => liuReference, 1],
      [meetingBrief, () => reference, 2],
    ] as const) {
      const { page } = await open(`${hub.url}${url}`);
      const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
      const pages = pdfPages(pdf);
      if (process.env.AIDHUB_KEEP_SCREENSHOT) {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-brief-')), 'brief.pdf');
        fs.writeFileSync(file, pdf);
        console.log(url, pages.length, file);
      }
      // The typical household on exactly one page; the Wang household (aid from every department,
      // an earlier case, a meeting with three decisions) on at most two.
      expect(pages.length).toBeGreaterThanOrEqual(1);
      expect(pages.length).toBeLessThanOrEqual(maxPages);
      pages.forEach((text, i) => {
        // pdftotext keeps the words, not always the spaces between them.
        const flat = text.replace(/\s+/g, '');
        expect({ page: i + 1, reference: flat.includes(`案件编号${ref()}`) }).toEqual({ page: i + 1, reference: true });
        expect({ page: i + 1, number: flat.includes(`第${i + 1}页共${pages.length}页`) }).toEqual({ page: i + 1, number: true });
      });
      await page.context().close();
    }
  });

  it('keeps every table inside its box and never breaks a date or a reference across lines, on the printed page', async () => {
    for (const url of [meetingBrief, `/cases/${liuCaseId}/brief`, `/cases/${caseId}/brief?view=current`]) {
      const { page } = await open(`${hub.url}${url}`);
      await page.emulateMedia({ media: 'print' });
      // The A4 text width: 210 mm less 2 × 10 mm of margin, at 96 px per inch.
      await page.setViewportSize({ width: Math.floor((190 / 25.4) * 96), height: 1200 });
      const problems = (await page.evaluate(`(() => {
        const out = [];
        const width = document.documentElement.clientWidth;
        for (const el of document.querySelectorAll('body *')) {
          const r = el.getBoundingClientRect();
          if (r.width === 0 && r.height === 0) continue;
          if (r.right > width + 0.5 || r.left < -0.5) out.push('outside the page: ' + el.tagName + ' ' + el.textContent.slice(0, 40));
          if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline') out.push('overflows its box: ' + el.tagName + ' ' + el.textContent.slice(0, 40));
        }
        // A date or a case reference sits in one line box: nowrap, and one client rect.
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const pattern = /\\d{4}-\\d{2}-\\d{2}|AH-\\d{4}-\\d{6}/;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (!pattern.test(node.textContent)) continue;
          const el = node.parentElement;
          if (getComputedStyle(el).whiteSpace !== 'nowrap') out.push('may break: ' + node.textContent.slice(0, 40));
          const range = document.createRange();
          range.selectNodeContents(node);
          if (range.getClientRects().length > 1) out.push('broken across lines: ' + node.textContent.slice(0, 40));
        }
        // An office's name is kept whole too (a narrow column printed 邹城市民/政局).
        const offices = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const office = /^(?:任城区|微山县)[^\\s、，（）：]*?(?:局|总工会|联合会|人民政府|办事处)/;
        let officesSeen = 0;
        for (let node = offices.nextNode(); node; node = offices.nextNode()) {
          const m = office.exec(node.textContent);
          if (!m) continue;
          officesSeen++;
          if (getComputedStyle(node.parentElement).whiteSpace !== 'nowrap') out.push('office may break: ' + m[0]);
          const range = document.createRange();
          range.setStart(node, 0);
          range.setEnd(node, m[0].length);
          if (range.getClientRects().length > 1) out.push('office broken across lines: ' + m[0]);
        }
        // Checked nothing if no name matched (a fixture's offices of another county): say so.
        if (officesSeen === 0) out.push('no office name found to check');
        return out;
      })()`)) as string[];
      expect({ url, problems }).toEqual({ url, problems: [] });
      await page.context().close();
    }
  });

  it('answers 404 for an unknown case or meeting, refuses a caller without a token, and answers one out of scope as if the case did not exist', async () => {
    const unknown = await open(`${hub.url}/cases/999999/brief`);
    expect(unknown.status).toBe(404);
    await unknown.page.context().close();
    const wrongMeeting = await open(`${hub.url}/cases/${caseId}/brief?meeting=999999`);
    expect(wrongMeeting.status).toBe(404);
    await wrongMeeting.page.context().close();

    const anonymous = await fetch(`${hub.url}/cases/${caseId}/brief`);
    expect(anonymous.status).toBe(401);
    const elsewhere = await hub.createClient({ name: 'weishan-civil', department: 'CIVIL_AFFAIRS', regionScope: '370826', roles: ['MEETING_CONVENER'] });
    const outside = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.as({ token: elsewhere.token, purpose: 'CASE_MEETING' }).headers });
    // Out of reach reads as not found: a 403 would confirm the case exists.
    expect(outside.status).toBe(404);
    const wrongPurpose = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: { ...headers, 'x-purpose': 'REFERRAL' } });
    expect(wrongPurpose.status).toBe(403);
  });
});

describe('a case still in deliberation after a meeting', () => {
  it('prints, in the current view, a blank grid for its next meeting; the meeting’s own material does not', async () => {
    clock.set(cn('2026-03-12T09:00:00'));
    await call(`mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } userErrors { code } } }`, { input: { caseId: liuCaseId, to: 'IN_DELIBERATION', reason: '提请一事一议' } }, 'caseTransition');
    clock.set(cn('2026-03-12T16:00:00'));
    const met = await call(
      `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { id } case { state } userErrors { code } } }`,
      { input: { caseId: liuCaseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], notes: '医保结算材料未齐，延期研究', decisions: [] } },
      'meetingRecord',
    );
    expect(met.case.state).toBe('IN_DELIBERATION');
    const current = (await open(`${hub.url}/cases/${liuCaseId}/brief?view=current`)).page;
    expect(await current.locator('table.grid').count()).toBe(1);
    expect(await current.locator('body').innerText()).toContain('下次会议决定（会上填写）');
    await current.context().close();
    const snapshot = (await open(`${hub.url}/cases/${liuCaseId}/brief?meeting=${met.meeting.id}`)).page;
    expect(await snapshot.locator('table.grid').count()).toBe(0);
    expect(await snapshot.locator('body').innerText()).toContain('本次会议未作出救助决定');
    await snapshot.context().close();
  });
});
