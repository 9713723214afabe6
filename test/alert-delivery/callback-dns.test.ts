/**
 * A callback whose host is given by name is pushed to only at an address checked as the connection
 * is made: the worker resolves the name in the request's `lookup` and refuses a link-local, cloud
 * metadata or unspecified address (CALLBACK_ADDRESS_NOT_ALLOWED), so a listed name rebound to
 * 169.254.169.254 between two pushes gets no connection. It had been allowed on its name as
 * written, and connected to wherever the name resolved. A real receiver on 127.0.0.1 reached
 * through a name that a resolver in this process answers (the worker's lookup, for tests only),
 * a worker in this process against a real database; every connection attempt the process makes is
 * seen through Node's own `net.client.socket` channel and the socket's `connectionAttempt`. An https
 * callback shares the lookup: a real TLS receiver with a certificate made for the name by `openssl`
 * (self-signed, in a temporary directory) counts the connections it accepts, since Node reports no
 * `connectionAttempt` of a TLS socket. The worker is given no CA to trust here (AIDHUB_CALLBACK_CA_FILE:
 * test/alert-delivery/callback-ca.test.ts), so the push to it fails at the handshake: that it got
 * there, to the address checked, and that the certificate was checked against the name, is what the
 * test sees.
 */
import { execFileSync } from 'node:child_process';
import dc from 'node:diagnostics_channel';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo, LookupFunction, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import type { AlertDeliveryConfig } from '../../db/config';
import { createSubscription } from '../../resolvers/alert-delivery/subscriptions';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { startAlertReceiver } from '../support/alert-receiver';
import { raise, revokeActiveSubscriptions, syntheticAlert, TOWNSHIP, workerTestBed } from './scenario';

const bed = workerTestBed('alert_callback_dns');
const NAME = 'alerts.rencheng.test';
const HOSTS = [`${NAME}:*`];

/** Where this process tried to connect (address and port), as Node reports each attempt; the test's database connections left out. */
const attempts: string[] = [];
let receiverPort = 0;
const onSocket = ({ socket }: { socket: Socket }) => socket.on('connectionAttempt', (ip: string, port: number) => port === receiverPort && attempts.push(`${ip}:${port}`));
beforeAll(() => dc.subscribe('net.client.socket', onSocket as (m: unknown) => void));
afterAll(() => dc.unsubscribe('net.client.socket', onSocket as (m: unknown) => void));
afterEach(() => revokeActiveSubscriptions(bed.dbs.hub), 60_000);

