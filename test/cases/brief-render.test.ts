/**
 * The brief's words follow the caller's view: health detail (hospital stays, diagnoses,
 * out-of-pocket amounts, illness as a cause of aid, findings' prose built from them) only when the
 * policy gives it (HEALTH_DETAIL). And a meeting stored before the dossier held stays, disability
 * and history (version 1) still prints. Pure rendering: no server, no database.
 */
import { oneOffAid, recurringAid, type AidRecord } from '../../domain/aid';
import { caseDeadlines } from '../../domain/cases/deadlines';
import type { RecordStanding } from '../../domain/cases/fulfilment';
import { departmentsNotContributed, type Dossier } from '../../domain/cases/dossier';
import { summariseAid } from '../../domain/household/aid-summary';
import { makeIdNumber } from '../../domain/id-number';
import type { CaseRecord, ReferralRecord } from '../../db/cases/records';
import { briefCode, renderBrief, type BriefMeeting, type BriefView } from '../../server/case-pages';
import { openedFromAlertReason } from '../../domain/monitoring/alerts';

const head = makeIdNumber('370811', '1960-05-01', 11);
const mother = makeIdNumber('370811', '1938-02-02', 22);

const c: CaseRecord = {
  id: 7,
  householdId: 1,
  townshipCode: '370811001',
  origin: 'APPLICATION',
  urgency: 'URGENT',
  state: 'IN_DELIBERATION',
  summary: '母亲住院',
  firstOffice: 'DEPT:CIVIL_AFFAIRS',
  ownerOffice: 'DEPT:CIVIL_AFFAIRS',
  reportedAt: new Date('2026-03-01T01:00:00Z'),
  explanation: null,
  endedAt: null,
  predecessorCaseId: null,
};

