/**
 * What `npm start` says of its demo clients is read from the list it creates (it said "one per
 * department, a township officer, an auditor" beside county offices, an administrator and a
 * charity's clients), and the README's Quick start says the same words. Pure: no server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEMO_CLIENTS, demoClientsSummary } from '../access/demo-clients';
import { REGION_BY_CODE } from '../domain/regions';

describe('demoClientsSummary', () => {
  const summary = demoClientsSummary();

  it('names every county with offices of its own, and the administrator and charity the demo creates', () => {
    const counties = DEMO_CLIENTS.map((c) => REGION_BY_CODE.get(c.regionScope)).filter((r) => r?.level === 'COUNTY');
    expect(counties.length).toBeGreaterThan(0);
    for (const county of counties) expect(summary).toContain(county!.name);
    expect(summary).toContain('a township officer');
    expect(summary).toContain('an auditor');
    expect(summary).toContain('an administrator');
    expect(summary).toContain('a charity');
  });

  it('leaves out what a list does not hold', () => {
    const townshipOnly = DEMO_CLIENTS.filter((c) => c.variable === 'AIDHUB_TOKEN_TOWNSHIP');
    expect(demoClientsSummary(townshipOnly)).toBe('one per department city-wide, a township officer');
  });

  it('is what the README says npm start creates', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(`creates demo API clients (${summary})`);
  });
});
