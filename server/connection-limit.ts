/**
 * Connections open at once from one address, capped (HTTP_MAX_CONNECTIONS_PER_ADDRESS). Node
 * accepts every connection and keeps one that sends nothing for the header deadline (70 s, and up
 * to 30 s more before it looks): one client holding 20,000 of them, without a byte or a token,
 * took every file descriptor of the process, and /healthz, every request and the hub's own
 * database connections failed until they timed out, over and over.
 *
 * A connection past the cap is answered at its first request with 503 RATE_LIMITED,
 * TOO_MANY_CONNECTIONS (and `Connection: close`), and closed after a short grace whatever it sends:
 * it never holds a descriptor for long, and none of its requests runs.
 */
import type http from 'node:http';
import type net from 'node:net';
import type express from 'express';
import { sendError } from '../access/http';

/** How long a connection past the cap is left open for its first request, to be told why. */
export const REFUSED_CONNECTION_GRACE_MS = 2_000;

/**
 * Counts `server`'s connections by remote address from now on, marking each past `max`; `max` 0
 * counts nothing. Returns the middleware that answers a marked connection's requests (first on
 * every route).
 */
export function limitConnectionsPerAddress(server: http.Server, max: number, onRefused?: () => void): express.RequestHandler {
  const open = new Map<string, number>();
  const refused = new WeakSet<net.Socket>();
  if (max > 0) {
    server.prependListener('connection', (socket: net.Socket) => {
      const address = socket.remoteAddress ?? '';
      const count = open.get(address) ?? 0;
      if (count >= max) {
        refused.add(socket);
        onRefused?.();
        setTimeout(() => socket.destroy(), REFUSED_CONNECTION_GRACE_MS).unref();
        return;
      }
      open.set(address, count + 1);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left > 0) open.set(address, left);
        else open.delete(address);
      });
    });
  }
  return (req, res, next) => {
    if (!refused.has(req.socket)) return next();
    res.set('Connection', 'close');
    res.set('Retry-After', '1');
    sendError(res, 503, 'RATE_LIMITED', 'TOO_MANY_CONNECTIONS', `More than ${max} connections are open from this address; close some, or reuse them`);
  };
}
