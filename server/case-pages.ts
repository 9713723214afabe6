/**
 * The printable meeting brief (一事一议会议材料): `GET /cases/:id/brief`, optionally
 * `?meeting=<id>`. One self-contained HTML page in Chinese with print CSS: no script, font, image
 * or style from anywhere else (the Content-Security-Policy forbids it), so it prints the same on an
 * offline government network.
 *
 * With a meeting (the one asked, else the case's latest) it prints that meeting's stored dossier
 * and decisions, as they stood; before any meeting, the dossier as it stands now. ID numbers are
 * printed masked whoever asks: paper leaves the room.
 *
 * The route sits behind the access middleware (token, purpose, ROUTE_RULES). Here it also keeps to
 * the caller's region scope and records the household and its members in the audit trail.
 */
import type express from 'express';
import { AuditUnavailable, type AuditStore } from '../access/audit';
import { inScope } from '../access/decide';
import { requestAccess, sendError } from '../access/http';
import { buildDossier, openFindingsFrom } from '../resolvers/cases/dossier';
import { createCaseLoaders } from '../db/cases/loaders';
import { caseTimeline, type CaseRecord, type MeetingRecord, type ReferralRecord } from '../db/cases/records';
import { chinaDateOf, formatChinaInstant } from '../domain/cases/china-time';
import { caseDeadlines, standing, type CaseDeadline } from '../domain/cases/deadlines';
import type { Dossier } from '../domain/cases/dossier';
import { parseOffice } from '../domain/cases/offices';
import { caseReference } from '../domain/cases/reference';
import { referralDue } from '../domain/cases/supervision';
import { todayIso } from '../domain/dates';
import { DEPARTMENT_NAMES, type DepartmentCode, type OfficeCode } from '../domain/departments';
import { maskIdNumber } from '../domain/id-number';
import { fenToYuan } from '../domain/money';
import { PROGRAMME_BY_CODE } from '../domain/programmes';
import { scrub } from '../domain/privacy';
import type { SourceOutcome } from '../federation/loaders';
import { createLoaders, type HubDeps } from '../resolvers/context';

// ---- Words ----

const STATE = { REPORTED: '已报告', ACCEPTED: '已受理', INVESTIGATING: '调查核实中', FIRST_AID_GIVEN: '已先行救助', IN_DELIBERATION: '一事一议中', DECIDED: '已决定', CLOSED: '已办结', REJECTED: '不予救助' } as const;
const URGENCY = { EMERGENCY: '紧急（2小时内先行救助）', URGENT: '急难（24小时内先行救助）', NORMAL: '一般' } as const;
const ORIGIN = { APPLICATION: '主动申请', ACTIVE_DISCOVERY: '主动发现', ALERT: '监测预警', REFERRAL: '转介' } as const;
const RELATION: Record<string, string> = { HEAD: '户主', SPOUSE: '配偶', CHILD: '子女', PARENT: '父母', GRANDCHILD: '孙子女', GRANDPARENT: '祖父母', SIBLING: '兄弟姐妹', OTHER: '其他' };
const AID_STATUS: Record<string, string> = { ACTIVE: '发放中', ENDED: '已停发', SUSPENDED: '暂停', PAID: '已发放', CANCELLED: '已撤销' };
const SLIP_STATE: Record<string, string> = { ISSUED: '待接收', ACCEPTED: '已接收', COMPLETED: '已反馈', DECLINED: '已退回' };
const DEADLINE_KIND = { FIRST_AID: '先行救助', MATERIALS: '补充完善材料', INVESTIGATION_OPINION: '调查初审意见', APPROVAL: '审核审批' } as const;
const SEVERITY: Record<string, string> = { CONFLICT: '重复救助', WARNING: '需核查', MISSED_AID: '疑似漏保' };
const DEADLINE_STATUS = { PENDING: '未到期', OVERDUE: '已超期', MET: '按时完成', MET_LATE: '超期完成', MISSED: '未完成（已超期）', VOID: '不再适用' } as const;

// ---- HTML ----

function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function yuan(fen: number | null): string {
  return fen === null ? '' : `${fenToYuan(fen)} 元`;
}