/** A resolver of NAME that gives each answer in turn (the last one again once they run out), and records what it gave. */
function resolverOf(answers: string[][]): { lookup: LookupFunction; given: string[][] } {
  const given: string[][] = [];
  const lookup: LookupFunction = (hostname, options, callback) => {
    if (hostname !== NAME) return callback(Object.assign(new Error(`unknown ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    given.push(answer);
    const all = answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (options.all) callback(null, all);
    else callback(null, all[0].address, all[0].family);
  };
  return { lookup, given };
}

const config: AlertDeliveryConfig = { pollMs: 100, retryScheduleMs: [0], retryJitter: 0, httpTimeoutMs: 10_000, batchSize: 50, concurrency: 1, callbackHosts: HOSTS };

async function namedSubscription() {
  const receiver = await startAlertReceiver();
  bed.receivers.push(receiver);
  receiverPort = receiver.port;
  attempts.splice(0);
  const made = await createSubscription(bed.dbs.hub, HOSTS, { clientName: 'rencheng-alerts', callbackUrl: `http://${NAME}:${receiver.port}/alerts`, regionCodes: [TOWNSHIP], grades: [], triggerIds: [], createdBy: 'test-admin' });
  if (!made.ok) throw new Error(`subscription refused: ${made.code}`);
  receiver.setSecret(made.secret);
  return receiver;
}

it('connects to the address the name resolves to as it connects, and to none that is link-local, even when the name was fine at the push before', async () => {
  const receiver = await namedSubscription();
  // The name answers 127.0.0.1 first, then (rebound) the metadata address, then an IPv4-mapped form of it.
  const { lookup, given } = resolverOf([['127.0.0.1'], ['169.254.169.254'], ['::ffff:169.254.169.254']]);
  // One worker per round: each round's connection is a new one (no pooled socket to the first address).
  const round = async () => {
    const worker = new AlertDeliveryWorker(bed.dbs.hub, bed.audit, config, pino({ level: 'silent' }), Math.random, lookup);
    try {
      return await worker.runOnce();
    } finally {
      await worker.stop();
    }
  };

  const first = syntheticAlert();
  await raise(bed.dbs.hub, first);
  expect(await round()).toMatchObject({ claimed: 1, delivered: 1 });
  expect(receiver.acknowledged().map((p) => p.body.alert.id)).toEqual([first.alertId]);
  expect(attempts).toEqual([`127.0.0.1:${receiver.port}`]);

  // Rebound: the push is refused at its connection, with no attempt to connect anywhere, and retried.
  const second = syntheticAlert();
  await raise(bed.dbs.hub, second);
  expect(await round()).toMatchObject({ claimed: 1, delivered: 0, retried: 1 });
  expect((await deliveriesOfAlert(bed.dbs.hub, second.alertId))[0]).toMatchObject({ state: 'PENDING', attempts: 1, lastStatus: null, lastError: expect.stringMatching(/^CALLBACK_ADDRESS_NOT_ALLOWED \(LINK_LOCAL\): /) });
  // Its retry meets the IPv4-mapped form: refused the same, and then a dead letter (the schedule's last attempt).
  expect(await round()).toMatchObject({ claimed: 1, delivered: 0, dead: 1 });
  expect((await deliveriesOfAlert(bed.dbs.hub, second.alertId))[0]).toMatchObject({ state: 'DEAD', attempts: 2, lastError: expect.stringMatching(/^CALLBACK_ADDRESS_NOT_ALLOWED \(LINK_LOCAL\): /) });
  // The lastError names the class of address, not the address.
  expect((await deliveriesOfAlert(bed.dbs.hub, second.alertId))[0].lastError).not.toMatch(/169\.254|a9fe/);

  expect(given).toEqual([['127.0.0.1'], ['169.254.169.254'], ['::ffff:169.254.169.254']]);
  expect(attempts).toEqual([`127.0.0.1:${receiver.port}`]);
  expect(receiver.pushes.map((p) => p.body.alert.id)).toEqual([first.alertId]);
}, 120_000);

it('refuses a name one of whose addresses is the metadata one, and reaches a listed name on a private or loopback address', async () => {
  const receiver = await namedSubscription();
  const { lookup } = resolverOf([['127.0.0.1', '100.100.100.200'], ['127.0.0.1']]);
  const worker = new AlertDeliveryWorker(bed.dbs.hub, bed.audit, config, pino({ level: 'silent' }), Math.random, lookup);
  try {
    const alert = syntheticAlert();
    await raise(bed.dbs.hub, alert);
    expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 0, retried: 1 });
    expect((await deliveriesOfAlert(bed.dbs.hub, alert.alertId))[0].lastError).toMatch(/^CALLBACK_ADDRESS_NOT_ALLOWED \(METADATA\): /);
    expect(attempts).toEqual([]);
    // The name answers loopback alone now: the retry is sent there.
    expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(attempts).toEqual([`127.0.0.1:${receiver.port}`]);
    expect(receiver.acknowledged().map((p) => [p.body.alert.id, p.attempt])).toEqual([[alert.alertId, 2]]);
  } finally {
    await worker.stop();
  }
}, 120_000);

it('gets no connection for a name resolving to a refused IPv4 address in its 6to4, Teredo or NAT64 local-use form, and reaches loopback after', async () => {
  const receiver = await namedSubscription();
  // 169.254.169.254 through a 6to4 relay, a Teredo relay (the client's address, inverted) and a NAT64
  // gateway of the local-use prefix; 100.100.100.200 through 6to4; then loopback.
  const relayed = ['2002:a9fe:a9fe::1', '2001:0:4136:e378:8000:63bf:5601:5601', '64:ff9b:1:a9fe:a9:fe00::', '2002:6464:64c8::1'];
  const { lookup, given } = resolverOf([...relayed.map((a) => [a]), ['127.0.0.1']]);
  const worker = new AlertDeliveryWorker(bed.dbs.hub, bed.audit, { ...config, retryScheduleMs: [0, 0, 0, 0] }, pino({ level: 'silent' }), Math.random, lookup);
  try {
    const alert = syntheticAlert();
    await raise(bed.dbs.hub, alert);
    for (const kind of ['LINK_LOCAL', 'LINK_LOCAL', 'LINK_LOCAL', 'METADATA']) {
      expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 0, retried: 1 });
      expect((await deliveriesOfAlert(bed.dbs.hub, alert.alertId))[0]).toMatchObject({ state: 'PENDING', lastStatus: null, lastError: expect.stringMatching(new RegExp(`^CALLBACK_ADDRESS_NOT_ALLOWED \\(${kind}\\): `)) });
    }
    expect(attempts).toEqual([]);
    expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(attempts).toEqual([`127.0.0.1:${receiver.port}`]);
    expect(receiver.acknowledged().map((p) => [p.body.alert.id, p.attempt])).toEqual([[alert.alertId, 5]]);
    expect(given).toEqual([...relayed.map((a) => [a]), ['127.0.0.1']]);
  } finally {
    await worker.stop();
  }
}, 120_000);

