/**
 * The demo-data generator's pure part: determinism, valid and unique ID numbers, households and
 * regions, and what every department's part must hold. Each department's own rates and amounts are
 * checked in its folder (federation/<dept>/<dept>.test.ts, "demo data"). No database.
 */
import { getTableName } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/mysql-core';
import { ageOn } from '../domain/dates';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES } from '../domain/departments';
import { checkIdNumber } from '../domain/id-number';
import { REGION_BY_CODE, REGIONS, regionPrefix } from '../domain/regions';
import { ADAPTERS } from '../federation/registry';
import { DemoGenerator, generateAll, generateChunks } from '../tools/generate/population';
import { TABLE_NAMES, TABLES, cell, type Row } from '../tools/generate/tables';
import { demoPopulation } from './support/demo-population';

const { referenceDate: REF, households: N, rows, col, personById, birthOf } = demoPopulation();

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
  // Each department's own rates and shapes are checked in its folder (federation/<dept>/<dept>.test.ts,
  // "demo data"); here, what holds for every department, read from the registry.
  const FEDERATED = DEPARTMENT_CODES.filter((code) => !(HUB_LEDGER_SOURCES as readonly string[]).includes(code));

  it('references only people in the hub, through every ID-number column a department declares', () => {
    for (const code of FEDERATED) {
      const adapter = ADAPTERS[code];
      for (const column of [...adapter.personKeys, ...(adapter.otherIdColumns ?? []).map((o) => o.column)]) {
        const values = col(getTableName(column.table), column.name);
        for (const id of values) if (id !== null) expect(personById.has(id as string)).toBe(true);
      }
    }
  });

  it('writes every department table, with unique primary keys where the generator writes them', () => {
    for (const code of FEDERATED) {
      for (const table of ADAPTERS[code].tables) {
        const config = getTableConfig(table);
        if (!(config.name in TABLES)) continue;
        const keys = [...config.columns.filter((c) => c.primary), ...config.primaryKeys.flatMap((k) => k.columns)].map((c) => c.name);
        if (keys.length === 0 || !keys.every((k) => TABLES[config.name].columns.includes(k))) continue;
        const tuples = rows[config.name].map((r) => JSON.stringify(keys.map((k) => cell(config.name, r, k))));
        expect(new Set(tuples).size).toBe(tuples.length);
      }
    }
    const written = FEDERATED.flatMap((code) => ADAPTERS[code].tables.map((t) => getTableConfig(t).name)).filter((t) => t in TABLES);
    expect(written.length).toBeGreaterThanOrEqual(20);
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
