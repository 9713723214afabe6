/**
 * A request whose headers go on the wire line by line, in the order given, a name repeated as often
 * as it is listed. fetch() joins repeated headers into one line, and Node keeps only the first of
 * some (Authorization, Content-Type) in `req.headers`: the tests of what the hub makes of repeats
 * (access/http.ts repeatedHeader) send them so.
 */
import http from 'node:http';

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Host is added first, as a raw list gets none. */
export function sendRaw(url: string, headers: [string, string][], init: { method?: string; body?: string } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: [['host', new URL(url).host], ...headers].flat() }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