/** A self-signed certificate for NAME made with openssl (key EC P-256, valid two days), and its key. */
function certificateForName(): { key: Buffer; cert: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-callback-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-subj', `/CN=${NAME}`, '-addext', `subjectAltName=DNS:${NAME}`, '-days', '2'], { stdio: 'ignore' });
    return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

it('checks an https callback’s address the same: a NAT64 form of the metadata address gets no connection, loopback is connected to and its certificate checked against the name', async () => {
  // The TLS receiver: every TCP connection it accepts, and the server name each handshake asked for.
  const connections: string[] = [];
  const serverNames: string[] = [];
  const server = https.createServer({ ...certificateForName(), SNICallback: (name, cb) => (serverNames.push(name), cb(null, undefined)) }, (_req, res) => res.end());
  server.on('connection', (socket: Socket) => connections.push(socket.remoteAddress ?? ''));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    const made = await createSubscription(bed.dbs.hub, HOSTS, { clientName: 'rencheng-alerts', callbackUrl: `https://${NAME}:${port}/alerts`, regionCodes: [TOWNSHIP], grades: [], triggerIds: [], createdBy: 'test-admin' });
    if (!made.ok) throw new Error(`subscription refused: ${made.code}`);
    // A DNS64 resolver's answer for the metadata address (64:ff9b::169.254.169.254), then loopback.
    const { lookup, given } = resolverOf([['64:ff9b::a9fe:a9fe'], ['127.0.0.1']]);
    const worker = new AlertDeliveryWorker(bed.dbs.hub, bed.audit, config, pino({ level: 'silent' }), Math.random, lookup);
    try {
      const alert = syntheticAlert();
      await raise(bed.dbs.hub, alert);
      expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 0, retried: 1 });
      expect((await deliveriesOfAlert(bed.dbs.hub, alert.alertId))[0]).toMatchObject({ state: 'PENDING', attempts: 1, lastStatus: null, lastError: expect.stringMatching(/^CALLBACK_ADDRESS_NOT_ALLOWED \(LINK_LOCAL\): /) });
      expect(connections).toEqual([]);
      // Loopback: connected to there, and refused at the handshake as a certificate no root vouches for (verification is on).
      expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 0, dead: 1 });
      expect((await deliveriesOfAlert(bed.dbs.hub, alert.alertId))[0]).toMatchObject({ state: 'DEAD', attempts: 2, lastStatus: null, lastError: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      expect(connections).toEqual(['127.0.0.1']);
      expect(serverNames).toEqual([NAME]);
      expect(given).toEqual([['64:ff9b::a9fe:a9fe'], ['127.0.0.1']]);
    } finally {
      await worker.stop();
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}, 120_000);
