/**
 * A township's receiver on a government intranet, its certificate signed by a government or bureau
 * root CA that is not among Node's roots: the worker's https agents trusted Node's roots alone, so
 * every push to it failed at the handshake (UNABLE_TO_VERIFY_LEAF_SIGNATURE) into a dead letter, and
 * the only way round, NODE_EXTRA_CA_CERTS, was undocumented here and process-wide.
 * AIDHUB_CALLBACK_CA_FILE (db/config.ts callbackCaFromEnv) names a PEM file of CA certificates
 * trusted for callbacks beside Node's roots. A real https receiver with a certificate for the
 * callback's name signed by a CA made here with `openssl`, reached through the worker's checked
 * lookup (checkedLookup) and verifying each push's signature itself.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { LookupFunction } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import pino from 'pino';
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import { alertDeliveryConfigFromEnv, ConfigError, type AlertDeliveryConfig } from '../../db/config';
import { createSubscription } from '../../resolvers/alert-delivery/subscriptions';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { startAlertReceiver } from '../support/alert-receiver';
import { raise, syntheticAlert, TOWNSHIP, workerTestBed } from './scenario';

const bed = workerTestBed('alert_callback_ca');
const NAME = 'alerts.rencheng.gov.test';
const HOSTS = [`${NAME}:*`];
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-callback-ca-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A root CA (the bureau's), and the receiver's certificate for NAME signed by it; both valid two days. */
function bureauCertificates(): { caFile: string; key: Buffer; cert: Buffer } {
  openssl(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=Test Bureau Root CA', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', ...EC, '-keyout', 'receiver.key', '-out', 'receiver.csr', '-subj', `/CN=${NAME}`]);
  fs.writeFileSync(path.join(dir, 'receiver.ext'), `subjectAltName=DNS:${NAME}\nbasicConstraints=CA:FALSE\n`);
  openssl(['x509', '-req', '-in', 'receiver.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'receiver.pem', '-days', '2', '-extfile', 'receiver.ext']);
  return { caFile: path.join(dir, 'ca.pem'), key: fs.readFileSync(path.join(dir, 'receiver.key')), cert: fs.readFileSync(path.join(dir, 'receiver.pem')) };
}

/** NAME resolves to loopback, through the worker's checked lookup; every name it was asked recorded. */
const asked: string[] = [];
const lookup: LookupFunction = (hostname, options, callback) => {
  asked.push(hostname);
  if (hostname !== NAME) return callback(Object.assign(new Error(`unknown ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

const env = (over: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ AIDHUB_DELIVERY_RETRY_MS: '0,0', AIDHUB_DELIVERY_JITTER: '0', AIDHUB_DELIVERY_CONCURRENCY: '1', AIDHUB_CALLBACK_HOSTS: HOSTS.join(','), ...over });

it('pushes over https to a receiver whose certificate a CA of AIDHUB_CALLBACK_CA_FILE signed, and fails at the handshake without it', async () => {
  const { caFile, key, cert } = bureauCertificates();
  const receiver = await startAlertReceiver(() => 200, 0, { tls: { key, cert } });
  bed.receivers.push(receiver);
  const made = await createSubscription(bed.dbs.hub, HOSTS, { clientName: 'rencheng-alerts', callbackUrl: `https://${NAME}:${receiver.port}/alerts`, regionCodes: [TOWNSHIP], grades: [], triggerIds: [], createdBy: 'test-admin' });
  if (!made.ok) throw new Error(`subscription refused: ${made.code}`);
  receiver.setSecret(made.secret);
  const alert = syntheticAlert();
  await raise(bed.dbs.hub, alert);

  const round = async (config: AlertDeliveryConfig) => {
    const worker = new AlertDeliveryWorker(bed.dbs.hub, bed.audit, config, pino({ level: 'silent' }), Math.random, lookup);
    try {
      return await worker.runOnce();
    } finally {
      await worker.stop();
    }
  };

  // Node's roots alone: the receiver's certificate is refused, nothing reaches it.
  const withoutCa = alertDeliveryConfigFromEnv(env({}))!;
  expect(withoutCa.callbackCa).toBeUndefined();
  expect(await round(withoutCa)).toMatchObject({ claimed: 1, delivered: 0, retried: 1 });
  expect((await deliveriesOfAlert(bed.dbs.hub, alert.alertId))[0]).toMatchObject({ state: 'PENDING', attempts: 1, lastStatus: null, lastError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  expect(receiver.pushes).toEqual([]);

  // The bureau's CA added to Node's roots (not in their place): delivered, acknowledged, its signature checked by the receiver.
  const withCa = alertDeliveryConfigFromEnv(env({ AIDHUB_CALLBACK_CA_FILE: caFile }))!;
  expect(withCa.callbackCa).toEqual([...tls.rootCertificates, fs.readFileSync(caFile, 'utf8').trim()]);
  expect(await round(withCa)).toMatchObject({ claimed: 1, delivered: 1 });
  expect(receiver.acknowledged().map((p) => [p.body.alert.id, p.attempt, p.signatureValid])).toEqual([[alert.alertId, 2, true]]);
  expect((await deliveriesOfAlert(bed.dbs.hub, alert.alertId))[0]).toMatchObject({ state: 'DELIVERED', lastStatus: 200 });
  // Both rounds resolved the name through the worker's checked lookup.
  expect(asked).toEqual([NAME, NAME]);
}, 120_000);

it('refuses a file that cannot be read or holds no certificate, with a code, as the other variables are refused', () => {
  const refusal = (file: string) => {
    try {
      alertDeliveryConfigFromEnv(env({ AIDHUB_CALLBACK_CA_FILE: file }));
      return null;
    } catch (err) {
      return err instanceof ConfigError ? { code: err.code, names: err.message.startsWith('AIDHUB_CALLBACK_CA_FILE') } : err;
    }
  };
  fs.writeFileSync(path.join(dir, 'not-pem.pem'), 'this is no certificate\n');
  fs.writeFileSync(path.join(dir, 'garbled.pem'), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
  expect([refusal(path.join(dir, 'absent.pem')), refusal(dir), refusal(path.join(dir, 'not-pem.pem')), refusal(path.join(dir, 'garbled.pem'))]).toEqual([
    { code: 'FILE_UNREADABLE', names: true },
    { code: 'FILE_UNREADABLE', names: true },
    { code: 'MALFORMED_CERTIFICATE', names: true },
    { code: 'MALFORMED_CERTIFICATE', names: true },
  ]);
});
