/**
 * The policy itself, without a database: every field of the schema is declared, anything
 * undeclared is closed, docs/access.md matches the policy, and the access decisions hold rule by
 * rule.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { graphql, isObjectType, type GraphQLSchema } from 'graphql';
import { checkCall, decideField, inScope, mayStatePurpose, viewOf, type Caller } from '../access/decide';
import { applyAccessPolicy } from '../access/enforce';
import { parseCaseReference, parsePurpose } from '../access/http';
import { PURPOSES_BY_ROLE, purposesFor, ROLES, ROOT_RULES, ROUTE_RULES, TYPE_RULES, type Role } from '../access/policy';
import { accessTables } from '../access/policy-table';
import { redactErrorMessage } from '../access/redact';
import { programmeForWomenProblem } from '../domain/programme-beneficiaries';
import { makeIdNumber } from '../domain/id-number';
import { OFFICE_CODES } from '../domain/departments';
import { AccessSession } from '../access/session';
import { newToken, tokenHash, validateSpec } from '../access/clients';
import { buildFederatedSchema, buildSchema, loadTypeDefs, resolvers } from '../resolvers/index';
import { parseExpiry } from '../tools/clients';
import { UsageError } from '../tools/command-args';

const caller = (roles: Role[], over: Partial<Caller> = {}): Caller => ({ clientId: 1, name: 't', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles, ...over });

// The plain schema, and the same schema served as a federation subgraph (its _entities and _service too).
describe.each([
  ['the schema', () => buildSchema()],
  ['the federation subgraph schema', () => buildFederatedSchema()],
])('every field has a declared access rule: %s', (_name, build) => {
  let schema: GraphQLSchema;
  // Rules for the subgraph's own fields are stale only if the subgraph schema lacks them too.
  let everything: GraphQLSchema;
  beforeAll(() => {
    schema = build();
    everything = buildFederatedSchema();
  });

  it('every Query and Mutation field', () => {
    const missing: string[] = [];
    for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
      if (!root) continue;
      for (const field of Object.keys(root.getFields())) if (!ROOT_RULES[root.name]?.[field]) missing.push(`${root.name}.${field}`);
    }
    expect(missing).toEqual([]);
  });

  it('every object type, and every field of a personal type', () => {
    const roots = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name, schema.getSubscriptionType()?.name]);
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__') || roots.has(type.name)) continue;
      const rule = TYPE_RULES[type.name];
      if (!rule) missing.push(type.name);
      else if (rule.kind === 'PERSONAL') for (const field of Object.keys(type.getFields())) if (!rule.fields[field]) missing.push(`${type.name}.${field}`);
    }
    expect(missing).toEqual([]);
  });

  it('declares nothing the schema does not have (a rename would leave a rule behind)', () => {
    const stale: string[] = [];
    for (const [root, fields] of Object.entries(ROOT_RULES)) {
      const type = everything.getType(root);
      for (const field of Object.keys(fields)) if (!isObjectType(type) || !type.getFields()[field]) stale.push(`${root}.${field}`);
    }
    for (const [name, rule] of Object.entries(TYPE_RULES)) {
      const type = everything.getType(name);
      if (!isObjectType(type)) stale.push(name);
      else if (rule.kind === 'PERSONAL') for (const field of Object.keys(rule.fields)) if (!type.getFields()[field]) stale.push(`${name}.${field}`);
    }
    expect(stale).toEqual([]);
  });
});

describe('deny by default', () => {
  let schema: GraphQLSchema;
  const rules = ROOT_RULES.Query as Record<string, unknown>;
  beforeAll(() => {
    // Declared for this test only: the root field is open, the type behind it is not.
    rules.undeclared = { roles: ['READER'], purposes: null, outOfScope: 'DENY' };
    // The real schema with a root field, a type and a field of a personal type nobody declared.
    schema = applyAccessPolicy(
      makeExecutableSchema({
        typeDefs: [...loadTypeDefs(), 'type Undeclared { secret: String }', 'extend type Query { newThing: String undeclared: Undeclared }', 'extend type Person { newSecret: String }'],
        resolvers: [
          ...resolvers,
          { Query: { newThing: () => 'leaked', undeclared: () => ({ secret: 'leaked' }), person: () => ({ idNumber: '370811197504120312', newSecret: 'leaked' }) } },
        ],
      }),
    );
  });
  afterAll(() => {
    delete rules.undeclared;
  });
  const ctx = (access: AccessSession) => ({
    access,
    config: { maxListSize: 500 },
    // The person has no household here: their region is their ID number's address code.
    loaders: { hub: { householdsOfPerson: { load: async () => ({ spells: [], person: null, current: null, approvals: [] }) }, householdById: { load: async () => null } } },
  });
  const session = () => new AccessSession({ caller: caller(['READER', 'CASEWORKER'], { regionScope: '370000' }), purpose: 'ELIGIBILITY_REVIEW', caseReference: null, officer: null, requestId: 'r' });

  it('closes a new root field', async () => {
    const res = await graphql({ schema, source: '{ newThing }', contextValue: ctx(session()) });
    expect(res.data?.newThing).toBeNull();
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NO_ACCESS_RULE' });
  });

  it('closes every field of an undeclared type', async () => {
    const res = await graphql({ schema, source: '{ undeclared { secret } }', contextValue: ctx(session()) });
    expect(res.data?.undeclared).toEqual({ secret: null });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NO_ACCESS_RULE' });
  });

  it('closes an undeclared field of a personal type, and shows the declared ones', async () => {
    const res = await graphql({ schema, source: '{ person(idNumber: "370811197504120312") { idNumber newSecret } }', contextValue: ctx(session()) });
    expect(JSON.stringify(res)).not.toContain('leaked');
    expect(res.data?.person).toEqual({ idNumber: '370811197504120312', newSecret: null });
    expect(res.errors?.map((e) => e.extensions?.reason)).toEqual(['NO_ACCESS_RULE']);
  });

  it('refuses everything to a request that carries no caller', async () => {
    const res = await graphql({ schema, source: '{ caller { name } }', contextValue: ctx(new AccessSession(null)) });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('docs/access.md', () => {
  it('holds the tables the policy generates (npm run access:table)', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'access.md'), 'utf8');
    const m = /<!-- access-tables:start -->\n([\s\S]*?)\n<!-- access-tables:end -->/.exec(doc);
    expect(m?.[1]).toBe(accessTables());
  });

  it('npm run access:table -- --write says the tables are current when it changes nothing', () => {
    // It said "rewrote the access tables" whatever it found, and a maintainer adding a department
    // (README: the tables do not depend on the department list) went looking for the change.
    const before = fs.readFileSync(path.join(__dirname, '..', 'docs', 'access.md'), 'utf8');
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'tools/access-table.ts', '--write'], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
    expect(out).toContain('are current: left as they are');
    expect(out).not.toContain('rewrote');
    expect(fs.readFileSync(path.join(__dirname, '..', 'docs', 'access.md'), 'utf8')).toBe(before);
  });
});

describe('decisions', () => {
  it('scopes: a division and everything under it', () => {
    expect(inScope('370800', '370811001001')).toBe(true);
    expect(inScope('370811', '370811001001')).toBe(true);
    expect(inScope('370811001', '370811001001')).toBe(true);
    expect(inScope('370811001', '370811002001')).toBe(false);
    expect(inScope('370811', '370826100')).toBe(false);
    expect(inScope('370800', '371526001')).toBe(false);
    expect(inScope('370000', '371526001')).toBe(true);
    expect(inScope('370811', null)).toBe(false);
    expect(inScope('bogus', '370811')).toBe(false);
  });

  it('calls: rule, role, purpose required, served and allowed, in that order', () => {
    const rule = { roles: ['READER', 'CASEWORKER'] as Role[], purposes: ['ELIGIBILITY_REVIEW', 'CASE_MEETING'] as const };
    expect(checkCall(undefined, 'Q.x', caller(['READER']), 'ELIGIBILITY_REVIEW')?.reason).toBe('NO_ACCESS_RULE');
    expect(checkCall(rule, 'Q.x', caller(['AUDITOR']), 'AUDIT')?.reason).toBe('ROLE_NOT_ALLOWED');
    expect(checkCall(rule, 'Q.x', caller(['READER']), null)?.reason).toBe('PURPOSE_REQUIRED');
    expect(checkCall(rule, 'Q.x', caller(['READER']), 'MONITORING')?.reason).toBe('PURPOSE_NOT_SERVED');
    // READER may not state CASE_MEETING; an AUDITOR role beside it does not lend it the right.
    expect(checkCall(rule, 'Q.x', caller(['READER', 'MEETING_CONVENER']), 'CASE_MEETING')?.reason).toBe('PURPOSE_NOT_ALLOWED');
    expect(checkCall(rule, 'Q.x', caller(['CASEWORKER']), 'CASE_MEETING')).toBeNull();
    expect(checkCall({ roles: ['READER'], purposes: null }, 'Q.x', caller(['READER']), null)).toBeNull();
  });

  it('purposes a client may state: its roles’, narrowed to those a field or route serves to its department', () => {
    const reader = (department: string) => caller(['READER'], { department: department as any });
    expect(mayStatePurpose(reader('JUSTICE'), 'LEGAL_AID_MEANS_CHECK')).toBe(true);
    for (const department of OFFICE_CODES.filter((d) => d !== 'JUSTICE')) expect([department, mayStatePurpose(reader(department), 'LEGAL_AID_MEANS_CHECK')]).toEqual([department, false]);
    expect(mayStatePurpose(reader('EDUCATION'), 'ELIGIBILITY_REVIEW')).toBe(true);
    // A charity's reporting client states the purposes aidReport serves it; its client for linkage, linkage only.
    expect(purposesFor(['DEPARTMENT_WRITER'], 'CHARITY')).toEqual(['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK']);
    expect(purposesFor(['CHARITY'], 'CHARITY')).toEqual(['CHARITY_LINKAGE']);
    expect(purposesFor(['CHARITY'], 'CIVIL_AFFAIRS')).toEqual([]);
    // Never more than the roles may state; and every purpose a role may state is stated by some department's client holding it.
    for (const role of ROLES) {
      for (const department of OFFICE_CODES) for (const p of purposesFor([role], department)) expect(PURPOSES_BY_ROLE[role]).toContain(p);
      expect(PURPOSES_BY_ROLE[role].filter((p) => !OFFICE_CODES.some((d) => purposesFor([role], d).includes(p)))).toEqual([]);
    }
  });

  it('views: full in scope, limited only for a duplicate check, none otherwise', () => {
    expect(viewOf(caller(['READER']), 'ELIGIBILITY_REVIEW', '370811001001')).toBe('FULL');
    expect(viewOf(caller(['READER']), 'DUPLICATE_CHECK', '370826100')).toBe('LIMITED');
    expect(viewOf(caller(['READER']), 'DUPLICATE_CHECK', '370826100', 'DENY')).toBe('NONE');
    expect(viewOf(caller(['READER']), 'ELIGIBILITY_REVIEW', '370826100')).toBe('NONE');
    expect(viewOf(caller(['READER']), null, '370826100')).toBe('NONE');
  });

  it('fields: each visibility in each view', () => {
    const reader = caller(['READER']);
    const writer = caller(['DEPARTMENT_WRITER'], { department: 'EDUCATION' });
    expect(decideField('ANY', 'LIMITED', reader, 'DUPLICATE_CHECK', 'T.f').show).toBe('CLEAR');
    expect(decideField('IN_SCOPE', 'LIMITED', reader, 'DUPLICATE_CHECK', 'T.f')).toMatchObject({ show: 'REFUSED', refusal: { reason: 'LIMITED_VIEW' } });
    expect(decideField('ANY', 'NONE', reader, 'ELIGIBILITY_REVIEW', 'T.f')).toMatchObject({ show: 'REFUSED', refusal: { reason: 'OUT_OF_SCOPE' } });
    expect(decideField('ID_NUMBER', 'FULL', reader, 'ELIGIBILITY_REVIEW', 'T.f').show).toBe('MASKED');
    expect(decideField('ID_NUMBER', 'FULL', writer, 'ELIGIBILITY_REVIEW', 'T.f').show).toBe('CLEAR');
    expect(decideField('ID_NUMBER', 'LIMITED', writer, 'DUPLICATE_CHECK', 'T.f').show).toBe('MASKED');
    expect(decideField('REFERENCE', 'FULL', reader, 'ELIGIBILITY_REVIEW', 'T.f').show).toBe('MASKED');
    expect(decideField('HEALTH', 'FULL', reader, 'ELIGIBILITY_REVIEW', 'T.f').show).toBe('CLEAR');
    expect(decideField('HEALTH', 'FULL', writer, 'ELIGIBILITY_REVIEW', 'T.f')).toMatchObject({ show: 'REFUSED', refusal: { reason: 'HEALTH_DETAIL' } });
    expect(decideField('HEALTH', 'FULL', writer, 'CASE_MEETING', 'T.f').show).toBe('CLEAR');
    expect(decideField('HEALTH', 'FULL', caller(['READER'], { department: 'HEALTH' }), 'MONITORING', 'T.f').show).toBe('CLEAR');
    expect(decideField('HEALTH', 'LIMITED', caller(['READER'], { department: 'HEALTH' }), 'DUPLICATE_CHECK', 'T.f').show).toBe('REFUSED');
    expect(decideField('REGION', 'FULL', reader, 'ELIGIBILITY_REVIEW', 'T.f').show).toBe('CLEAR');
    expect(decideField('REGION', 'LIMITED', reader, 'DUPLICATE_CHECK', 'T.f').show).toBe('COARSE');
  });

  it('supervision: reads the closed loop and nothing else, writes nothing, ID numbers masked, no health detail', () => {
    // A civil-affairs bureau's 督查室: its department would see health detail for any other purpose.
    const supervisor = caller(['SUPERVISOR'], { regionScope: '370800' });
    const served = (rule: { roles: readonly Role[]; purposes: readonly string[] | null }) => checkCall(rule as any, 'x', supervisor, rule.purposes === null ? null : 'SUPERVISION') === null;
    const reads = Object.entries(ROOT_RULES.Query).filter(([, rule]) => served(rule)).map(([field]) => field).sort();
    const withoutPurpose = Object.entries(ROOT_RULES.Query).filter(([, rule]) => rule.purposes === null && rule.roles.includes('SUPERVISOR')).map(([field]) => field);
    // reportedAidBeyondTerm: the ledger's entries beyond the five-year term, which supervision chases (README, "Aid reported directly").
    expect(reads).toEqual(['case', 'overdueReport', 'referral', 'referralInbox', 'referralsToOffice', 'reportedAidBeyondTerm', ...withoutPurpose].sort());
    expect(withoutPurpose.sort()).toEqual(['_service', 'caller', 'rules', 'triggers', 'workingDayCalendar']);
    expect(Object.entries(ROOT_RULES.Mutation).filter(([, rule]) => served(rule))).toEqual([]);
    expect(ROUTE_RULES.filter((r) => served(r)).map((r) => r.description)).toEqual([expect.stringContaining('meeting brief'), expect.stringContaining('督查通报')]);
    // The report's file is open to exactly whoever reads the report.
    const overdueFile = ROUTE_RULES.find((r) => r.path.test('/exports/overdue.csv'))!;
    expect([overdueFile.roles, overdueFile.purposes]).toEqual([ROOT_RULES.Query.overdueReport.roles, ROOT_RULES.Query.overdueReport.purposes]);
    // Every type it reads is a case's (or an alert's, which overdueReport lists); no household or person type.
    const readable = Object.entries(TYPE_RULES).filter(([, rule]) => rule.kind === 'PERSONAL' && rule.readBy.roles.includes('SUPERVISOR') && rule.readBy.purposes.includes('SUPERVISION')).map(([name]) => name);
    for (const type of ['Household', 'HouseholdMember', 'Person', 'AidRecord', 'Finding', 'CharityNeed', 'CharityConsent']) expect(readable).not.toContain(type);
    expect(readable).toEqual(expect.arrayContaining(['Case', 'Referral', 'Meeting', 'Dossier', 'DossierMember', 'Alert']));
    expect(decideField('ID_NUMBER', 'FULL', supervisor, 'SUPERVISION', 'T.f').show).toBe('MASKED');
    expect(decideField('REFERENCE', 'FULL', supervisor, 'SUPERVISION', 'T.f').show).toBe('MASKED');
    expect(decideField('HEALTH', 'FULL', supervisor, 'SUPERVISION', 'T.f')).toMatchObject({ show: 'REFUSED', refusal: { reason: 'HEALTH_DETAIL' } });
    // It states no other purpose, and no other role states its own.
    expect(checkCall(ROOT_RULES.Query.overdueReport, 'x', supervisor, 'MONITORING')?.reason).toBe('PURPOSE_NOT_ALLOWED');
    expect(checkCall(ROOT_RULES.Query.overdueReport, 'x', caller(['CASEWORKER', 'MEETING_CONVENER']), 'SUPERVISION')?.reason).toBe('PURPOSE_NOT_ALLOWED');
  });
});

describe('headers, tokens and messages', () => {
  it('reads purposes leniently and case references strictly', () => {
    expect(parsePurpose(undefined)).toBeNull();
    expect(parsePurpose(' duplicate-check ')).toBe('DUPLICATE_CHECK');
    expect(parsePurpose('Eligibility_Review')).toBe('ELIGIBILITY_REVIEW');
    expect(parsePurpose('CURIOSITY')).toBe('UNKNOWN');
    expect(parseCaseReference('AH-2026-000042')).toBe('AH-2026-000042');
    expect(parseCaseReference('370811197504120312')).toBe('MALFORMED');
    // An ID number written in parts is one too; a file number with separators is not.
    expect(parseCaseReference('370811-19750412-0312')).toBe('MALFORMED');
    expect(parseCaseReference('AH-370811.19750412.031X')).toBe('MALFORMED');
    expect(parseCaseReference('3708_1119_7504_1203_12')).toBe('MALFORMED');
    expect(parseCaseReference('370811-2026-000042')).toBe('370811-2026-000042');
    expect(parseCaseReference('王建国的案子')).toBe('MALFORMED');
    expect(parseCaseReference("x' OR '1'='1")).toBe('MALFORMED');
    expect(parseCaseReference('a'.repeat(65))).toBe('MALFORMED');
  });

  it('makes 256-bit tokens and keeps only their SHA-256', () => {
    const a = newToken();
    expect(a).toMatch(/^ahk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(4), 'base64url')).toHaveLength(32);
    expect(newToken()).not.toBe(a);
    expect(tokenHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash(a)).not.toContain(a.slice(4, 20));
  });

  it('refuses a client spec with a bad name, scope or role', () => {
    const ok = { name: 'rencheng-civil-affairs', department: 'CIVIL_AFFAIRS' as const, regionScope: '370811', roles: ['READER'] as Role[] };
    expect(() => validateSpec(ok)).not.toThrow();
    expect(() => validateSpec({ ...ok, name: '王' })).toThrow(/name/);
    expect(() => validateSpec({ ...ok, regionScope: '3708' })).toThrow(/scope/);
    expect(() => validateSpec({ ...ok, roles: ['ROOT' as Role] })).toThrow(/role/);
    expect(() => validateSpec({ ...ok, roles: [] })).toThrow(/role/);
  });

  it('reads expiries as the end of a China day, or a span from now', () => {
    const now = new Date('2026-03-15T00:00:00Z');
    expect(parseExpiry({ expires: '2026-12-31' }, now)).toBe('2026-12-31 15:59:59.999');
    expect(parseExpiry({ expires: '2026-04-01T18:00:00+08:00' }, now)).toBe('2026-04-01 10:00:00.000');
    expect(parseExpiry({ 'expires-in': '2d' }, now)).toBe('2026-03-17 00:00:00.000');
    expect(parseExpiry({ 'no-expiry': true }, now)).toBeNull();
    expect(parseExpiry({}, now)).toBeUndefined();
    expect(() => parseExpiry({ 'expires-in': 'forever' }, now)).toThrow();
  });

  // new Date() read 2026-02-30 as 2 March and "5" as May 2001; a past expiry (or 0d) made a client
  // listed EXPIRED at creation whose token never worked. Each is the operator's mistake (exit 2).
  it.each([
    [{ expires: '2026-02-30' }],
    [{ expires: '5' }],
    [{ expires: '2026-04-01 18:00' }],
    [{ expires: '2026-04-01T18:00:00' }],
    [{ expires: '' }],
    [{ expires: '2026-03-01' }],
    [{ expires: '2026-03-14T23:59:59Z' }],
    [{ 'expires-in': '0d' }],
    [{ 'expires-in': '0h' }],
  ])('refuses the expiry %j (not a calendar date, no offset, or already past)', (values) => {
    expect(() => parseExpiry(values, new Date('2026-03-15T00:00:00Z'))).toThrow(UsageError);
  });

  it('withholds the values graphql-js quotes back, and any ID number or Chinese text', () => {
    const cases = [
      'Variable "$n" got invalid value "王建国"; String cannot represent a non string value: 5',
      'Expected value of type "Int!", found "370811197504120312".',
      'Variable "$d" got invalid value "2026-02-30"; Expected type "Date". Value is not a valid LocalDate: 2026-02-30',
      'Syntax Error: Unexpected character: "王".',
      'no household 3708111975041203',
    ];
    for (const message of cases) {
      const out = redactErrorMessage(message);
      expect(out).not.toMatch(/[\u4e00-\u9fff]/);
      expect(out).not.toMatch(/\d{12,}/);
      expect(out).not.toContain('2026-02-30');
    }
    expect(redactErrorMessage('Syntax Error: Query depth limit of 12 exceeded, found 20.')).toBe('Syntax Error: Query depth limit of 12 exceeded, found 20.');
  });

  // The hub's own programme names are its words, not a caller's value: PROGRAMME_FOR_WOMEN read
  // `TWO_CANCERS_AID: "…"… is for women`. A caller's Chinese beside them is still blanked.
  it('keeps the hub’s own programme names, and blanks a caller’s Chinese beside them', () => {
    const refusal = programmeForWomenProblem('TWO_CANCERS_AID', makeIdNumber('370811', '1972-05-05', 43))!;
    expect(redactErrorMessage(refusal)).toBe(refusal);
    expect(redactErrorMessage(refusal)).toContain('"两癌"救助 is for women');
    expect(redactErrorMessage(programmeForWomenProblem('SPRING_BUD', makeIdNumber('370811', '2012-05-05', 43))!)).toContain('春蕾计划 is for girls');
    expect(redactErrorMessage('no household of 王建国 in 春蕾计划, 任城区')).toBe('no household of … in 春蕾计划, …');
    expect(redactErrorMessage('王建国"两癌"救助')).toBe('…"两癌"救助');
  });

  // The value ended at its first "; ", so whatever the caller joined after it came back: a phone
  // number, an ID number written in parts, a name in pinyin.
  it.each([
    '"wang jianguo; 13800138000"',
    '"370811; 19750412; 0312"',
    '"x\\"; 13800138000; 370811197504"',
    '["1", "2; 13800138000"]',
    '{ idNumber: "370811; 19750412; 0312", phone: "13800138000" }',
  ])('withholds a value holding "; " whole: %s', (value) => {
    for (const message of [
      `Variable "$n" got invalid value ${value}; String cannot represent a non string value: 5`,
      `Variable "$n" got invalid value ${value} at "n.idNumber"; Expected type "String". String cannot represent a non string value: 5`,
    ]) {
      const out = redactErrorMessage(message);
      expect(out).not.toMatch(/13800138000|19750412|0312|jianguo|370811/);
      expect(out).toContain('got invalid value (withheld)');
      expect(out).toContain('String cannot represent a non string value');
    }
  });
});
