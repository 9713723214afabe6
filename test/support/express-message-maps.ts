/**
 * Run by test/http/express-messages.test.ts as `node --allow-natives-syntax --import tsx …
 * <createExpressServer|EarlyListener|http.createServer>`: an Express app with a JSON body parser answers two
 * requests at a time, three times, on a server made the way named; at its handler, with both requests
 * of a pair there, it asks V8 whether they share a map, and whether their responses do. Prints
 * `{ "requests": [...], "responses": [...], "answers": [...] }`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createExpressServer } from '../../server/express-messages';
import { EarlyListener } from '../../server/early-listener';

// V8's own test of two objects' maps; a syntax error without --allow-natives-syntax.
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

async function main(how: string): Promise<void> {
  const app = express();
  app.use(express.json());
  const requests: boolean[] = [];
  const responses: boolean[] = [];
  const held: [express.Request, express.Response][] = [];
  app.post('/echo', (req, res) => {
    held.push([req, res]);
    if (held.length < 2) return;
    const [[a, ra], [b, rb]] = held.splice(0);
    requests.push(sameMap(a, b));
    responses.push(sameMap(ra, rb));
    ra.json({ echo: (a.body as { n: number }).n });
    rb.status(201).json({ echo: (b.body as { n: number }).n });
  });
  let server: http.Server;
  if (how === 'createExpressServer') server = createExpressServer(app);
  else if (how === 'EarlyListener') {
    const listener = new EarlyListener();
    listener.serve(app);
    server = listener.server;
  } else server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true });
  const post = (n: number) =>
    new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, agent, path: '/echo', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ n }));
    });
  const answers: string[] = [];
  for (let i = 0; i < 3; i++) answers.push(...(await Promise.all([post(2 * i), post(2 * i + 1)])));
  agent.destroy();
  server.close();
  process.stdout.write(JSON.stringify({ requests, responses, answers }));
}

main(process.argv[2] ?? '').catch((err: Error) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