/** 2025-10-09T14:30:00.000+08:00 → 2025-10-09 14:30 (China time). */
function shortTime(instant: Date | string): string {
  const text = instant instanceof Date ? formatChinaInstant(instant) : instant;
  return `${text.slice(0, 10)} ${text.slice(11, 16)}`;
}

function table(headers: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export interface BriefView {
  c: CaseRecord;
  dossier: Dossier;
  deadlines: CaseDeadline[];
  meeting: (MeetingRecord & { departments: OfficeCode[]; decisions: ReferralRecord[] }) | null;
  officeName: (key: string) => string;
  printedAt: Date;
}

const STYLE = `
  :root { color-scheme: light; }
  body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "Songti SC", "Noto Sans CJK SC", "Microsoft YaHei", serif; color: #111; margin: 24px auto; max-width: 980px; font-size: 14px; line-height: 1.55; }
  h1 { font-size: 22px; text-align: center; margin: 0 0 4px; letter-spacing: 2px; }
  .subtitle { text-align: center; margin: 0 0 16px; }
  h2 { font-size: 16px; border-left: 4px solid #8b0000; padding-left: 8px; margin: 20px 0 8px; }
  table { width: 100%; border-collapse: collapse; margin: 4px 0 8px; }
  th, td { border: 1px solid #555; padding: 3px 6px; text-align: left; vertical-align: top; }
  th { background: #eee; font-weight: 600; }
  td.num { text-align: right; white-space: nowrap; }
  dl.facts { display: grid; grid-template-columns: 8em 1fr 8em 1fr; gap: 2px 8px; margin: 0; }
  dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
  .warn { border: 1px solid #8b0000; color: #8b0000; padding: 4px 8px; margin: 8px 0; }
  .overdue { color: #8b0000; font-weight: 600; }
  .empty { color: #555; margin: 4px 0; }
  th, .nw { white-space: nowrap; }
  footer { margin-top: 24px; border-top: 1px solid #555; padding-top: 6px; font-size: 12px; color: #333; }
  .sign { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; margin-top: 28px; }
  .sign div { border-bottom: 1px solid #111; height: 36px; }
  @page { size: A4; margin: 15mm 12mm; }
  @media print {
    body { margin: 0; max-width: none; font-size: 11pt; }
    thead { display: table-header-group; }
    tr, dl.facts, .sign { break-inside: avoid; }
    h2 { break-after: avoid; }
    th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  }
`;

export function renderBrief(v: BriefView): string {
  const { c, dossier: d, meeting } = v;
  const ref = caseReference(c.id, c.reportedAt);
  const title = `一事一议会议材料 ${ref}`;
  const memberName = new Map(d.members.map((m) => [m.idNumber, m.name]));
  const deptName = (code: string) => DEPARTMENT_NAMES[code as DepartmentCode] ?? code;

  const facts = `<dl class="facts">
    <dt>案件编号</dt><dd>${esc(ref)}</dd><dt>当前状态</dt><dd>${esc(STATE[c.state])}</dd>
    <dt>来源</dt><dd>${esc(ORIGIN[c.origin])}</dd><dt>紧急程度</dt><dd>${esc(URGENCY[c.urgency])}</dd>
    <dt>首问单位</dt><dd>${esc(v.officeName(c.firstOffice))}</dd><dt>承办单位</dt><dd>${esc(v.officeName(c.ownerOffice))}</dd>
    <dt>报告时间</dt><dd>${esc(shortTime(c.reportedAt))}</dd><dt>户号</dt><dd>${esc(d.household.registrationNumber)}</dd>
    <dt>地址</dt><dd>${esc(d.household.address)}</dd><dt>所在村（居）</dt><dd>${esc(d.household.regionName)}</dd>
  </dl>
  <p><strong>基本情况：</strong>${esc(c.summary)}</p>${c.explanation ? `<p><strong>不予救助说明：</strong>${esc(c.explanation)}</p>` : ''}`;

  const deadlines = table(
    ['时限', '要求', '到期', '状态'],
    v.deadlines.map((dl) => [
      esc(DEADLINE_KIND[dl.kind]),
      esc(dl.limit.unit === 'HOURS' ? `${dl.limit.hours} 小时` : `${dl.limit.workingDays} 个工作日`),
      esc(dl.dueOn ?? shortTime(dl.dueAt)) + (dl.provisional ? '（当年放假安排未公布，暂按法定节日和周末计）' : ''),
      `<span class="${dl.status === 'OVERDUE' || dl.status === 'MISSED' || dl.status === 'MET_LATE' ? 'overdue' : ''}">${esc(DEADLINE_STATUS[dl.status])}${
        dl.overdue ? esc(`（超 ${dl.overdue.workingDays} 个工作日 / ${dl.overdue.hours} 小时）`) : ''
      }</span>`,
    ]),
    '无法定时限',
  );

  const members = table(
    ['姓名', '与户主关系', '性别', '出生日期', '公民身份号码'],
    d.members.map((m) => [esc(m.name), esc(RELATION[m.relation] ?? m.relation), m.gender === 'M' ? '男' : '女', esc(m.birthDate), esc(maskIdNumber(m.idNumber))]),
    '无在册成员',
  );

  const aid = table(
    ['部门', '项目', '受助人', '期间／日期', '金额', '状态'],
    d.aid.map((r) => [
      esc(deptName(r.department)),
      esc(PROGRAMME_BY_CODE.get(r.programme)?.name ?? r.programme) + (r.secondAid ? '（二次）' : ''),
      esc(memberName.get(r.beneficiaryIdNumber) ?? maskIdNumber(r.beneficiaryIdNumber)),
      esc(r.periodStart ? `${r.periodStart} 至 ${r.periodEnd ?? '今'}` : r.grantDate),
      `<span class="num">${esc(yuan(r.amountFen))}${r.periodStart ? '/月' : ''}</span>`,
      esc(AID_STATUS[r.status] ?? r.status),
    ]),
    '近24个月各部门均无救助记录',
  );
  const totals = table(
    ['部门', '笔数', '合计（窗口期内）'],
    [
      ...d.totals.byDepartment.map((t) => [esc(deptName(t.department)), String(t.recordCount), `<span class="num">${esc(yuan(t.totalFen))}</span>`]),
      ['<strong>合计</strong>', String(d.totals.byDepartment.reduce((n, t) => n + t.recordCount, 0)), `<strong class="num">${esc(yuan(d.totals.totalFen))}</strong>`],
    ],
    '',
  );
  const incomplete = d.complete
    ? ''
    : `<p class="warn">以下部门未响应，其救助记录缺失，合计偏少：${esc(
        d.sources
          .filter((s) => !s.available)
          .map((s) => deptName(s.department))
          .join('、'),
      )}</p>`;

  const findings =
    d.findings === null
      ? '<p class="empty">数据比对结果未取得（比对模块未提供），请会前另行核查重复救助、漏保情况。</p>'
      : table(
          ['规则', '类别', '状态', '内容', '涉及部门'],
          d.findings.map((f) => [
            `<span class="nw">${esc(f.ruleId)}</span>`,
            `<span class="nw">${esc(SEVERITY[f.severity] ?? f.severity)}</span>`,
            `<span class="nw">${esc(f.status === 'CONFIRMED' ? '已确认' : '待核实')}</span>`,
            esc(f.summary),
            esc((f.departments ?? []).map(deptName).join('、')),
          ]),
          '未发现重复救助或漏保问题',
        );

  const earlier = table(
    ['案件编号', '报告时间', '紧急程度', '状态', '情况'],
    d.earlierCases.map((k) => [esc(k.reference), esc(shortTime(k.reportedAt)), esc(URGENCY[k.urgency]), esc(STATE[k.state]), esc(k.summary)]),
    '无其他案件',
  );
  const referrals = table(
    ['案件', '转出', '转入', '事项', '办理期限', '状态', '反馈'],
    d.referrals.map((r) => [
      esc(r.caseReference),
      esc(v.officeName(r.from)),
      esc(v.officeName(r.to)),
      esc(r.ask),
      esc(r.dueOn),
      esc(SLIP_STATE[r.state]),
      esc(r.feedback ?? r.declineReason ?? ''),
    ]),
    '无转办单',
  );
  const notContributed = d.departmentsNotContributed.length === 0 ? '无' : esc(d.departmentsNotContributed.map(deptName).join('、'));

  const meetingPart = meeting
    ? `<h2>会议决定（${esc(meeting.heldOn)}）</h2>
  <p><strong>参会部门：</strong>${esc(meeting.departments.map(deptName).join('、'))}　<strong>召集单位：</strong>${esc(v.officeName(meeting.convenedBy))}</p>
  ${meeting.notes ? `<p><strong>会议纪要：</strong>${esc(meeting.notes)}</p>` : ''}
  ${table(
    ['承办部门', '救助项目', '金额', '受助人', '办理期限', '转办单状态'],
    meeting.decisions.map((s) => {
      const due = referralDue(chinaDateOf(s.issuedAt), s.dueOn);
      const st = standing(due, s.answeredAt, null, v.printedAt);
      return [
        esc(v.officeName(s.toOffice)),
        esc(PROGRAMME_BY_CODE.get(s.programmeCode ?? '')?.name ?? s.ask),
        `<span class="num">${esc(yuan(s.amountFen))}</span>`,
        esc(s.beneficiaryIdNumber ? memberName.get(s.beneficiaryIdNumber) ?? maskIdNumber(s.beneficiaryIdNumber) : '全户'),
        esc(`${s.deadlineWorkingDays} 个工作日（${s.dueOn} 前${due.provisional ? '，暂定' : ''}）`),
        `<span class="${st.status === 'OVERDUE' || st.status === 'MET_LATE' ? 'overdue' : ''}">${esc(SLIP_STATE[s.state])}${st.status === 'OVERDUE' ? '（已超期）' : ''}</span>`,
      ];
    }),
    '本次会议未作出救助决定，继续研究',
  )}
  <div class="sign"><div>主持人：</div><div>记录人：</div><div>参会部门签字：</div></div>`
    : '<p class="warn">尚未召开一事一议会议：以下为当前材料，会议记录后以会议时的材料为准。</p>';

  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>社会救助“一事一议”会议材料</h1>
<p class="subtitle">${esc(ref)}　·　材料截至 ${esc(shortTime(d.takenAt))}</p>
<h2>案件概况</h2>
${facts}
<h2>办理时限</h2>
${deadlines}
<h2>家庭成员</h2>
${members}
<h2>近24个月各部门救助情况（${esc(d.window.from)} 至 ${esc(d.window.to)}）</h2>
${incomplete}
${aid}
${totals}
<h2>数据比对发现的问题</h2>
${findings}
<h2>既往案件</h2>
${earlier}
<h2>转办单</h2>
${referrals}
<h2>尚未参与救助的部门</h2>
<p>${notContributed}</p>
${meetingPart}
<footer>本材料由社会救助数据枢纽（AidHub）生成于 ${esc(shortTime(v.printedAt))}，含个人信息，仅供本次会议使用，会后收回，不得外传。身份证号已作遮蔽处理。</footer>
</body>
</html>
`;
}

/**
 * One error contract on every route: a client that asks for JSON gets the GraphQL error shape with
 * a code and reason (access/http.ts sendError); a browser gets a page carrying the same code.
 */
function errorPage(req: express.Request, res: express.Response, status: number, code: string, reason: string, message: string): void {
  if (req.accepts(['html', 'json']) === 'json') return sendError(res, status, code, reason, message);
  res
    .status(status)
    .type('html')
    .send(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="error-code" content="${esc(code)}:${esc(reason)}"><title>${esc(message)}</title></head><body data-code="${esc(code)}" data-reason="${esc(reason)}"><p>${esc(message)}</p></body></html>`);
}

