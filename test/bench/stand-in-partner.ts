// The e2e benchmark's partner stand-in, in its own process: answers 202 to every POST without reading it, so the gateway, not a partner, is measured.
import { createServer } from 'node:http';

let taken = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/taken') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ taken }));
    return;
  }
  req.resume();
  req.on('end', () => {
    taken += 1;
    res.writeHead(202, { 'content-length': '0' }).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`stand-in ready: http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
