/** The pure rules of alert delivery: retry curve and dead letter, the callback allow-list, signing. */
import crypto from 'node:crypto';
import { afterFailure, callbackRefusal, DEFAULT_RETRY_SCHEDULE_MS, maxAttempts, signDelivery } from '../../domain/monitoring/delivery';
import { subscriptionMatches } from '../../domain/monitoring/subscriptions';

it('follows the Open Notificaties curve with a longer tail, then gives up', () => {
  const delays = Array.from({ length: maxAttempts(DEFAULT_RETRY_SCHEDULE_MS) - 1 }, (_, i) => afterFailure(i + 1, DEFAULT_RETRY_SCHEDULE_MS, 0));
  expect(delays.map((d) => (d.dead ? 'dead' : d.delayMs / 1000))).toEqual([3, 9, 21, 45, 93, 300, 900, 3600, 10800, 21600]);
  expect(afterFailure(11, DEFAULT_RETRY_SCHEDULE_MS, 0)).toEqual({ dead: true });
});

it('spreads a delay by at most the jitter fraction either way', () => {
  expect(afterFailure(1, [1000], 0.2, () => 0)).toEqual({ dead: false, delayMs: 800 });
  expect(afterFailure(1, [1000], 0.2, () => 0.999999)).toEqual({ dead: false, delayMs: 1200 });
  expect(afterFailure(2, [1000], 0.2, () => 0.5)).toEqual({ dead: true });
});

it('calls only hosts on the allow-list', () => {
  const hosts = ['127.0.0.1', 'alerts.rencheng.gov.cn:8443'];
  expect(callbackRefusal('http://127.0.0.1:9300/x', hosts)).toBeNull();
  expect(callbackRefusal('https://alerts.rencheng.gov.cn:8443/hook', hosts)).toBeNull();
  expect(callbackRefusal('https://alerts.rencheng.gov.cn/hook', hosts)).toBe('CALLBACK_HOST_NOT_ALLOWED');
  expect(callbackRefusal('http://127.0.0.2/x', hosts)).toBe('CALLBACK_HOST_NOT_ALLOWED');
  expect(callbackRefusal('http://127.0.0.1.evil.example/x', hosts)).toBe('CALLBACK_HOST_NOT_ALLOWED');
  expect(callbackRefusal('http://user:pw@127.0.0.1/x', hosts)).toBe('CALLBACK_URL_INVALID');
  expect(callbackRefusal('gopher://127.0.0.1/x', hosts)).toBe('CALLBACK_URL_INVALID');
  expect(callbackRefusal('not a url', hosts)).toBe('CALLBACK_URL_INVALID');
});

it('signs timestamp.body with HMAC-SHA256', () => {
  const body = '{"deliveryId":"d"}';
  expect(signDelivery('k', 1700000000, body)).toBe('sha256=' + crypto.createHmac('sha256', 'k').update(`1700000000.${body}`).digest('hex'));
  expect(signDelivery('k', 1700000001, body)).not.toBe(signDelivery('k', 1700000000, body));
});

it('matches a subscription by region prefix, grade and trigger', () => {
  const alert = { regionCode: '370811001201', grade: 'RED' as const, triggerId: 'T1' };
  expect(subscriptionMatches({ regionCodes: ['370811'], grades: [], triggerIds: [] }, alert)).toBe(true);
  expect(subscriptionMatches({ regionCodes: ['370812', '370811001'], grades: ['RED'], triggerIds: ['T1'] }, alert)).toBe(true);
  expect(subscriptionMatches({ regionCodes: ['370812'], grades: [], triggerIds: [] }, alert)).toBe(false);
  // A city's code covers its counties' (370811… lies in 济宁 370800), not only codes starting 370800.
  expect(subscriptionMatches({ regionCodes: ['370800'], grades: [], triggerIds: [] }, alert)).toBe(true);
  expect(subscriptionMatches({ regionCodes: ['371500'], grades: [], triggerIds: [] }, alert)).toBe(false);
  expect(subscriptionMatches({ regionCodes: ['370811'], grades: ['YELLOW'], triggerIds: [] }, alert)).toBe(false);
  expect(subscriptionMatches({ regionCodes: ['370811'], grades: [], triggerIds: ['T2'] }, alert)).toBe(false);
});
