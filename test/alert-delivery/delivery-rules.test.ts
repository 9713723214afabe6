/** The pure rules of alert delivery: retry curve and dead letter, the callback allow-list, signing, the body sent. */
import crypto from 'node:crypto';
import { afterFailure, callbackAddressRefusal, callbackHostEntry, callbackRefusal, DEFAULT_RETRY_SCHEDULE_MS, delayHonouringRetryAfter, endsAttempts, maxAttempts, retryAfterMs, signDelivery } from '../../domain/monitoring/delivery';
import { subscriptionMatches } from '../../domain/monitoring/subscriptions';
import { alertDeliveryJson, pushedPayload } from '../../domain/monitoring/envelope';

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

it('ends a push’s attempts on 410 Gone alone, not on other refusals or failures', () => {
  expect([404, 410, 429, 500, 503].filter(endsAttempts)).toEqual([410]);
});

it('reads Retry-After as delay-seconds or any of the three HTTP-date forms, and nothing else', () => {
  const now = new Date('1994-11-06T08:49:00Z');
  expect(retryAfterMs('120', now)).toBe(120_000);
  expect(retryAfterMs(' 0 ', now)).toBe(0);
  expect(retryAfterMs('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(37_000);
  expect(retryAfterMs('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(37_000);
  expect(retryAfterMs('Sun Nov  6 08:49:37 1994', now)).toBe(37_000);
  // A date already past: due now, by the schedule.
  expect(retryAfterMs('Sat, 05 Nov 1994 08:49:37 GMT', now)).toBe(0);
  for (const unreadable of [undefined, '', 'soon', '-5', '1.5', '120, 60', '1e3', '2026-12-06T10:00:00Z', 'Sun, 06 Nov 1994 08:49:37 +0800', '9'.repeat(13)]) {
    expect(retryAfterMs(unreadable, now)).toBeNull();
  }
});

it('waits for the receiver’s Retry-After when longer than the schedule’s delay, never past the schedule’s longest', () => {
  expect(delayHonouringRetryAfter(3_000, null, DEFAULT_RETRY_SCHEDULE_MS)).toBe(3_000);
  expect(delayHonouringRetryAfter(3_000, 1_000, DEFAULT_RETRY_SCHEDULE_MS)).toBe(3_000);
  expect(delayHonouringRetryAfter(3_000, 600_000, DEFAULT_RETRY_SCHEDULE_MS)).toBe(600_000);
  expect(delayHonouringRetryAfter(3_000, 30 * 86_400_000, DEFAULT_RETRY_SCHEDULE_MS)).toBe(6 * 3_600_000);
});

it('calls only hosts on the allow-list', () => {
  const hosts = ['127.0.0.1:*', 'alerts.rencheng.gov.cn:8443'];
  expect(callbackRefusal('http://127.0.0.1:9300/x', hosts)).toBeNull();
  expect(callbackRefusal('https://alerts.rencheng.gov.cn:8443/hook', hosts)).toBeNull();
  expect(callbackRefusal('https://alerts.rencheng.gov.cn/hook', hosts)).toBe('CALLBACK_HOST_NOT_ALLOWED');
  expect(callbackRefusal('http://127.0.0.2/x', hosts)).toBe('CALLBACK_HOST_NOT_ALLOWED');
  expect(callbackRefusal('http://127.0.0.1.evil.example/x', hosts)).toBe('CALLBACK_HOST_NOT_ALLOWED');
  expect(callbackRefusal('http://user:pw@127.0.0.1/x', hosts)).toBe('CALLBACK_URL_INVALID');
  expect(callbackRefusal('gopher://127.0.0.1/x', hosts)).toBe('CALLBACK_URL_INVALID');
  expect(callbackRefusal('not a url', hosts)).toBe('CALLBACK_URL_INVALID');
});

it('refuses a name resolved to a link-local, metadata or unspecified address unless the allow-list names that address at that port', () => {
  const hosts = ['alerts.rencheng.gov.cn:*', '169.254.10.5:8080', '[fe80::5]:*'];
  const url = 'http://alerts.rencheng.gov.cn:8080/hook';
  const classes = (addresses: string[], at = url) => addresses.map((a) => [a, callbackAddressRefusal(a, at, hosts)]);
  // What a listed name may resolve to: loopback, private ranges, public, CGNAT other than the metadata address.
  for (const [a, kind] of classes(['127.0.0.1', '::1', '10.20.0.7', '172.16.0.1', '192.168.1.1', '8.8.8.8', '100.64.0.1', 'fd00::1', '2001:db8::1'])) expect([a, kind]).toEqual([a, null]);
  expect(classes(['169.254.169.254', '169.254.0.23', '169.254.255.255', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', 'fe80::1', 'febf::1', '100.100.100.200', '::ffff:100.100.100.200', 'fd00:ec2::254', '0.0.0.0', '0.1.2.3', '::', '::ffff:0.0.0.0', 'not-an-address'])).toEqual([
    ['169.254.169.254', 'LINK_LOCAL'],
    ['169.254.0.23', 'LINK_LOCAL'],
    ['169.254.255.255', 'LINK_LOCAL'],
    ['::ffff:169.254.169.254', 'LINK_LOCAL'],
    ['::ffff:a9fe:a9fe', 'LINK_LOCAL'],
    ['fe80::1', 'LINK_LOCAL'],
    ['febf::1', 'LINK_LOCAL'],
    ['100.100.100.200', 'METADATA'],
    ['::ffff:100.100.100.200', 'METADATA'],
    ['fd00:ec2::254', 'METADATA'],
    ['0.0.0.0', 'UNSPECIFIED'],
    ['0.1.2.3', 'UNSPECIFIED'],
    ['::', 'UNSPECIFIED'],
    ['::ffff:0.0.0.0', 'UNSPECIFIED'],
    ['not-an-address', 'UNSPECIFIED'],
  ]);
  // fec0:: is past fe80::/10.
  expect(callbackAddressRefusal('fec0::1', url, hosts)).toBeNull();
  // Listed literally, at the callback's port: an operator's receiver there is reached.
  expect(callbackAddressRefusal('169.254.10.5', url, hosts)).toBeNull();
  expect(callbackAddressRefusal('fe80::5', url, hosts)).toBeNull();
  expect(callbackAddressRefusal('169.254.10.5', 'http://alerts.rencheng.gov.cn:9090/hook', hosts)).toBe('LINK_LOCAL');
  expect(callbackAddressRefusal('169.254.10.6', url, hosts)).toBe('LINK_LOCAL');
});

it('refuses those addresses in every other form a resolver may answer them: IPv4-compatible, NAT64, with a zone id', () => {
  // Each had been null: the IPv4 ranges were matched in their IPv4 and IPv4-mapped forms only, and an
  // address with a zone id was compared with the allow-list as the callback's own (listed) name.
  const hosts = ['alerts.rencheng.gov.cn:*', '[fe80::5]:8080', '[64:ff9b::a9fe:a9fe]:8080'];
  const url = 'http://alerts.rencheng.gov.cn:8080/hook';
  const classes = (addresses: string[]) => addresses.map((a) => [a, callbackAddressRefusal(a, url, hosts)]);
  expect(classes(['::169.254.169.254', '::a9fe:a9fe', '64:ff9b::169.254.0.23', '64:ff9b::a9fe:17', 'fe80::1%eth0', 'fe80::1%25eth0', 'FE80::1%2', '64:ff9b::100.100.100.200', '::100.100.100.200', 'fd00:ec2:0::254', '64:ff9b::0.0.0.0', '64:ff9b::0.1.2.3'])).toEqual([
    ['::169.254.169.254', 'LINK_LOCAL'],
    ['::a9fe:a9fe', 'LINK_LOCAL'],
    ['64:ff9b::169.254.0.23', 'LINK_LOCAL'],
    ['64:ff9b::a9fe:17', 'LINK_LOCAL'],
    ['fe80::1%eth0', 'LINK_LOCAL'],
    ['fe80::1%25eth0', 'LINK_LOCAL'],
    ['FE80::1%2', 'LINK_LOCAL'],
    ['64:ff9b::100.100.100.200', 'METADATA'],
    ['::100.100.100.200', 'METADATA'],
    ['fd00:ec2:0::254', 'METADATA'],
    ['64:ff9b::0.0.0.0', 'UNSPECIFIED'],
    ['64:ff9b::0.1.2.3', 'UNSPECIFIED'],
  ]);
  // Still reached through a listed name: IPv6 loopback (it lies in ::/104, the compatible form of
  // 0.0.0.0/8, which is not refused for that reason), private and loopback ranges in each form.
  for (const [a, kind] of classes(['::1', '::ffff:127.0.0.1', '::ffff:10.20.0.7', '64:ff9b::10.20.0.7', '64:ff9b::8.8.8.8', '::10.20.0.7', 'fd00::1'])) expect([a, kind]).toEqual([a, null]);
  // Listed literally, the zone id aside, in any written form of that address: admitted at its port.
  expect(callbackAddressRefusal('fe80::5%eth0', url, hosts)).toBeNull();
  expect(callbackAddressRefusal('64:ff9b::169.254.169.254', url, hosts)).toBeNull();
  expect(callbackAddressRefusal('64:ff9b::169.254.169.254', 'http://alerts.rencheng.gov.cn:9090/hook', hosts)).toBe('LINK_LOCAL');
  expect(callbackAddressRefusal('fe80::5%eth0', 'http://alerts.rencheng.gov.cn:9090/hook', hosts)).toBe('LINK_LOCAL');
});

it('refuses those IPv4 ranges in the forms a relay or gateway reads them out of: 6to4, Teredo, NAT64’s local-use prefix', () => {
  // Each had been null: 6to4 (2002::/16, the IPv4 address in bits 16–47), Teredo (2001::/32, the
  // server's IPv4 address in bits 32–63, the client's inverted in the last 32) and the NAT64
  // local-use prefix (64:ff9b:1::/48, RFC 6052's /48 embedding around the reserved octet) reached the
  // refused IPv4 address through a relay or gateway.
  const hosts = ['alerts.rencheng.gov.cn:*', '[2002:a9fe:a9fe::1]:8080'];
  const url = 'http://alerts.rencheng.gov.cn:8080/hook';
  const classes = (addresses: string[]) => addresses.map((a) => [a, callbackAddressRefusal(a, url, hosts)]);
  expect(
    classes([
      '2002:a9fe:a9fe::2',
      '2002:a9fe:17:1234:5678::9',
      '2002:6464:64c8::1',
      '2002::1',
      '2002:1:2::',
      '2001:0:4136:e378:8000:63bf:5601:5601',
      '2001:0:a9fe:a9fe:8000:63bf:3fff:fdd2',
      '2001:0:4136:e378:8000:63bf:9b9b:9b37',
      '2001:0:4136:e378::ffff:ffff',
      '64:ff9b:1:a9fe:a9:fe00::',
      '64:ff9b:1:a9fe:ffa9:fe00::1',
      '64:ff9b:1:a9fe:17::',
      '64:ff9b:1:6464:64:c800::',
      '64:ff9b:1::',
      '64:ff9b:1:1:2:300::',
    ]),
  ).toEqual([
    ['2002:a9fe:a9fe::2', 'LINK_LOCAL'],
    ['2002:a9fe:17:1234:5678::9', 'LINK_LOCAL'],
    ['2002:6464:64c8::1', 'METADATA'],
    ['2002::1', 'UNSPECIFIED'],
    ['2002:1:2::', 'UNSPECIFIED'],
    // Teredo: the client 169.254.169.254 (a9fe:a9fe inverted), the server 169.254.169.254, the client 100.100.100.200, the client 0.0.0.0.
    ['2001:0:4136:e378:8000:63bf:5601:5601', 'LINK_LOCAL'],
    ['2001:0:a9fe:a9fe:8000:63bf:3fff:fdd2', 'LINK_LOCAL'],
    ['2001:0:4136:e378:8000:63bf:9b9b:9b37', 'METADATA'],
    ['2001:0:4136:e378::ffff:ffff', 'UNSPECIFIED'],
    // NAT64 at /48: 169.254.169.254 with the reserved octet zero and not, 169.254.0.23, 100.100.100.200, 0.0.0.0, 0.1.2.3.
    ['64:ff9b:1:a9fe:a9:fe00::', 'LINK_LOCAL'],
    ['64:ff9b:1:a9fe:ffa9:fe00::1', 'LINK_LOCAL'],
    ['64:ff9b:1:a9fe:17::', 'LINK_LOCAL'],
    ['64:ff9b:1:6464:64:c800::', 'METADATA'],
    ['64:ff9b:1::', 'UNSPECIFIED'],
    ['64:ff9b:1:1:2:300::', 'UNSPECIFIED'],
  ]);
  // Still reached through a listed name: private, loopback and public addresses in each of these forms
  // (10.20.0.7, 127.0.0.1, 8.8.8.8; a Teredo client 10.0.0.1 and 192.0.2.45 behind server 65.54.227.120),
  // the rest of 64:ff9b:1::/48's neighbours, and addresses that only look alike.
  for (const [a, kind] of classes([
    '2002:a14:7::1',
    '2002:7f00:1::1',
    '2002:808:808::1',
    '2001:0:4136:e378:8000:63bf:f5ff:fffe',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    '2001:0:a14:7:8000:63bf:3fff:fdd2',
    '64:ff9b:1:a14:7::',
    '64:ff9b:1:7f00:1::',
    '64:ff9b:2:a9fe:a9:fe00::',
    '2001:db8:a9fe:a9fe::1',
    '2003:a9fe:a9fe::1',
    '::1',
  ]))
    expect([a, kind]).toEqual([a, null]);
  // Listed literally: admitted at its port, refused at another.
  expect(callbackAddressRefusal('2002:a9fe:a9fe::1', url, hosts)).toBeNull();
  expect(callbackAddressRefusal('2002:a9fe:a9fe:0::1', url, hosts)).toBeNull();
  expect(callbackAddressRefusal('2002:a9fe:a9fe::1', 'http://alerts.rencheng.gov.cn:9090/hook', hosts)).toBe('LINK_LOCAL');
});

it('admits a bare host at its scheme’s own port only: another port is named, or every port with *', () => {
  // A bare host admitted any port: a push could be aimed at the allowed host's database or SSH port,
  // and its lastError (ECONNREFUSED or not) told whether the port answered.
  const hosts = ['10.20.0.7', 'alerts.rencheng.gov.cn', 'receiver.example:8443', '127.0.0.1:*'];
  expect(callbackRefusal('http://10.20.0.7/hook', hosts)).toBeNull();
  expect(callbackRefusal('http://10.20.0.7:80/hook', hosts)).toBeNull();
  expect(callbackRefusal('https://alerts.rencheng.gov.cn/hook', hosts)).toBeNull();
  for (const url of ['http://10.20.0.7:3306/', 'http://10.20.0.7:22/', 'http://10.20.0.7:443/', 'https://alerts.rencheng.gov.cn:6379/', 'http://alerts.rencheng.gov.cn:8080/', 'https://receiver.example/', 'https://receiver.example:8444/'])
    expect([url, callbackRefusal(url, hosts)]).toEqual([url, 'CALLBACK_HOST_NOT_ALLOWED']);
  expect(callbackRefusal('https://receiver.example:8443/hook', hosts)).toBeNull();
  expect(callbackRefusal('http://127.0.0.1:6379/', hosts)).toBeNull();
});

it('reads an address in decimal, octal or hex as the address it reaches: another one is refused, the allowed one is the allowed one', () => {
  const hosts = ['10.20.0.7', 'alerts.rencheng.gov.cn'];
  // 169.254.169.254 (the metadata service), 127.0.0.1 and 10.20.0.8 in other notations: none is on the list.
  for (const url of ['http://2852039166/', 'http://0xa9fea9fe/', 'http://0251.0376.0251.0376/', 'http://169.254.43518/', 'http://2130706433/', 'http://0x7f.1/', 'http://017700000001/', 'http://127.1/', 'http://0xa.0x14.0.8/', 'http://[::ffff:10.20.0.7]/', 'http://[::ffff:a14:7]/', 'http://10.20.0.7.nip.io/', 'http://alerts.rencheng.gov.cn.evil.example/', 'http://alerts.rencheng.gov.cn./', 'http://evil.example\\@alerts.rencheng.gov.cn/'])
    expect([url, callbackRefusal(url, hosts)]).toEqual([url, expect.stringMatching(/^CALLBACK_(HOST_NOT_ALLOWED|URL_INVALID)$/)]);
  // The allowed address written otherwise is the allowed address: the hub calls exactly it.
  for (const url of ['http://169082887/', 'http://0xa.0x14.0.7/', 'http://012.024.0.07/', 'http://10.20.7/', 'http://ALERTS.rencheng.gov.cn/']) expect([url, callbackRefusal(url, hosts)]).toEqual([url, null]);
});

it('compares an allow-list entry as the URL parser reads it, and says when that is not what it says', () => {
  expect(callbackHostEntry('10.20.0.7')).toEqual({ host: '10.20.0.7', port: null, written: true });
  expect(callbackHostEntry('[::1]:9300')).toEqual({ host: '::1', port: '9300', written: true });
  expect(callbackHostEntry('::1')).toEqual({ host: '::1', port: null, written: true });
  expect(callbackHostEntry('127.0.0.1:*')).toEqual({ host: '127.0.0.1', port: '*', written: true });
  // 010 is octal to the URL parser: 8.20.0.7, not the 10.20.0.7 an administrator meant.
  expect(callbackHostEntry('010.20.0.7')).toEqual({ host: '8.20.0.7', port: null, written: false });
  expect(callbackHostEntry('2130706433:9300')).toEqual({ host: '127.0.0.1', port: '9300', written: false });
  expect(callbackHostEntry('http://x/')).toBeNull();
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

/** A stored body's order as the worker reads it from its row (its queuing time and id). */
const ROW = { occurredAt: '2026-03-16T02:00:00.000Z', sequence: 41 };

it('sends a stored body with the alert’s decision day now, touching nothing else, and the stored text itself when the day is already its', () => {
  const body = { deliveryId: 'd-1', event: 'ALERT_OPENED', alert: { id: '7', trigger: 'T4_JOB_LOSS', grade: 'YELLOW', region: '370811001201', maskedSubject: '王*', verifyBy: '2026-03-30', provisional: false } };
  // Queued before decideBy and the order existed: each added, last (the order from the row).
  expect(pushedPayload(JSON.stringify(body), ROW, '2026-03-31')).toBe(JSON.stringify({ ...body, alert: { ...body.alert, decideBy: '2026-03-31' }, ...ROW }));
  // Queued with another day: replaced where it is; the order it was queued with stays.
  const older = alertDeliveryJson('d-2', { alertId: '7', triggerId: 'T4_JOB_LOSS', grade: 'YELLOW', regionCode: '370811001201', maskedSubject: '王*', verifyBy: '2026-03-30', decideBy: '2026-03-30', provisional: false, event: 'ALERT_OPENED', occurredAt: '2026-03-16T01:59:59.500Z' }, 7);
  expect(pushedPayload(older, ROW, '2026-03-31')).toBe(older.replace('"decideBy":"2026-03-30"', '"decideBy":"2026-03-31"'));
  // The day already the alert's: the very text stored (its bytes are what is signed).
  const spaced = JSON.stringify(JSON.parse(older), null, 1);
  expect(pushedPayload(spaced, ROW, '2026-03-30')).toBe(spaced);
  // A slip's reminder (no alert): its order only, when it has none.
  expect(pushedPayload('{"deliveryId":"d-5","event":"REFERRAL_OVERDUE","referral":{"id":"41"}}', ROW)).toBe(JSON.stringify({ deliveryId: 'd-5', event: 'REFERRAL_OVERDUE', referral: { id: '41' }, ...ROW }));
  // Not a push body (a synthetic row): as it is.
  for (const raw of ['not json', '{"x":1}', '{"alert":null}', 'null']) expect(pushedPayload(raw, ROW, '2026-03-31')).toBe(raw);
});

it('puts a corrected decision day’s reason after the alert, on that push alone, and keeps it there when the day moves again; the order last', () => {
  const envelope = { alertId: '7', triggerId: 'T4_JOB_LOSS', grade: 'YELLOW', regionCode: '370811001201', maskedSubject: '王*', verifyBy: '2026-03-30', decideBy: '2026-03-31', provisional: false, event: 'ALERT_RAISED', occurredAt: '2026-03-16T02:00:00.000Z' } as const;
  expect(Object.keys(JSON.parse(alertDeliveryJson('d-3', envelope, 1)))).toEqual(['deliveryId', 'event', 'alert', 'occurredAt', 'sequence']);
  const corrected = alertDeliveryJson('d-4', { ...envelope, reason: 'DECIDE_BY_CORRECTED' }, 2);
  expect(JSON.parse(corrected)).toEqual({ ...JSON.parse(alertDeliveryJson('d-4', envelope, 2)), reason: 'DECIDE_BY_CORRECTED' });
  expect(Object.keys(JSON.parse(corrected))).toEqual(['deliveryId', 'event', 'alert', 'reason', 'occurredAt', 'sequence']);
  expect(pushedPayload(corrected, ROW, '2026-04-01')).toBe(corrected.replace('"decideBy":"2026-03-31"', '"decideBy":"2026-04-01"'));
});
