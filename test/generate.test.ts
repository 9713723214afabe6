/**
 * The demo-data generator's pure part: determinism, valid and unique ID numbers, believable rates,
 * and amounts that add up. No database.
 */
import { ageOn } from '../domain/dates';
import { checkIdNumber } from '../domain/id-number';
import { yuanToFen } from '../domain/money';
import { REGION_BY_CODE, REGIONS, regionPrefix } from '../domain/regions';
import { DemoGenerator, generateAll, generateChunks } from '../tools/generate/population';
import { TABLE_NAMES, TABLES, cell, type Row, type TableName, type TableRows } from '../tools/generate/tables';

const REF = '2025-11-20';
const N = 4000;
const rows: TableRows = generateAll({ seed: 42, referenceDate: REF }, N);

function col(table: TableName, column: string): unknown[] {
  return rows[table].map((r) => cell(table, r, column));
}

const personById = new Map<string, Row>(rows.person.map((r) => [r[0] as string, r]));
const birthOf = (id: string): string => personById.get(id)![3] as string;
const deathOf = (id: string): string | null => personById.get(id)![4] as string | null;

describe('demo generator: determinism', () => {
  it('gives identical output for the same seed, households and reference date', () => {
    const again = generateAll({ seed: 42, referenceDate: REF }, N);
    expect(again).toEqual(rows);
  });

  it('does not depend on how the run is cut into chunks', () => {
    const chunks = [...generateChunks({ seed: 42, referenceDate: REF }, 1000, 137)];
    const whole = generateAll({ seed: 42, referenceDate: REF }, 1000);
    for (const t of TABLE_NAMES) expect(chunks.flatMap((c) => c[t])).toEqual(whole[t]);
  });

  it('differs for another seed or another reference date', () => {
    const otherSeed = generateAll({ seed: 43, referenceDate: REF }, 200);
    const otherDate = generateAll({ seed: 42, referenceDate: '2024-06-01' }, 200);
    const mine = generateAll({ seed: 42, referenceDate: REF }, 200);
    expect(otherSeed.person).not.toEqual(mine.person);
    expect(otherDate.person).not.toEqual(mine.person);
  });

  it('writes rows that fit their tables', () => {
    for (const t of TABLE_NAMES) {
      const misfits = rows[t].filter((r) => r.length !== TABLES[t].columns.length || r.some((v) => v === undefined));
      expect(misfits).toHaveLength(0);
    }
  });
});

