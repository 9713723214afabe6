import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRuleSet, RuleSetError } from '../../domain/findings/rule-set';
import { loadRuleSet } from '../../rules/load';
import defaults from '../../rules/default.json';

const SOURCES = { defaults: 'default.json', override: 'local.json' };

function failure(fn: () => unknown): RuleSetError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RuleSetError) return err;
    throw err;
  }
  throw new Error('expected a RuleSetError');
}

describe('the default rule set', () => {
  it('has every rule of DOMAIN.md, each with a basis', () => {
    const rs = buildRuleSet(defaults, null, SOURCES);
    expect(rs.rules.map((r) => r.id)).toEqual(['X1', 'X2', 'X3', 'X4', 'X5', 'X6', 'X7', 'X8', 'X9', 'X10', 'X11', 'X12', 'X13', 'M1', 'M2', 'M3', 'M4', 'M5']);
    for (const r of rs.rules) {
      expect(r.enabled).toBe(true);
      expect(r.basis.length).toBeGreaterThan(10);
    }
  });
});

describe('a locality override', () => {
  it('switches a rule off, changes a window and a threshold, and adds a rule', () => {
    const rs = buildRuleSet(
      defaults,
      {
        name: '某县',
        rules: [
          { id: 'X6', enabled: false },
          { id: 'X5', windowMonths: 6 },
          { id: 'M4', when: [{ fact: 'OUT_OF_POCKET', windowMonths: 12, minFen: 600000 }] },
          { id: 'L1', kind: 'EXCLUSIVE_PROGRAMMES', severity: 'WARNING', scope: 'PERSON', title: '本地规则', basis: '县民政局 2026 年第 1 号', first: ['DIBAO'], second: ['DISABILITY_LIVING'] },
        ],
      },
      SOURCES,
    );
    const byId = new Map(rs.rules.map((r) => [r.id, r]));
    expect(byId.get('X6')?.enabled).toBe(false);
    expect(byId.get('X5')).toMatchObject({ windowMonths: 6, maxGrants: 1, sameCause: true });
    expect(byId.get('M4')).toMatchObject({ when: [{ minFen: 600000 }] });
    expect(byId.get('L1')).toMatchObject({ kind: 'EXCLUSIVE_PROGRAMMES', enabled: true });
    expect(rs.name).toContain('某县');
    expect(rs.digest).not.toBe(buildRuleSet(defaults, null, SOURCES).digest);
  });

  it.each([
    [{ id: 'X5', windowMonths: '12' }, 'X5', 'windowMonths'],
    [{ id: 'X5', windowMonth: 6 }, 'X5', 'windowMonth'],
    [{ id: 'X1', first: ['DIBAO', 'NO_SUCH'] }, 'X1', 'first[1]'],
    [{ id: 'X1', second: ['TEMP_AID'] }, 'X1', 'second[0]'],
    [{ id: 'M4', when: [{ fact: 'OUT_OF_POCKET', windowMonths: 12, minFen: -5 }] }, 'M4', 'when[0].minFen'],
    [{ id: 'M4', when: [{ fact: 'OUT_OF_POCKET', windowMonths: 12, minFen: 5, overFen: 5 }] }, 'M4', 'when[0].overFen'],
    [{ id: 'M4', when: [{ fact: 'OUT_OF_POCKET', windowMonths: 12 }] }, 'M4', 'when[0].overFen'],
    [{ id: 'M1', expected: { programmes: ['DISABILITY_NURSING'], within: { type: 'SOMETIME' } } }, 'M1', 'expected.within.type'],
    [{ id: 'L2', kind: 'REPEATED_GRANTS', severity: 'WARNING', scope: 'PERSON', title: 't', basis: 'b', programmes: ['TEMP_AID'], windowMonths: 12, maxGrants: 1, sameCause: true }, 'L2', 'secondAidExempt'],
    [{ id: 'L3', kind: 'NO_SUCH_KIND', title: 't' }, 'L3', 'kind'],
    // Patient-only aid is aid the rule adds up by stay: another programme there would never be read.
    [{ id: 'X7', patientOnly: ['PREMIUM_SUBSIDY'] }, 'X7', 'patientOnly'],
    // A school-stage rule names programmes bound to stages (domain/school-stages.ts): 金秋助学 is for any stage.
    [{ id: 'X13', programmes: ['NATIONAL_GRANT', 'UNION_AUTUMN_EDU'] }, 'X13', 'programmes[1]'],
  ])('refuses %j, naming the rule and the field', (entry, ruleId, field) => {
    const err = failure(() => buildRuleSet(defaults, { rules: [entry] }, SOURCES));
    expect({ ruleId: err.ruleId, field: err.field }).toEqual({ ruleId, field });
    expect(err.message).toContain(`rule ${ruleId}`);
    expect(err.message).toContain(field);
    expect(err.message).toContain('local.json');
  });

  it('refuses a rule id given twice', () => {
    const err = failure(() => buildRuleSet(defaults, { rules: [{ id: 'L1' }, { id: 'L1' }] }, SOURCES));
    expect({ ruleId: err.ruleId, field: err.field }).toEqual({ ruleId: 'L1', field: 'id' });
  });

  it('is read from the file AIDHUB_RULES_FILE names, and a broken file is refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-rules-'));
    try {
      const good = path.join(dir, 'good.json');
      fs.writeFileSync(good, JSON.stringify({ rules: [{ id: 'X8', graceMonths: 1 }] }));
      expect(loadRuleSet({ AIDHUB_RULES_FILE: good }).rules.find((r) => r.id === 'X8')).toMatchObject({ graceMonths: 1 });

      const broken = path.join(dir, 'broken.json');
      fs.writeFileSync(broken, '{ "rules": [ ');
      expect(failure(() => loadRuleSet({ AIDHUB_RULES_FILE: broken })).message).toContain('not valid JSON');
      expect(failure(() => loadRuleSet({ AIDHUB_RULES_FILE: path.join(dir, 'missing.json') })).message).toContain('cannot read');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
