// A worker for the worker-pool tests: echoes, asks the server's thread, throws, or dies, as each request says.
import { GatewayError } from '../../src/errors.js';
import { serveRequests } from '../../src/worker-pool.js';

/** What a test asks the thread to do. */
export type PoolTestRequest = { echo: string } | { ask: string } | { gatewayError: string } | { exit: number } | { slow: number };

serveRequests<PoolTestRequest, unknown>(async (request, ask) => {
  if ('echo' in request) return request.echo;
  if ('ask' in request) return `answered: ${String(await ask(request.ask))}`;
  if ('gatewayError' in request) throw new GatewayError('GW_ERR_REQUEST_INVALID', request.gatewayError, { pointer: '/x' });
  if ('slow' in request) return new Promise((resolve) => setTimeout(() => resolve(`slept ${request.slow}`), request.slow));
  process.exit(request.exit);
});
