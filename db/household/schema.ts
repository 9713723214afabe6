/**
 * The hub's own tables: who lives where. Aid itself stays in the department sources and is read
 * live through `federation/`; the hub keeps only what no single department owns.
 */
import { sql } from 'drizzle-orm';
import { bigint, char, date, index, mysqlEnum, mysqlTable, primaryKey, varchar } from 'drizzle-orm/mysql-core';
import type { DepartmentCode, OfficeCode } from '../../domain/departments';
import { changeTime } from '../change-marker';

/** Administrative divisions (GB/T 2260; 12-digit statistical codes below county). */
export const region = mysqlTable(
  'region',
  {
    code: varchar('code', { length: 12 }).primaryKey(),
    name: varchar('name', { length: 64 }).notNull(),
    level: mysqlEnum('level', ['PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP', 'VILLAGE']).notNull(),
    parentCode: varchar('parent_code', { length: 12 }),
  },
  (t) => [index('region_parent').on(t.parentCode)],
);

export const household = mysqlTable(
  'household',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    /** 户籍登记号 or the locality's own household number. */
    registrationNo: varchar('registration_no', { length: 32 }).notNull().unique(),
    /** The most precise division known: village (12 digits) or township (9). */
    regionCode: varchar('region_code', { length: 12 }).notNull(),
    address: varchar('address', { length: 255 }).notNull(),
    /**
     * The region code's prefix at each level above the village (divisionPrefix: a province 2 digits,
     * a city 4, a county 6, a township 9), so that the households under a division are read in hub
     * id order straight off (prefix, id) (region-pages.ts householdsUnderDivision). Computed by the
     * database from regionCode, never written: a household that moves has them moved with it.
     * VIRTUAL, as TiDB adds no STORED generated column to a table that exists; each index holds its
     * values. Household ids are immutable, so pages by id meet every household once however it moves.
     */
    provincePrefix: varchar('province_prefix', { length: 2 }).generatedAlwaysAs(sql`left(\`region_code\`, 2)`, { mode: 'virtual' }),
    cityPrefix: varchar('city_prefix', { length: 4 }).generatedAlwaysAs(sql`left(\`region_code\`, 4)`, { mode: 'virtual' }),
    countyPrefix: varchar('county_prefix', { length: 6 }).generatedAlwaysAs(sql`left(\`region_code\`, 6)`, { mode: 'virtual' }),
    townshipPrefix: varchar('township_prefix', { length: 9 }).generatedAlwaysAs(sql`left(\`region_code\`, 9)`, { mode: 'virtual' }),
  },
  (t) => [
    index('household_region').on(t.regionCode, t.id),
    index('household_province').on(t.provincePrefix, t.id),
    index('household_city').on(t.cityPrefix, t.id),
    index('household_county').on(t.countyPrefix, t.id),
    index('household_township').on(t.townshipPrefix, t.id),
  ],
);

export const person = mysqlTable(
  'person',
  {
    idNumber: char('id_number', { length: 18 }).primaryKey(),
    name: varchar('name', { length: 64 }).notNull(),
    gender: mysqlEnum('gender', ['M', 'F']).notNull(),
    birthDate: date('birth_date', { mode: 'string' }).notNull(),
    deathDate: date('death_date', { mode: 'string' }),
    /**
     * When the row was last written with a change (the database's, never imported): a death recorded
     * here is read by the monitoring poller as a department's change is (resolvers/monitoring/deaths.ts),
     * not left to the next monthly comparison. The index is in (changed_at, id_number) order, the
     * primary key riding in it, as the poller reads it.
     */
    changedAt: changeTime('changed_at'),
  },
  (t) => [index('person_changed_at').on(t.changedAt)],
);

/** Membership over time, so a person who moves household keeps both spells. */
export const householdMember = mysqlTable(
  'household_member',
  {
    householdId: bigint('household_id', { mode: 'number', unsigned: true }).notNull(),
    idNumber: char('id_number', { length: 18 }).notNull(),
    relation: mysqlEnum('relation', ['HEAD', 'SPOUSE', 'CHILD', 'PARENT', 'GRANDCHILD', 'GRANDPARENT', 'SIBLING', 'OTHER']).notNull(),
    joinedOn: date('joined_on', { mode: 'string' }).notNull(),
    leftOn: date('left_on', { mode: 'string' }),
  },
  (t) => [primaryKey({ columns: [t.householdId, t.idNumber, t.joinedOn] }), index('member_person').on(t.idNumber)],
);

export const programme = mysqlTable('programme', {
  code: varchar('code', { length: 32 }).primaryKey(),
  // A code of domain/departments.ts (the catalogue is synced from code): a new department needs no migration here.
  department: varchar('department', { length: 24 }).$type<OfficeCode>().notNull(),
  name: varchar('name', { length: 64 }).notNull(),
  kind: mysqlEnum('kind', ['RECURRING', 'ONE_OFF']).notNull(),
  purpose: mysqlEnum('purpose', ['BASIC_LIVING', 'TEMPORARY', 'MEDICAL', 'EDUCATION', 'HOUSING', 'EMPLOYMENT', 'DISABILITY', 'SERVICE']).notNull(),
});
