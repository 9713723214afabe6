/**
 * The one place a subscription is created: checks shared by the GraphQL mutation and
 * `npm run subscriptions`. The callback's host must be on the allow-list, the subscriber must be
 * an API client that exists, and the regions must lie within that client's own region scope
 * (a push names a masked subject only, but the details it points to are read with the client's
 * own token: a push outside its scope would be a clue it could not follow).
 */
import type { HubQuery } from '../../db/cases/records';
import { insertSubscription, subscriberClient, type SubscriptionRecord } from '../../db/alert-delivery/store';
import { isDivisionCode } from '../../domain/division-code';
import { callbackRefusal, newSubscriptionSecret } from '../../domain/monitoring/delivery';
import { ALERT_GRADES, type AlertGrade } from '../../domain/monitoring/envelope';
import { regionCovers } from '../../domain/monitoring/subscriptions';

export type SubscriptionError = 'CALLBACK_URL_INVALID' | 'CALLBACK_HOST_NOT_ALLOWED' | 'CLIENT_NOT_FOUND' | 'REGION_INVALID' | 'REGION_OUTSIDE_CLIENT_SCOPE' | 'GRADE_INVALID' | 'TRIGGER_INVALID';

export interface SubscriptionInput {
  clientName: string;
  callbackUrl: string;
  regionCodes: string[];
  grades: string[];
  triggerIds: string[];
  createdBy: string;
}

export type SubscriptionCreated = { ok: true; subscription: SubscriptionRecord; secret: string } | { ok: false; code: SubscriptionError; field: string; message: string };

const TRIGGER_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export async function createSubscription(db: HubQuery, callbackHosts: readonly string[], input: SubscriptionInput): Promise<SubscriptionCreated> {
  const refusal = callbackRefusal(input.callbackUrl, callbackHosts);
  if (refusal === 'CALLBACK_URL_INVALID') return { ok: false, code: refusal, field: 'callbackUrl', message: 'the callback must be an http(s) URL without credentials or fragment' };
  if (refusal) return { ok: false, code: refusal, field: 'callbackUrl', message: 'the callback host is not on the allow-list (AIDHUB_CALLBACK_HOSTS)' };
  const client = await subscriberClient(db, input.clientName);
  if (!client) return { ok: false, code: 'CLIENT_NOT_FOUND', field: 'client', message: 'no active API client has this name' };
  const regions = [...new Set(input.regionCodes)];
  if (regions.length === 0 || regions.some((r) => !isDivisionCode(r))) return { ok: false, code: 'REGION_INVALID', field: 'regionCodes', message: 'one or more division codes of 6, 9 or 12 digits' };
  if (regions.some((r) => !regionCovers(client.regionScope, r))) return { ok: false, code: 'REGION_OUTSIDE_CLIENT_SCOPE', field: 'regionCodes', message: 'every region must lie within the client’s own region scope' };
  const grades = [...new Set(input.grades)];
  if (grades.some((g) => !(ALERT_GRADES as readonly string[]).includes(g))) return { ok: false, code: 'GRADE_INVALID', field: 'grades', message: `grades are ${ALERT_GRADES.join(', ')}` };
  const triggerIds = [...new Set(input.triggerIds)];
  if (triggerIds.some((t) => !TRIGGER_ID.test(t))) return { ok: false, code: 'TRIGGER_INVALID', field: 'triggerIds', message: 'trigger ids are letters, digits, ".", "_" or "-"' };
  const secret = newSubscriptionSecret();
  const subscription = await insertSubscription(db, { clientId: input.clientName, callbackUrl: input.callbackUrl, regionCodes: regions, grades: grades as AlertGrade[], triggerIds, secret, createdBy: input.createdBy });
  return { ok: true, subscription, secret };
}
