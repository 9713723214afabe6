/**
 * The one household query all three variants answer: a full household, every field an officer's
 * screen would show. The floor (bench/floor.ts) builds exactly this shape by hand, so a field
 * added here must be added there too, or the pre-run comparison aborts the bench.
 */
export const HOUSEHOLD_QUERY = /* GraphQL */ `
  query BenchHousehold($id: ID!) {
    household(id: $id) {
      id
      registrationNumber
      address
      region { code name level }
      members {
        relation
        joinedOn
        person { idNumber name gender birthDate deathDate age }
      }
      aid {
        department { code name }
        programme { code name kind purpose }
        beneficiary { idNumber name }
        period { start end }
        grantDate
        amountFen
        status
        sourceReference
        sourceHouseholdReference
        cause
        urgent
        secondAid
        schoolYear
      }
      aidSummary {
        from
        to
        totalFen
        monthlyRecurringFen
        complete
        byDepartment { department { code } totalFen recordCount }
        byPurpose { purpose totalFen recordCount }
      }
      sources { department { code name } available latencyMs reason }
    }
  }
`;

/** The result shape, as far as the bench reads it. */
export interface HouseholdResult {
  id: string;
  members: { relation: string; joinedOn: string; person: { idNumber: string; birthDate: string } }[];
  aid: { amountFen: number; department: { code: string } }[];
  aidSummary: { totalFen: number; byPurpose: { purpose: string }[] };
  sources: { department: { code: string }; available: boolean; latencyMs: number }[];
}
