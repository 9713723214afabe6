/**
 * The printable meeting brief, in a real headless browser: Debian's chromium driven by
 * playwright-core. The page is opened over HTTP from a real hub like any officer's browser would,
 * read through the DOM, screenshotted and printed to PDF.
 *
 * Chromium is required, not optional: `npm test` installs it first or stops saying so (tools/test-prerequisites.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { maskIdNumber } from '../domain/id-number';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
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

const cn = (local: string) => `${local}+08:00`;

async function call(query: string, variables: Record<string, unknown>, field: string) {
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
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING' });
  const county = await hub.createClient({ name: 'rencheng-civil', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['CASEWORKER', 'MEETING_CONVENER'] });
  headers = hub.as({ token: county.token, purpose: 'CASE_MEETING' }).headers;

  const opened = await call(
    `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id reference briefUrl } userErrors { code } } }`,
    { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '户主之母脑梗住院，自付费用较高，申请救助', reportedAt: cn('2025-09-26T09:00:00') } },
    'caseOpen',
  );
  caseId = opened.case.id;
  reference = opened.case.reference;
  expect(opened.case.briefUrl).toBe(`/cases/${caseId}/brief`);
  for (const [to, at] of [
    ['ACCEPTED', '2025-09-26T10:00:00'],
    ['INVESTIGATING', '2025-09-29T09:00:00'],
    ['IN_DELIBERATION', '2025-09-30T09:00:00'],
  ]) {
    await call(`mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } userErrors { code } } }`, { input: { caseId, to, reason: to, occurredAt: cn(at) } }, 'caseTransition');
  }
  const recorded = await call(
    `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { briefUrl } userErrors { code } } }`,
    {
      input: {
        caseId,
        heldOn: '2025-10-09',
        occurredAt: cn('2025-10-09T16:00:00'),
        departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH', 'EDUCATION', 'UNION'],
        notes: '会议研究确定分别救助。',
        decisions: [
          { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 800_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.grandmother },
          { department: 'EDUCATION', programme: 'TUITION_WAIVER', amountFen: 120_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.child },
          { department: 'UNION', programme: 'UNION_ILLNESS', amountFen: 200_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.grandmother },
        ],
      },
    },
    'meetingRecord',
  );
  meetingBrief = recorded.meeting.briefUrl;
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

describe('the meeting brief in a real browser', () => {
  it('renders the meeting in Chinese, with the decisions, from the page alone', async () => {
    const { page, requests, status, csp } = await open(`${hub.url}/cases/${caseId}/brief`);
    expect(status).toBe(200);
    expect(await page.title()).toBe(`一事一议会议材料 ${reference}`);
    expect(await page.locator('h1').textContent()).toBe('社会救助“一事一议”会议材料');
    const text = await page.locator('body').innerText();
    for (const expected of ['王建国', '张桂英', '古槐街道', '会议决定（2025-10-09）', '医疗保障局', '医疗救助', '学费减免', '大病帮扶', '8000.00 元', '5 个工作日（2025-10-15 前）', '近24个月各部门救助情况', '数据比对发现的问题', 'X6']) {
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
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-brief-')), 'brief.png');
    if (process.env.AIDHUB_KEEP_SCREENSHOT) console.log(file);
    const png = await page.screenshot({ path: file, fullPage: true });
    const size = fs.statSync(file).size;
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
