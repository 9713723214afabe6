/**
 * A TCP relay in front of a database server that can be paused: while paused it delivers nothing
 * in either direction and new connections get no handshake, as when the server process is stopped
 * (SIGSTOP) or the network between is partitioned; on resume it delivers what it held, in order.
 * Deterministic, and private to one test file (the shared test server is never touched).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface PausableProxy {
  /** `mysql://…` of the target with the proxy's host and port. */
  url(targetUrl: string): string;
  pause(): void;
  /**
   * Pauses as the client sends a chunk containing `marker` (that chunk held with the rest): a
   * process stopped just before one statement of its own. Resolves once that has happened.
   */
  pauseOn(marker: string): Promise<void>;
  resume(): void;
  /** As when the server process is stopped: every connection through it is reset and new ones are refused (ECONNREFUSED) until `accept`. */
  refuse(): Promise<void>;
  /** Listens again on the same port. */
  accept(): Promise<void>;
  /** Chunks held since the pause, either way: above 0 once something tried to talk through it. */
  held(): number;
  /** Connections clients opened through it since it started (accepted even while paused). */
  connections(): number;
  close(): Promise<void>;
}

export async function startPausableProxy(targetUrl: string): Promise<PausableProxy> {
  const target = new URL(targetUrl);
  let paused = false;
  const held: (() => void)[] = [];
  const sockets = new Set<net.Socket>();
  let trigger: { marker: string; reached: () => void } | null = null;
  let accepted = 0;
  const relay = (from: net.Socket, to: net.Socket) =>
    from.on('data', (chunk: Buffer) => {
      if (trigger && chunk.includes(trigger.marker)) {
        paused = true;
        trigger.reached();
        trigger = null;
      }
      if (paused) held.push(() => to.write(chunk));
      else to.write(chunk);
    });
  const server = net.createServer((client) => {
    accepted += 1;
    const upstream = net.connect(Number(target.port || 3306), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    pause() {
      paused = true;
    },
    pauseOn(marker) {
      return new Promise<void>((reached) => (trigger = { marker, reached }));
    },
    resume() {
      paused = false;
      for (const deliver of held.splice(0)) deliver();
    },
    held: () => held.length,
    connections: () => accepted,
    async refuse() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    async accept() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
