/** 司法's means-check exemption question (schema/legal-aid.graphql): one person, civil affairs' loaders, a pure judgement. */
import { requireIdNumber } from '../../access/errors';
import { MEANS_CHECK_SOURCES, socialAssistanceStanding } from '../../domain/legal-aid';
import { PROGRAMME_BY_CODE } from '../../domain/programmes';
import { aidForPeople } from '../../federation/loaders';
import type { Resolvers } from '../__generated__/types';
import { departmentOf } from '../common';

/** What the audit row of an ask keeps of its answer: `2026-03-15 recipient=true DIBAO`, `… recipient=null unavailable=CIVIL_AFFAIRS`. */
function disclosure(asOf: string, recipient: boolean | null, programmes: readonly string[], unavailable: readonly string[]): string {
  return [`${asOf} recipient=${recipient}`, ...programmes, ...(unavailable.length > 0 ? [`unavailable=${unavailable.join(',')}`] : [])].join(' ');
}

export const legalAidResolvers: Resolvers = {
  Query: {
    socialAssistanceStanding: async (_, args, ctx) => {
      const idNumber = requireIdNumber(args.idNumber);
      // A day after today is read as the records stand today: their status is today's (the adapters derive it from today).
      const asOf = args.asOf ?? ctx.today;
      // Only the departments holding the exempting programmes are read, through the request's loaders.
      const { records, outcomes } = await aidForPeople(ctx.loaders.departments, [idNumber], MEANS_CHECK_SOURCES);
      const unavailable = outcomes.filter((o) => !o.available).map((o) => o.department);
      const standing = socialAssistanceStanding(records, asOf, unavailable.length === 0);
      // The answer is a verdict about the person: the audit row says what was given out (access_log.disclosed).
      ctx.access.disclose({ kind: 'PERSON', idNumber }, disclosure(asOf, standing.recipient, standing.programmes, unavailable));
      return {
        asOf,
        recipient: standing.recipient,
        programmes: standing.programmes.map((code) => PROGRAMME_BY_CODE.get(code)!),
        complete: unavailable.length === 0,
        unavailable: unavailable.map(departmentOf),
      };
    },
  },
};