describe('demo generator: people', () => {
  it('gives every person a valid, unique ID number matching sex, birth date and county', () => {
    const ids = col('person', 'id_number') as string[];
    expect(new Set(ids).size).toBe(ids.length);
    const countyOf = new Map<string, string>();
    const householdRegion = new Map(rows.household.map((h) => [h[0], h[2] as string]));
    for (const m of rows.household_member) countyOf.set(m[1] as string, householdRegion.get(m[0])!.slice(0, 6));
    for (const p of rows.person) {
      const check = checkIdNumber(p[0] as string, REF);
      expect(check.ok).toBe(true);
      if (!check.ok) continue;
      expect(check.gender).toBe(p[2]);
      expect(check.birthDate).toBe(p[3]);
      expect(check.regionCode).toBe(countyOf.get(p[0] as string));
    }
  });

  it('never repeats an ID number across appended runs', () => {
    const gen = new DemoGenerator({ seed: 42, referenceDate: REF });
    const first = gen.generate(500);
    const taken = new Set(first.person.map((p) => p[0] as string));
    const appended = new DemoGenerator({ seed: 42, referenceDate: REF, firstHousehold: 500, isTaken: (id) => taken.has(id) }).generate(500);
    for (const p of appended.person) expect(taken.has(p[0] as string)).toBe(false);
    expect(appended.household[0][0]).toBe(501);
  });

  it('builds households of 1 to 6 members with a believable age structure', () => {
    const members = new Map<unknown, Row[]>();
    for (const m of rows.household_member) members.set(m[0], [...(members.get(m[0]) ?? []), m]);
    expect(members.size).toBe(N);
    const sizes = [...members.values()].map((ms) => ms.length);
    expect(Math.min(...sizes)).toBe(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(6);
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(mean).toBeGreaterThan(2.4);
    expect(mean).toBeLessThan(3.4);
    for (const ms of members.values()) {
      const heads = ms.filter((m) => m[2] === 'HEAD');
      expect(heads).toHaveLength(1);
      const headAge = ageOn(birthOf(heads[0][1] as string), REF);
      expect(headAge).toBeGreaterThanOrEqual(25);
      expect(headAge).toBeLessThanOrEqual(85);
      for (const m of ms) {
        const age = ageOn(birthOf(m[1] as string), REF);
        if (m[2] === 'CHILD' || m[2] === 'GRANDCHILD') expect(age).toBeLessThan(headAge);
        if (m[2] === 'PARENT') expect(age).toBeGreaterThan(headAge);
      }
    }
    const ages = rows.person.map((p) => ageOn(p[3] as string, REF));
    const share = (pred: (a: number) => boolean) => ages.filter(pred).length / ages.length;
    expect(share((a) => a < 18)).toBeGreaterThan(0.12);
    expect(share((a) => a < 18)).toBeLessThan(0.3);
    expect(share((a) => a >= 60)).toBeGreaterThan(0.15);
    expect(share((a) => a >= 60)).toBeLessThan(0.35);
    const male = rows.person.filter((p) => p[2] === 'M').length / rows.person.length;
    expect(male).toBeGreaterThan(0.45);
    expect(male).toBeLessThan(0.55);
  });

  it('records some deaths, in the past, with the membership ended', () => {
    const dead = rows.person.filter((p) => p[4] !== null);
    expect(dead.length / rows.person.length).toBeGreaterThan(0.005);
    expect(dead.length / rows.person.length).toBeLessThan(0.06);
    const leftOn = new Map(rows.household_member.map((m) => [m[1], m[4]]));
    for (const p of dead) {
      expect(p[4] as string <= REF).toBe(true);
      expect(p[4] as string > (p[3] as string)).toBe(true);
      expect(leftOn.get(p[0])).toBe(p[4]);
    }
  });

  it('places every household in a known village or community', () => {
    for (const h of rows.household) {
      const region = REGION_BY_CODE.get(h[2] as string);
      expect(region?.level).toBe('VILLAGE');
    }
    expect(new Set(col('household', 'registration_no')).size).toBe(N);
  });
});

describe('demo generator: department records', () => {
  it('references only people in the hub', () => {
    const refs: Array<[TableName, string]> = [
      ['dibao_family', 'head_id_no'], ['dibao_member', 'id_no'], ['tekun_person', 'id_no'], ['temp_aid_grant', 'id_no'],
      ['child_allowance', 'child_id_no'], ['xs_student', 'sfzh'], ['gzf_application', 'applicant_id_card'],
      ['wfgz_project', 'owner_id_card'], ['mi_setl', 'psn_cert_no'], ['mi_aid_pay', 'psn_cert_no'],
      ['gh_worker_file', 'id_card'], ['cl_certificate', 'id_card'],
    ];
    for (const [table, column] of refs) for (const id of col(table, column)) expect(personById.has(id as string)).toBe(true);
    for (const id of col('gh_grant', 'student_id_card')) if (id !== null) expect(personById.has(id as string)).toBe(true);
  });

  it('enrols a few per cent of households in 低保, with shares of 300 to 900 yuan a month', () => {
    const families = new Set(col('dibao_family', 'head_id_no')).size;
    expect(families / N).toBeGreaterThan(0.01);
    expect(families / N).toBeLessThan(0.08);
    for (const share of col('dibao_member', 'monthly_share_fen') as number[]) {
      expect(Number.isInteger(share)).toBe(true);
      expect(share).toBeGreaterThanOrEqual(30000);
      expect(share).toBeLessThanOrEqual(90000);
    }
    for (const area of col('dibao_family', 'area_type')) expect([1, 2]).toContain(area);
  });

  it('gives 特困 support mostly to elderly people living alone', () => {
    const tekun = col('tekun_person', 'id_no') as string[];
    expect(tekun.length).toBeGreaterThan(0);
    expect(tekun.length).toBeLessThan(rows.dibao_member.length);
    const householdOf = new Map(rows.household_member.map((m) => [m[1], m[0]]));
    const size = new Map<unknown, number>();
    for (const m of rows.household_member) size.set(m[0], (size.get(m[0]) ?? 0) + 1);
    const elderlyAlone = tekun.filter((id) => ageOn(birthOf(id), REF) >= 60 && size.get(householdOf.get(id)) === 1).length;
    expect(elderlyAlone / tekun.length).toBeGreaterThan(0.5);
  });

  it('grants temporary aid with causes, some of it urgent, never after death', () => {
    const causes = new Set(col('temp_aid_grant', 'cause_code'));
    for (const c of causes) expect(['01', '02', '03', '04', '05', '99']).toContain(c);
    expect(causes.size).toBeGreaterThan(3);
    const urgent = rows.temp_aid_grant.filter((r) => cell('temp_aid_grant', r, 'is_urgent') === 1).length;
    expect(urgent).toBeGreaterThan(0);
    expect(urgent).toBeLessThan(rows.temp_aid_grant.length);
    for (const r of rows.temp_aid_grant) {
      const date = cell('temp_aid_grant', r, 'grant_date') as string;
      const death = deathOf(cell('temp_aid_grant', r, 'id_no') as string);
      expect(date <= REF).toBe(true);
      if (death) expect(date <= death).toBe(true);
      const amount = cell('temp_aid_grant', r, 'amount_fen') as number;
      expect(amount).toBeGreaterThanOrEqual(50000);
      expect(amount).toBeLessThanOrEqual(2000000);
    }
  });

  it('certifies about 6% of people as disabled, with nursing subsidies only for levels 1 and 2', () => {
    const share = rows.cl_certificate.length / rows.person.length;
    expect(share).toBeGreaterThan(0.04);
    expect(share).toBeLessThan(0.08);
    const level = new Map<string, number>();
    for (const c of rows.cl_certificate) {
      const [certNo, id, type, lvl] = c as [string, string, number, number];
      expect(certNo).toBe(`${id}${type}${lvl}`);
      expect(type).toBeGreaterThanOrEqual(1);
      expect(type).toBeLessThanOrEqual(7);
      level.set(certNo, lvl);
    }
    const nursing = rows.cl_subsidy.filter((s) => s[1] === 'HL');
    expect(nursing.length).toBeGreaterThan(0);
    for (const s of nursing) expect(level.get(s[0] as string)).toBeLessThanOrEqual(2);
    for (const s of rows.cl_subsidy) expect(level.has(s[0] as string)).toBe(true);
  });

  it('hospitalises about 8% of people, and every settlement adds up: total = hifp + hifmi + maf + psn', () => {
    const people = new Set(col('mi_setl', 'psn_cert_no')).size / rows.person.length;
    expect(people).toBeGreaterThan(0.05);
    expect(people).toBeLessThan(0.12);
    for (const r of rows.mi_setl) {
      const [total, hifp, hifmi, maf, psn] = ['medfee_sumamt', 'hifp_pay', 'hifmi_pay', 'maf_pay', 'psn_pay'].map((c) => yuanToFen(cell('mi_setl', r, c) as string));
      expect(total).toBe(hifp + hifmi + maf + psn);
      for (const part of [hifp, hifmi, maf, psn]) expect(part).toBeGreaterThanOrEqual(0);
      expect(total).toBeGreaterThanOrEqual(30000);
      const adm = cell('mi_setl', r, 'adm_date') as string;
      const dscg = cell('mi_setl', r, 'dscg_date') as string;
      expect(adm <= dscg && dscg <= (cell('mi_setl', r, 'setl_date') as string)).toBe(true);
    }
    // Basic insurance pays something on nearly every stay (not when the bill is under the deductible).
    const paid = rows.mi_setl.filter((r) => yuanToFen(cell('mi_setl', r, 'hifp_pay') as string) > 0).length;
    expect(paid / rows.mi_setl.length).toBeGreaterThan(0.9);
    expect(new Set(col('mi_setl', 'setl_id')).size).toBe(rows.mi_setl.length);
    const setlIds = new Set(col('mi_setl', 'setl_id'));
    for (const r of rows.mi_aid_pay) if (r[2] !== null) expect(setlIds.has(r[2])).toBe(true);
    for (const r of rows.gh_grant) if (r[6] !== null) expect(setlIds.has(r[6])).toBe(true);
  });

  it('funds students of school age, in yuan with two decimals', () => {
    const students = new Map(rows.xs_student.map((s) => [s[0], s]));
    expect(students.size).toBeGreaterThan(0);
    for (const s of rows.xs_student) {
      const age = ageOn(birthOf(s[1] as string), REF);
      expect(age).toBeGreaterThanOrEqual(5);
      expect(age).toBeLessThanOrEqual(23);
      expect(s[0]).toBe(`G${s[1]}`);
    }
    for (const f of rows.xs_funding) {
      expect(students.has(f[0])).toBe(true);
      expect(f[4]).toMatch(/^\d+\.\d{2}$/);
      expect(['GJZXJ', 'XFJM', 'JSSBZ']).toContain(f[3]);
      expect(f[1]).toMatch(/^(\d{4})-(\d{4})$/);
      expect(f[5] as string <= REF).toBe(true);
    }
  });

  it('has housing applications with allocations, and union files with grants', () => {
    const apps = new Set(col('gzf_application', 'app_no'));
    expect(apps.size).toBeGreaterThan(0);
    for (const a of rows.gzf_allocation) expect(apps.has(a[0])).toBe(true);
    const files = new Set(col('gh_worker_file', 'file_no'));
    expect(files.size).toBeGreaterThan(0);
    for (const g of rows.gh_grant) expect(files.has(g[0])).toBe(true);
  });

  it('uses unique keys where the department tables have them', () => {
    const keys: Array<[TableName, string]> = [
      ['dibao_family', 'family_no'], ['xs_student', 'student_no'], ['gzf_application', 'app_no'], ['wfgz_project', 'project_id'],
      ['mi_setl', 'setl_id'], ['mi_aid_pay', 'pay_id'], ['gh_worker_file', 'file_no'], ['cl_certificate', 'cert_no'],
    ];
    for (const [table, column] of keys) expect(new Set(col(table, column)).size).toBe(rows[table].length);
  });
});

describe('regions', () => {
  it('lists Jining, its eleven counties and Gaotang, with townships and villages below', () => {
    const counties = REGIONS.filter((r) => r.level === 'COUNTY');
    expect(counties.map((c) => c.code).sort()).toEqual(
      ['370811', '370812', '370826', '370827', '370828', '370829', '370830', '370831', '370832', '370881', '370883', '371526'].sort(),
    );
    for (const r of REGIONS) {
      if (r.parentCode) expect(REGION_BY_CODE.has(r.parentCode)).toBe(true);
      expect(r.code.length).toBe({ PROVINCE: 6, CITY: 6, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12 }[r.level]);
      if (r.parentCode) expect(r.code.startsWith(regionPrefix(r.parentCode))).toBe(true);
    }
    expect(new Set(REGIONS.map((r) => r.code)).size).toBe(REGIONS.length);
  });

  it('gives the significant prefix of a division code', () => {
    expect(regionPrefix('370000')).toBe('37');
    expect(regionPrefix('370800')).toBe('3708');
    expect(regionPrefix('370811')).toBe('370811');
    expect(regionPrefix('370811001')).toBe('370811001');
    expect(regionPrefix('370811001001')).toBe('370811001001');
    expect(() => regionPrefix('3708')).toThrow();
  });
});

describe('demo generator: what the sources record beside amounts (issue 13)', () => {
  const share = (table: TableName, column: string, pick: (v: unknown) => boolean): number => {
    const values = col(table, column);
    return values.filter(pick).length / values.length;
  };

  it('recovers or reverses about 1.5% of union grants and 1% of medical-aid payments, and a few rehabilitation grants', () => {
    expect(share('gh_grant', 'grant_status', (v) => v !== 1)).toBeGreaterThan(0.003);
    expect(share('gh_grant', 'grant_status', (v) => v !== 1)).toBeLessThan(0.05);
    expect(share('mi_aid_pay', 'vali_flag', (v) => v === '0')).toBeGreaterThan(0.002);
    expect(share('mi_aid_pay', 'vali_flag', (v) => v === '0')).toBeLessThan(0.04);
    expect(share('cl_rehab_aid', 'aid_status', (v) => v === 2)).toBeLessThan(0.03);
  });

  it('suspends about 2% of running disability subsidies and revokes a few, and marks stopped the ones whose end month has passed', () => {
    const statuses = col('cl_subsidy', 'sub_status') as number[];
    expect(new Set(statuses)).toEqual(new Set([1, 2, 3, 4]));
    const running = rows.cl_subsidy.filter((r) => cell('cl_subsidy', r, 'end_ym') === null);
    const suspended = running.filter((r) => cell('cl_subsidy', r, 'sub_status') === 2).length / running.length;
    expect(suspended).toBeGreaterThan(0.005);
    expect(suspended).toBeLessThan(0.06);
    expect(share('cl_subsidy', 'sub_status', (v) => v === 4)).toBeGreaterThan(0);
    expect(share('cl_subsidy', 'sub_status', (v) => v === 4)).toBeLessThan(0.02);
    for (const r of rows.cl_subsidy) {
      const end = cell('cl_subsidy', r, 'end_ym') as string | null;
      const status = cell('cl_subsidy', r, 'sub_status');
      if (status !== 4) expect({ end, stopped: status === 3 }).toEqual({ end, stopped: end !== null && end < REF.slice(0, 7) });
    }
  });

  it('suspends or revokes a few child allowances; a revoked one is also stopped', () => {
    const flags = rows.child_allowance.map((r) => ({ state: cell('child_allowance', r, 'state_flag') as number, revoked: cell('child_allowance', r, 'revoked') as number }));
    expect(flags.length).toBeGreaterThan(20);
    const unusual = flags.filter((f) => f.state !== 0 || f.revoked !== 0).length / flags.length;
    expect(unusual).toBeGreaterThan(0);
    expect(unusual).toBeLessThan(0.08);
    for (const f of flags) {
      expect([0, 1, 2]).toContain(f.state);
      if (f.revoked === 1) expect(f.state).toBe(1);
    }
  });

  it('keeps needy students who finished senior secondary on the roll as graduated, with a leaving date', () => {
    const students = rows.xs_student.map((r) => ({ status: cell('xs_student', r, 'xj_status'), left: cell('xs_student', r, 'leave_date'), id: cell('xs_student', r, 'sfzh') as string }));
    const graduates = students.filter((s) => s.status === 'BY');
    expect(graduates.length).toBeGreaterThan(0);
    expect(graduates.length).toBeLessThan(students.length / 5);
    for (const g of graduates) {
      expect(g.left).toMatch(/^\d{4}-06-30$/);
      expect(ageOn(birthOf(g.id), REF)).toBeGreaterThanOrEqual(18);
    }
    expect(students.filter((s) => s.status === 'ZX').every((s) => s.left === null)).toBe(true);
  });
});
