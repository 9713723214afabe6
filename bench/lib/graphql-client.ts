/**
 * A lean GraphQL-over-HTTP client for the bench: node:http with keep-alive sockets, one per
 * concurrent caller, so the client costs as little of the shared event loop as it can.
 */
import http from 'node:http';

/**
 * A socket left idle this long is closed by the client. The variants take turns, so each client
 * idles for seconds between its runs, and a socket must never be reused at the moment its server
 * closes it for being idle: the request then dies with ECONNRESET ("read ECONNRESET", "socket hang
 * up"). Node's servers close idle sockets after keepAliveTimeout (5 s by default: the fair floor's
 * and the naive server's; the hub's is 65 s), and Node 20's agent, which would follow the server's
 * `Keep-Alive: timeout=5` hint, did not: the first request after about 6 s idle failed. Below every
 * server's limit, the client is always the one that closes.
 */
export const CLIENT_IDLE_SOCKET_MS = 2000;

export interface GraphQLResponse<T> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string; reason?: string } }[];
  extensions?: { sqlStatements?: { total: number; bySource: Record<string, number> } };
}

export interface GraphQLClient {
  post<T>(query: string, variables: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  close(): void;
}

export function graphqlClient(endpoint: string, sockets: number, headers: Record<string, string> = {}): GraphQLClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, timeout: CLIENT_IDLE_SOCKET_MS });
  const url = new URL(endpoint);
  return {
    post<T>(query: string, variables: Record<string, unknown>) {
      const body = JSON.stringify({ query, variables });
      return new Promise<GraphQLResponse<T>>((resolve, reject) => {
        const req = http.request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              try {
                resolve({ status: res.statusCode ?? 0, ...(JSON.parse(text) as object) });
              } catch {
                reject(new Error(`${endpoint} answered ${res.statusCode} with a body that is not JSON: ${text.slice(0, 200)}`));
              }
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