const aid = [
  recurringAid({ department: 'CIVIL_AFFAIRS', programme: 'DIBAO', beneficiaryIdNumber: head, start: '2024-01-01', end: null, monthlyFen: 72_000, status: 'ACTIVE', sourceRef: 'dibao:1' }),
  oneOffAid({ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', beneficiaryIdNumber: mother, grantDate: '2026-02-01', amountFen: 300_000, status: 'PAID', sourceRef: 'temp:1', cause: 'ILLNESS', urgent: true, secondAid: false }),
];

const window = { from: '2024-03-16', to: '2026-03-15' };

const v1: Dossier = {
  version: 1,
  takenAt: '2026-03-15T10:00:00.000+08:00',
  window,
  household: { id: 1, registrationNumber: 'RC-9', address: '南门社区 1 号', regionCode: '370811001001', regionName: '南门社区' },
  members: [
    { idNumber: head, name: '周大山', gender: 'M', birthDate: '1960-05-01', deathDate: null, relation: 'HEAD', joinedOn: '1990-01-01' },
    { idNumber: mother, name: '吴桂花', gender: 'F', birthDate: '1938-02-02', deathDate: null, relation: 'PARENT', joinedOn: '1990-01-01' },
  ],
  aid,
  totals: summariseAid(aid, window.from, window.to, window.to),
  sources: [],
  complete: true,
  findings: [{ ruleId: 'M4', severity: 'MISSED_AID', status: 'OPEN', summary: '住院个人负担合计 15000.00 元，未享受医疗救助', summaryWithoutHealth: '12个月内未享受医疗救助', departments: ['HEALTH'] }],
  earlierCases: [],
  referrals: [],
  departmentsNotContributed: [],
};

const v2: Dossier = {
  ...v1,
  version: 2,
  settlements: [
    {
      idNumber: mother,
      hospitalName: '济宁市人民医院',
      admittedOn: '2026-01-10',
      dischargedOn: '2026-01-25',
      settledOn: '2026-01-25',
      diagnosis: '股骨颈骨折',
      totalCostFen: 5_000_000,
      basicInsurancePaidFen: 3_000_000,
      criticalIllnessInsurancePaidFen: 500_000,
      medicalAidPaidFen: 0,
      outOfPocketFen: 1_500_000,
    },
  ],
  disabilities: [{ idNumber: mother, category: 4, level: 1, status: 'VALID' }],
  history: [
    { sequence: 1, action: 'OPENED', fromState: null, toState: 'REPORTED', occurredAt: '2026-03-01T09:00:00.000+08:00', recordedAt: '2026-03-01T09:00:00.000+08:00', actor: 'zhang', actorOffice: 'DEPT:CIVIL_AFFAIRS', reason: null },
    { sequence: 2, action: 'TRANSITIONED', fromState: 'REPORTED', toState: 'ACCEPTED', occurredAt: '2026-03-01T09:30:00.000+08:00', recordedAt: '2026-03-01T09:30:00.000+08:00', actor: 'li', actorOffice: 'DEPT:CIVIL_AFFAIRS', reason: '受理' },
  ],
};

function view(dossier: Dossier, health: boolean): BriefView {
  return { c, dossier, version: 'CURRENT', deadlines: [], meeting: null, meetings: [], officeName: () => '民政局', health, printedAt: new Date('2026-03-15T02:00:00Z') };
}

describe('the brief follows the caller’s view of health detail', () => {
  it('prints hospital stays, diagnoses, out-of-pocket amounts and illness as cause to a caller with health detail', () => {
    const html = renderBrief(view(v2, true));
    for (const e of ['济宁市人民医院', '股骨颈骨折', '15000.00 元', '事由：疾病', '住院个人负担合计 15000.00 元', '肢体一级', '88 岁', '65 岁']) expect({ e, found: html.includes(e) }).toEqual({ e, found: true });
  });

  it('leaves them all out for a caller without it, and says so', () => {
    const html = renderBrief(view(v2, false));
    for (const e of ['济宁市人民医院', '股骨颈骨折', '15000.00', '疾病']) expect({ e, found: html.includes(e) }).toEqual({ e, found: false });
    expect(html).toContain('12个月内未享受医疗救助');
    expect(html).toContain('住院结算属健康信息');
    // Disability is not health detail here: the missed-aid rules show its level in scope.
    expect(html).toContain('肢体一级');
  });
});

describe('先行救助', () => {
  const given: NonNullable<Dossier['history']>[number] = { sequence: 3, action: 'TRANSITIONED', fromState: 'ACCEPTED', toState: 'FIRST_AID_GIVEN', occurredAt: '2026-03-01T16:00:00.000+08:00', recordedAt: '2026-03-01T16:00:00.000+08:00', actor: 'li', actorOffice: 'DEPT:CIVIL_AFFAIRS', reason: '先行发放' };
  const withFirstAid = (health: boolean): BriefView => ({
    ...view({ ...v2, history: [...(v2.history ?? []), given] }, health),
    firstAid: { programmeCode: 'TEMP_AID', amountFen: 200_000, aidSourceRef: null, cause: 'ILLNESS' },
  });
  const firstAidLine = (html: string) => /<dt>先行救助<\/dt><dd>(.*?)<\/dd>/.exec(html)![1];

  it('prints the first aid with its cause, illness only to a caller with health detail', () => {
    expect(firstAidLine(renderBrief(withFirstAid(true)))).toContain('（事由：疾病）');
    const without = firstAidLine(renderBrief(withFirstAid(false)));
    expect(without).toContain('（事由：健康信息，不予显示）');
    expect(without).not.toContain('疾病');
  });
});

describe('a meeting stored before version 2', () => {
  it('prints without stays, disability or history, and without failing', () => {
    const html = renderBrief(view(v1, true));
    expect(html).toContain('周大山');
    expect(html).not.toContain('本案办理经过');
    expect(html).not.toContain('住院费用');
  });
});

describe('units and flags', () => {
  it('prints recurring aid per month and one-off aid in total, with 急难', () => {
    const html = renderBrief(view(v2, true));
    expect(html).toContain('720.00 元/月');
    expect(html).toContain('3000.00 元<');
    expect(html).toContain('急难');
    // The whole window: 24 monthly payments of 低保 and the temporary aid.
    expect(html).toContain(`${(24 * 72_000 + 300_000) / 100}.00 元`);
  });

  it('prints a service (法律援助) as a service, not as aid of 0.00 元', () => {
    // A service carries amount 0 (domain/programmes.ts isServiceProgramme): its row, a meeting's
    // decision and a slip read 法律援助 0.00 元 at the meeting, as if nothing had been decided.
    const legalAid = oneOffAid({ department: 'JUSTICE', programme: 'LEGAL_AID', beneficiaryIdNumber: head, grantDate: '2026-02-20', amountFen: 0, status: 'PAID', sourceRef: 'reported_aid:9' });
    const withService = { ...v2, aid: [...aid, legalAid], totals: summariseAid([...aid, legalAid], window.from, window.to, window.to) };
    const html = renderBrief(view(withService, true));
    const row = /<tr>(?:(?!<\/tr>).)*法律援助(?:(?!<\/tr>).)*<\/tr>/.exec(html)![0];
    expect(row).toContain('服务（不计金额）');
    expect(row).not.toContain('0.00 元');
  });
});

describe('慈善衔接', () => {
  const needs: BriefView['charityNeeds'] = [
    {
      purpose: 'MEDICAL',
      involvesHealth: true,
      uncoveredFen: 3_000_000,
      state: 'COVERED',
      pledges: [{ organisation: '济宁市慈善总会', amountFen: 1_000_000, pledgedOn: '2026-03-15' }],
      deliveries: [{ amountFen: 800_000, deliveredOn: '2026-03-14' }],
    },
    { purpose: 'EDUCATION', involvesHealth: false, uncoveredFen: 300_000, state: 'OPEN', pledges: [], deliveries: [] },
  ];

  it('prints each need with its purpose, amount uncovered, state, pledges and deliveries', () => {
    const html = renderBrief({ ...view(v2, true), charityNeeds: needs });
    expect(html).toContain('<h2>慈善衔接</h2>');
    for (const e of ['医疗', '30000.00 元', '已足额认捐', '济宁市慈善总会', '10000.00 元', '8000.00 元', '2026-03-14', '就学', '3000.00 元', '征集中']) expect({ e, found: html.includes(e) }).toEqual({ e, found: true });
  });

  it('leaves a health need’s purpose out for a caller without health detail', () => {
    const html = renderBrief({ ...view(v2, false), charityNeeds: needs });
    expect(html).toContain('<h2>慈善衔接</h2>');
    expect(html).not.toContain('医疗</td>');
    expect(html).toContain('（健康信息，不予显示）');
    expect(html).toContain('就学');
  });

  it('prints nothing when the case has no needs', () => {
    expect(renderBrief({ ...view(v2, true), charityNeeds: [] })).not.toContain('慈善衔接');
    expect(renderBrief(view(v2, true))).not.toContain('慈善衔接');
  });
});

/** A decision's slip of the meeting (id 3) to medical insurance, for the mother; `fields` as each test needs. */
function decisionSlip(fields: Pick<ReferralRecord, 'id' | 'programmeCode'> & Partial<ReferralRecord>): ReferralRecord {
  return {
    caseId: c.id,
    householdId: 1,
    townshipCode: c.townshipCode,
    kind: 'DECISION',
    meetingId: 3,
    fromOffice: 'CIVIL_AFFAIRS',
    toOffice: 'HEALTH',
    ask: `${fields.programmeCode} 决定`,
    amountFen: 100_000,
    beneficiaryIdNumber: mother,
    cause: null,
    settlementRef: null,
    schoolYear: null,
    handOver: false,
    deadlineWorkingDays: 10,
    issuedAt: new Date('2026-03-12T02:00:00Z'),
    countedFrom: '2026-03-12',
    dueOn: '2026-03-26',
    state: 'ISSUED',
    acceptedAt: null,
    answeredAt: null,
    feedback: null,
    declineReason: null,
    withdrawReason: null,
    aidSourceRef: null,
    ...fields,
  };
}

/** The meeting (id 3) of 2026-03-12 with these decisions; `fields` as each test needs. */
function meetingOf(decisions: ReferralRecord[], fields: Partial<BriefMeeting> = {}, dossier: Dossier = v2): BriefMeeting {
  return {
    id: 3,
    caseId: c.id,
    townshipCode: c.townshipCode,
    heldOn: '2026-03-12',
    convenedBy: 'CIVIL_AFFAIRS',
    notes: null,
    dossier,
    recordedAt: new Date('2026-03-12T02:00:00Z'),
    recordedBy: 'zhang',
    departments: ['CIVIL_AFFAIRS', 'HOUSING', 'UNION', 'EDUCATION'],
    decisions,
    ...fields,
  };
}

describe('a decision met short', () => {
  const slip = (id: number, programmeCode: string, amountFen: number): ReferralRecord =>
    decisionSlip({ id, programmeCode, amountFen, state: 'COMPLETED', acceptedAt: new Date('2026-03-13T02:00:00Z'), answeredAt: new Date('2026-03-14T02:00:00Z'), feedback: '已结算', aidSourceRef: `ref:${id}` });
  const meeting = (fulfilments: BriefMeeting['fulfilments']): BriefMeeting =>
    meetingOf([slip(11, 'MEDICAL_AID', 1_500_000), slip(12, 'MEDICAL_AID', 50_000)], { departments: ['CIVIL_AFFAIRS', 'HEALTH'], fulfilments });

  it('prints what was given and the department’s reason beside the decision; nothing more for one met in full', () => {
    const html = renderBrief({
      ...view(v2, true),
      meeting: meeting(
        new Map([
          [11, { amountFen: 900_000, decidedAmountFen: 1_500_000, shortfallFen: 600_000, differenceReason: '年度救助封顶线 9000 元' }],
          [12, { amountFen: 50_000, decidedAmountFen: 50_000, shortfallFen: 0, differenceReason: null }],
        ]),
      ),
    });
    const text = html.replace(/<[^>]+>/g, '');
    expect(text).toContain('实际救助：9000.00 元（少于决定 6000.00 元）');
    expect(text).toContain('差额理由：年度救助封顶线 9000 元');
    expect(text.match(/实际救助：/g)).toHaveLength(1);
  });

  it('marks a decision whose aid record no longer stands: revoked, corrected (with what stands now), gone, under an undocumented code; nothing for one that stands or was not read', () => {
    const met = { amountFen: 50_000, decidedAmountFen: 50_000, shortfallFen: 0, differenceReason: null };
    const ledger = (amountFen: number, reference: string): AidRecord =>
      oneOffAid({ department: 'HEALTH', programme: 'MEDICAL_AID', beneficiaryIdNumber: mother, grantDate: '2026-03-16', amountFen, status: amountFen === 0 ? 'CANCELLED' : 'PAID', sourceRef: `reported_aid:${reference}`, reportedBy: { clientName: 'c', office: 'HEALTH', creditCode: null, reference } });
    /** The decision's 记录现状 line, as read. */
    const printed = (standing: RecordStanding | null) => {
      const html = renderBrief({ ...view(v2, true), meeting: meeting(new Map([[11, { ...met, standing }]])) });
      const line = /<div><span class="label">记录现状：<\/span>(.*?)<\/div>/.exec(html);
      return line ? line[1].replace(/<[^>]+>/g, '') : null;
    };
    expect(printed({ standing: 'CANCELLED_AT_SOURCE', supersededBy: null })).toBe('该救助记录已被部门撤销，未实际落实');
    expect(printed({ standing: 'CANCELLED_AT_SOURCE', supersededBy: ledger(0, 'R-1') })).toBe('该救助记录已冲销（冲销记录 R-1），未实际落实');
    // Corrected down, the decision is short by what the correction gives; corrected up, it is met.
    expect(printed({ standing: 'SUPERSEDED_AT_SOURCE', supersededBy: ledger(40_000, 'C-1') })).toBe('该救助记录已更正为 400.00 元 2026-03-16（更正记录 C-1），少于决定 100.00 元，与核验时不符');
    expect(printed({ standing: 'SUPERSEDED_AT_SOURCE', supersededBy: ledger(60_000, 'C-2') })).toBe('该救助记录已更正为 600.00 元 2026-03-16（更正记录 C-2），与核验时不符');
    expect(printed({ standing: 'NOT_FOUND_AT_SOURCE', supersededBy: null })).toBe('部门数据中已查不到该救助记录，待核实');
    expect(printed({ standing: 'STATUS_UNRECOGNISED_AT_SOURCE', supersededBy: null })).toBe('该救助记录的部门状态代码未识别，是否仍有效待核实');
    expect(printed({ standing: 'STANDS', supersededBy: null })).toBeNull();
    expect(printed(null)).toBeNull();
  });
});

describe('a decision’s hospital stay', () => {
  const decided = (settlementRef: string | null): ReferralRecord => decisionSlip({ id: 21, programmeCode: 'MEDICAL_AID', ask: '医疗救助 7000.00 元', amountFen: 700_000, settlementRef });
  const slipListed = { id: 21, caseId: c.id, caseReference: 'AH-X', kind: 'DECISION' as const, from: 'CIVIL_AFFAIRS', to: 'HEALTH', ask: '医疗救助 7000.00 元', programmeCode: 'MEDICAL_AID', amountFen: 700_000, state: 'ISSUED' as const, dueOn: '2026-03-26', provisional: false, feedback: null, declineReason: null, fulfilledAmountFen: null, differenceReason: null };
  const printed = (health: boolean, settlementRef: string | null) => {
    const dossier = { ...v2, referrals: [slipListed] };
    const meeting: BriefMeeting = { id: 3, caseId: c.id, townshipCode: c.townshipCode, heldOn: '2026-03-12', convenedBy: 'CIVIL_AFFAIRS', notes: null, dossier, recordedAt: new Date('2026-03-12T02:00:00Z'), recordedBy: 'zhang', departments: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [decided(settlementRef)] };
    const stays = new Map(settlementRef ? [[21, settlementRef]] : []);
    return renderBrief({ ...view(dossier, health), meeting, stays }).replace(/<[^>]+>/g, '');
  };

  it('prints the stay a decision pays towards, beside the decision and its slip, to a caller with health detail', () => {
    expect(printed(true, 'SETL20260110001').match(/住院结算：SETL20260110001/g)).toHaveLength(2);
  });

  it('says it is withheld to a caller without health detail, and prints nothing for a decision naming none', () => {
    const without = printed(false, 'SETL20260110001');
    expect(without).not.toContain('SETL20260110001');
    expect(without.match(/住院结算：（健康信息，不予显示）/g)).toHaveLength(2);
    expect(printed(true, null)).not.toContain('住院结算：');
  });
});

describe('declined decisions and the household’s other cases', () => {
  const slip = (id: number, toOffice: string, programmeCode: string, state: ReferralRecord['state']): ReferralRecord =>
    decisionSlip({ id, toOffice, programmeCode, state, answeredAt: state === 'ISSUED' ? null : new Date('2026-03-13T02:00:00Z'), declineReason: state === 'DECLINED' ? '不符合条件' : null });
  const meeting: BriefMeeting = {
    id: 3,
    caseId: c.id,
    townshipCode: c.townshipCode,
    heldOn: '2026-03-12',
    convenedBy: 'CIVIL_AFFAIRS',
    notes: null,
    dossier: v2,
    recordedAt: new Date('2026-03-12T02:00:00Z'),
    recordedBy: 'zhang',
    departments: ['CIVIL_AFFAIRS', 'HEALTH', 'HOUSING', 'EDUCATION'],
    decisions: [
      slip(11, 'HOUSING', 'RENT_SUBSIDY', 'DECLINED'),
      slip(12, 'EDUCATION', 'TUITION_WAIVER', 'DECLINED'),
      slip(13, 'UNION', 'UNION_HARDSHIP', 'DECLINED'),
      slip(14, 'HEALTH', 'PREMIUM_SUBSIDY', 'ISSUED'),
      slip(15, 'CIVIL_AFFAIRS', 'TEMP_AID', 'DECLINED'),
    ],
    declines: new Map([
      [11, { resolution: 'REASSIGNED' as const, newReferralId: 14, meetingId: null, reason: '改由医保资助参保' }],
      [12, { resolution: 'WAIVED' as const, newReferralId: null, meetingId: null, reason: '学生已转学' }],
      [13, { resolution: 'REDELIBERATED' as const, newReferralId: null, meetingId: 5, reason: '一事一议 会议 5 重新议定' }],
    ]),
  };
  const names: Record<string, string> = { HEALTH: '任城区医疗保障局', HOUSING: '任城区住房和城乡建设局' };
  const print = (dossier: Dossier) =>
    renderBrief({ ...view(dossier, true), meeting, meetings: [{ id: 3, heldOn: '2026-03-12' }, { id: 5, heldOn: '2026-03-14' }], officeName: (k) => names[k] ?? '民政局' }).replace(/<[^>]+>/g, '');

  it('prints what became of each declined decision: reassigned, waived, decided again, or still open', () => {
    const text = print(v2);
    expect(text).toContain('退回后：已改派任城区医疗保障局（转办单 14）：改由医保资助参保');
    expect(text).toContain('退回后：已免除：学生已转学');
    expect(text).toContain('退回后：已由 2026-03-14 会议重新议定');
    expect(text).toContain('退回后：尚未处理（待改派、免除或重新议定）');
    expect(text.match(/退回后：/g)).toHaveLength(4);
  });

  it('lists the household’s other cases under 本户其他案件, open ones with their state', () => {
    const other = { id: 9, reference: 'AH-2026-000009', state: 'IN_DELIBERATION' as const, urgency: 'NORMAL' as const, origin: 'APPLICATION' as const, reportedAt: '2026-03-05T09:00:00.000+08:00', summary: '子女就学困难', explanation: null, endedAt: null };
    const text = print({ ...v2, earlierCases: [other] });
    expect(text).toContain('本户其他案件');
    expect(text).toMatch(/AH-2026-000009[\s\S]*子女就学困难[\s\S]*一事一议中/);
    expect(print(v2)).toContain('本户其他案件：无其他案件');
  });

  it('prints an other case’s time limits met late or missed, naming the office of that case’s county; none from a snapshot before they were kept', () => {
    const other = { id: 9, reference: 'AH-2026-000009', state: 'HANDED_OVER' as const, urgency: 'NORMAL' as const, origin: 'APPLICATION' as const, reportedAt: '2026-03-02T09:00:00.000+08:00', summary: '子女就学困难', explanation: null, endedAt: '2026-04-02T11:00:00.000+08:00' };
    const handedOver = { sequence: 3, action: 'TRANSITIONED', fromState: 'ACCEPTED' as const, toState: 'HANDED_OVER' as const, occurredAt: '2026-04-02T11:00:00.000+08:00', recordedAt: '2026-04-02T11:00:00.000+08:00', actor: 'weishan-ca', actorOffice: 'CIVIL_AFFAIRS' };
    const late = [{ kind: 'INVESTIGATION_OPINION' as const, limit: { unit: 'WORKING_DAYS' as const, workingDays: 3 }, status: 'MISSED' as const, dueOn: '2026-03-05', dueAt: '2026-03-05T23:59:59.999+08:00', overdue: { workingDays: 20, hours: 659, provisional: false }, endedBy: handedOver, countyCode: '370826' }];
    const countyOffice = (k: string, county?: string) => (county === '370826' ? '微山县民政局' : '任城区民政局');
    const printed = (dossier: Dossier) => renderBrief({ ...view(dossier, true), officeName: countyOffice }).replace(/<[^>]+>/g, '');
    expect(printed({ ...v2, earlierCases: [{ ...other, late }] })).toContain('超期：调查初审意见（3 个工作日，到期 2026-03-05）未完成（已超期）（超 20 个工作日 / 659 小时）：2026-04-02 11:00 微山县民政局（weishan-ca）已移交');
    expect(printed({ ...v2, earlierCases: [other] })).not.toContain('超期：');
  });
});

describe('a case handed over from another county (caseHandOver)', () => {
  it('prints the case it continues, and its opening as that county’s convener’s act', () => {
    const opened: NonNullable<Dossier['history']>[number] = { sequence: 1, action: 'OPENED', fromState: null, toState: 'REPORTED', occurredAt: '2026-03-16T10:00:00.000+08:00', recordedAt: '2026-03-16T10:00:00.000+08:00', actor: 'weishan-ca', actorOffice: 'CIVIL_AFFAIRS', reason: '户籍迁至任城区' };
    const html = renderBrief({
      ...view({ ...v2, history: [opened] }, false),
      officeName: () => '任城区民政局',
      handedOverFrom: { reference: 'AH-2026-000001', countyName: '微山县' },
    });
    expect(html).toContain('承接自');
    expect(html).toContain('AH-2026-000001');
    // As read: office names are printed in a no-wrap span.
    const text = html.replace(/<[^>]+>/g, '');
    expect(text).toContain('微山县民政局（weishan-ca）');
    expect(text).not.toContain('任城区民政局（weishan-ca）');
  });
});

describe('the history is printed in Chinese, as the rest of the brief', () => {
  const at = '2026-03-02T09:00:00.000+08:00';
  const event = (sequence: number, action: string, reason: string | null): NonNullable<Dossier['history']>[number] =>
    ({ sequence, action, fromState: null, toState: action === 'OPENED' ? 'REPORTED' : null, occurredAt: at, recordedAt: at, actor: 'li', actorOffice: '370811001', reason }) as NonNullable<Dossier['history']>[number];
  const names: Record<string, string> = { '370811001': '古槐街道', CIVIL_AFFAIRS: '任城区民政局', HEALTH: '任城区医疗保障局' };
  const printed = (history: NonNullable<Dossier['history']>) => renderBrief({ ...view({ ...v2, history }, false), officeName: (k) => names[k] ?? k })
      .replace(/<[^>]+>/g, '')
      .split('本案办理经过')[1];

  it('names the alert a case was opened from in Chinese, for rows stored in English before too', () => {
    for (const reason of ['opened from alert 279', openedFromAlertReason(279)]) {
      const text = printed([event(1, 'OPENED', reason)]);
      expect(text).toContain('由监测预警 279 核实需救助立案');
      expect(text).not.toContain('opened from alert');
    }
  });

  it('names the offices a change of owner records, whatever its reason says', () => {
    const text = printed([{ ...event(1, 'OWNER_CHANGED', '移交区医保局办理'), fromOffice: 'CIVIL_AFFAIRS', toOffice: 'HEALTH' }]);
    expect(text).toContain('任城区民政局 → 任城区医疗保障局');
    expect(text).not.toContain('移交区医保局办理');
  });

  it('names the offices of a change of owner, and every action in Chinese', () => {
    const text = printed([event(1, 'OWNER_CHANGED', 'CIVIL_AFFAIRS → HEALTH'), event(2, 'MATERIALS_COMPLETED', '已补齐住院证明'), event(3, 'DECISION_WAIVED', '已由大病保险报销')]);
    expect(text).toContain('任城区民政局 → 任城区医疗保障局');
    expect(text).toContain('补充完善救助材料');
    expect(text).toContain('免除会议决定');
    for (const english of ['CIVIL_AFFAIRS', 'HEALTH', 'MATERIALS_COMPLETED', 'DECISION_WAIVED']) expect({ english, found: text.includes(english) }).toEqual({ english, found: false });
  });
});

/** As a meeting reads the brief, and as its record afterwards (a 邹城市 meeting's walk). */
describe('the brief as the meeting reads it', () => {
  const text = (html: string) => html.replace(/<[^>]+>/g, '');
  const slipListed = (id: number, to: string, state: Dossier['referrals'][number]['state'], caseId = c.id) =>
    ({ id, caseId, caseReference: 'AH-X', kind: 'FORWARD' as const, from: 'CIVIL_AFFAIRS', to, ask: '请核实', programmeCode: null, amountFen: null, state, dueOn: '2026-03-26', provisional: false, feedback: null, declineReason: null, fulfilledAmountFen: null, differenceReason: null });

  it('lists as not taking part only departments with no aid in force and no slip of the case standing', () => {
    // The API's list (no aid, no completed slip) names 住建 and 工会, which hold the meeting's slips.
    const dossier: Dossier = {
      ...v2,
      referrals: [slipListed(31, 'HEALTH', 'ISSUED'), slipListed(32, 'DISABILITY', 'ISSUED', 99), slipListed(33, 'HUMAN_RESOURCES', 'SUPERSEDED')],
      departmentsNotContributed: departmentsNotContributed(v2.aid, []),
      sources: [{ department: 'HUMAN_RESOURCES', available: false, reason: 'TIMEOUT' }],
    };
    const decisions = [
      decisionSlip({ id: 11, toOffice: 'HOUSING', programmeCode: 'RENT_SUBSIDY', state: 'ISSUED' }),
      decisionSlip({ id: 12, toOffice: 'UNION', programmeCode: 'UNION_HARDSHIP', state: 'ACCEPTED' }),
      decisionSlip({ id: 13, toOffice: 'EDUCATION', programmeCode: 'TUITION_WAIVER', state: 'DECLINED', declineReason: '不符合条件' }),
    ];
    const html = renderBrief({ ...view(dossier, true), officeName: (k) => k, meeting: meetingOf(decisions, {}, dossier) });
    const line = /尚未参与救助的部门（近24个月无救助记录，本案也无其在办或已办结的转办单）：<\/strong>(.*?)<\/p>/.exec(html);
    expect(line).not.toBeNull();
    // 民政 gives 低保, 医保 holds an issued slip of the case, 住建 and 工会 the meeting's; 教育 declined its
    // slip, 残联's is another case's, 人社's was superseded (and 人社 did not answer).
    expect(text(line![1])).toBe('教育局、残疾人联合会、人力资源和社会保障局（未响应，救助情况不明）');
  });

  it('prints each decision’s stored check findings, with code and words, and no column when none was kept', () => {
    const decided = decisionSlip({ id: 11, toOffice: 'UNION', programmeCode: 'UNION_AUTUMN_EDU', ask: '金秋助学 2000.00 元', amountFen: 200_000 });
    const checks = new Map([
      [
        11,
        {
          findings: [{ ruleId: 'X6', severity: 'WARNING', summary: '同一学生同一学年已享受国家助学金', departments: ['EDUCATION', 'UNION'] as ('EDUCATION' | 'UNION')[] }],
          unavailable: ['HEALTH' as const],
          overrideReason: null,
        },
      ],
    ]);
    const printed = text(renderBrief({ ...view(v2, true), meeting: meetingOf([decided], { checks }) }));
    expect(printed).toContain('决定时比对');
    expect(printed).toContain('X6 需核查：同一学生同一学年已享受国家助学金');
    expect(printed).toContain('未响应：医疗保障局');
    expect(text(renderBrief({ ...view(v2, true), meeting: meetingOf([decided]) }))).not.toContain('决定时比对');
  });

  it('prints a slip’s amount under 金额 only, not again in its ask; a note of the ask stays', () => {
    const listed = { ...slipListed(21, 'HEALTH', 'ISSUED'), kind: 'DECISION' as const, ask: '医疗救助 7000.00 元', programmeCode: 'MEDICAL_AID', amountFen: 700_000 };
    const second = decisionSlip({ id: 22, toOffice: 'CIVIL_AFFAIRS', programmeCode: 'TEMP_AID', ask: '临时救助 3000.00 元（二次临时救助）', amountFen: 300_000 });
    const dossier = { ...v2, referrals: [listed] };
    const printed = text(renderBrief({ ...view(dossier, true), meeting: meetingOf([second], {}, dossier) }));
    const slips = printed.split('转办单')[1].split('尚未参与')[0];
    expect(slips.match(/7000\.00 元/g)).toHaveLength(1);
    expect(slips).toContain('医疗救助');
    const decisions = printed.split('会议决定')[1];
    expect(decisions.match(/3000\.00 元/g)).toHaveLength(1);
    expect(decisions).toContain('（二次临时救助）');
  });

  it('keeps office and department names whole: every one printed is a no-wrap span', () => {
    const html = renderBrief({ ...view({ ...v2, referrals: [slipListed(31, 'HEALTH', 'ISSUED')] }, true), officeName: () => '邹城市民政局', meeting: meetingOf([decisionSlip({ id: 11, programmeCode: 'MEDICAL_AID' })]) });
    const body = html.split('<body')[1];
    const all = body.match(/邹城市民政局/g) ?? [];
    expect(all.length).toBeGreaterThan(4);
    expect(body.match(/<span class="office">邹城市民政局<\/span>/g)).toHaveLength(all.length);
    expect(html).toMatch(/\.office \{ white-space: nowrap; \}|\.nw, \.office \{ white-space: nowrap; \}/);
  });
});

describe('codes on the brief (rule ids, record keys)', () => {
  it('break after _ and : (not before a digit) and nowhere else: a reference or a date is never split at a hyphen', () => {
    expect(briefCode('GD-2026-01-C1')).toBe('<span class="nw">GD-2026-01-C1</span>');
    expect(briefCode('SCHOOL_STAGE')).toBe('<span class="nw">SCHOOL_</span><wbr><span class="nw">STAGE</span>');
    expect(briefCode('src_aid_row:MA-2025-1013')).toBe('<span class="nw">src_</span><wbr><span class="nw">aid_</span><wbr><span class="nw">row:</span><wbr><span class="nw">MA-2025-1013</span>');
    expect(briefCode('pay:2026-03-14 10:00')).toBe('<span class="nw">pay:2026-03-14 10:00</span>');
    expect(briefCode('A&B_<C>')).toBe('<span class="nw">A&amp;B_</span><wbr><span class="nw">&lt;C&gt;</span>');
  });
});

describe('the case’s time limits', () => {
  it('says an overdue count is provisional where it counts days of a year whose holiday notice is not published, though its due date is not', () => {
    // Reported Thursday 2026-12-24: the investigation opinion is due Tuesday 12-29 under 2026's notice;
    // printed on 2027-01-11 it is 7 working days late, counted over 2027's days, known by the law alone.
    const reportedAt = new Date('2026-12-24T09:00:00+08:00');
    const printedAt = new Date('2027-01-11T10:00:00+08:00');
    const deadlines = caseDeadlines({ urgency: 'NORMAL', reportedAt, transitions: [{ to: 'REPORTED', at: reportedAt }] }, printedAt);
    const investigation = deadlines.find((d) => d.kind === 'INVESTIGATION_OPINION')!;
    expect(investigation).toMatchObject({ dueOn: '2026-12-29', provisional: false, status: 'OVERDUE', overdue: { workingDays: 8, provisional: true } });
    const text = renderBrief({ ...view(v2, true), c: { ...c, urgency: 'NORMAL', reportedAt }, deadlines, printedAt }).replace(/<[^>]+>/g, '');
    expect(text).toContain('2026-12-29已超期（超 8 个工作日');
    expect(text).toMatch(/2026-12-29已超期（超 8 个工作日 \/ \d+ 小时，当年放假安排未公布，暂按法定节日和周末计）/);
    // A due date itself provisional says so once, beside the date.
    const approval = deadlines.find((d) => d.kind === 'APPROVAL')!;
    expect(approval.provisional).toBe(true);
    expect(text.match(/当年放假安排未公布/g)).toHaveLength(2);
  });
});