/** Registers the case pages. `audit` records who printed whose data, when the access layer is on. */
export function registerCasePages(app: express.Express, deps: HubDeps, audit?: AuditStore): void {
  app.get('/cases/:id/brief', async (req, res, next) => {
    try {
      res.set('Cache-Control', 'no-store');
      // Nothing but this page itself: no script, no remote font, image or style.
      res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
      const id = String(req.params.id);
      const meetingParam = typeof req.query.meeting === 'string' ? req.query.meeting : null;
      if (!/^[1-9]\d{0,14}$/.test(id) || (meetingParam !== null && !/^[1-9]\d{0,14}$/.test(meetingParam))) return errorPage(req, res, 400, 'BAD_USER_INPUT', 'MALFORMED_ID', '案件编号格式不正确');
      const today = deps.today?.() ?? todayIso();
      const unavailable = new Map<DepartmentCode, SourceOutcome>();
      const loaders = createLoaders(deps, today, unavailable);
      const cases = loaders.cases;
      const c = await cases.caseById.load(Number(id));
      if (!c) return errorPage(req, res, 404, 'BAD_USER_INPUT', 'CASE_NOT_FOUND', '未找到该案件');
      const home = await loaders.hub.householdById.load(c.householdId);
      const access = requestAccess(req);
      // Out of reach reads as not found: a refusal would confirm the case exists.
      if (access && !inScope(access.caller.regionScope, home?.regionCode ?? null)) return errorPage(req, res, 404, 'BAD_USER_INPUT', 'CASE_NOT_FOUND', '未找到该案件');

      const meetings = await cases.meetingsByCase.load(c.id);
      const chosen = meetingParam === null ? (meetings.at(-1) ?? null) : (meetings.find((m) => m.id === Number(meetingParam)) ?? null);
      if (meetingParam !== null && !chosen) return errorPage(req, res, 404, 'BAD_USER_INPUT', 'MEETING_NOT_FOUND', '未找到该次会议');
      const now = new Date();
      const [events, slips, departments] = await Promise.all([
        cases.eventsByCase.load(c.id),
        cases.referralsByCase.load(c.id),
        chosen ? cases.departmentsByMeeting.load(chosen.id) : Promise.resolve([] as DepartmentCode[]),
      ]);
      const live = { hub: deps.hub, sources: deps.sources, today, loaders, unavailable };
      const dossier = chosen ? chosen.dossier : await buildDossier({ hub: loaders.hub, departments: loaders.departments, cases, openFindings: openFindingsFrom(live) }, c, today, now);

      const townships = [c.firstOffice, c.ownerOffice, ...slips.flatMap((s) => [s.fromOffice, s.toOffice]), ...dossier.referrals.flatMap((r) => [r.from, r.to])].filter(
        (k) => parseOffice(k)?.kind === 'TOWNSHIP',
      );
      const regions = await Promise.all([...new Set(townships)].map((k) => loaders.hub.regionByCode.load(k)));
      const regionName = new Map(regions.filter((r) => r !== null).map((r) => [r!.code, r!.name]));
      const officeName = (key: string) => {
        const office = parseOffice(key);
        if (!office) return key;
        if (office.kind === 'DEPARTMENT') return DEPARTMENT_NAMES[office.department];
        const name = regionName.get(office.townshipCode) ?? office.townshipCode;
        // 街道 has an office (办事处); 镇 and 乡 have a government.
        return name.endsWith('街道') ? `${name}办事处` : `${name}人民政府`;
      };

      if (access && audit) {
        await audit.append({
          requestId: access.requestId,
          caller: access.caller,
          purpose: access.purpose,
          caseReference: access.caseReference ?? caseReference(c.id, c.reportedAt),
          channel: 'HTTP',
          operation: `GET /cases/${c.id}/brief`,
          operationHash: null,
          subjects: [{ subject: { kind: 'HOUSEHOLD', householdId: c.householdId }, outcome: 'ALLOWED' }, ...dossier.members.map((m) => ({ subject: { kind: 'PERSON' as const, idNumber: m.idNumber }, outcome: 'ALLOWED' as const }))],
          outcome: 'ALLOWED',
        });
      }
      const html = renderBrief({
        c,
        dossier,
        deadlines: caseDeadlines(caseTimeline(c, events), now),
        meeting: chosen ? { ...chosen, departments, decisions: slips.filter((s) => s.meetingId === chosen.id) } : null,
        officeName,
        printedAt: now,
      });
      res.status(200).type('html').send(html);
    } catch (error) {
      if (error instanceof AuditUnavailable) return errorPage(req, res, 503, 'INTERNAL_SERVER_ERROR', 'AUDIT_UNAVAILABLE', '访问记录无法写入，材料不予显示，请稍后再试');
      deps.logger.error({ err: { name: (error as Error)?.name, message: scrub(String((error as Error)?.message ?? '')) } }, 'case brief failed');
      next(error);
    }
  });
}
