// A stand-in for CAIS's webhook: a local HTTP server that records every request and answers each as the test says (a status, a reset, or never).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How one request is answered: an HTTP status, a reset of its connection, or no answer at all. */
export type WebhookAnswer = number | 'reset' | 'hang';

/** One request the webhook received. */
export interface WebhookRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The `idempotency-key` header (our inbound id), when sent. */
  key: string | undefined;
  /** 1 for the first request with this key, 2 for the next, … */
  attempt: number;
  /** When it arrived (epoch ms). */
  at: number;
  /** The phase the request's connection was opened in (see {@link WebhookRecorder.nextPhase}). */
  phase: number;
  /** How it was answered, once decided. */
  answer?: WebhookAnswer;
  /** True once a 2xx answer was written out completely. */
  acknowledged: boolean;
  /** What the policy threw, if it did (the request was then answered 500). */
  policyError?: unknown;
}

/** Decides the answer to a request; it may wait (the client waits too). */
export type WebhookPolicy = (request: WebhookRequest) => WebhookAnswer | Promise<WebhookAnswer>;

/** A running webhook stand-in; close it after the test. */
export interface WebhookRecorder {
  /** Where to POST: a path on the loopback server. */
  url: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly WebhookRequest[];
  /** The requests with this idempotency key, in arrival order. */
  requestsFor(key: string): WebhookRequest[];
  /** Answers later requests by `policy` (the default answers 200). */
  answerWith(policy: WebhookPolicy): void;
  /** Starts a new phase: connections opened from now on carry its number (the first phase is 0). */
  nextPhase(): number;
  /** Drops every connection (unanswered requests included) and stops listening. */
  close(): Promise<void>;
}

/** Starts the recorder on a free loopback port. */
export async function startWebhookRecorder(path = '/cais/inbound-records'): Promise<WebhookRecorder> {
  const requests: WebhookRequest[] = [];
  const phases = new WeakMap<Socket, number>();
  let phase = 0;
  let policy: WebhookPolicy = () => 200;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
      const request: WebhookRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        key,
        attempt: requests.filter((r) => r.key !== undefined && r.key === key).length + 1,
        at: Date.now(),
        phase: phases.get(req.socket) ?? phase,
        acknowledged: false,
      };
      requests.push(request);
      const decided = Promise.resolve(request).then(policy).catch((err: unknown) => {
        request.policyError = err;
        return 500;
      });
      void decided.then((answer) => {
        request.answer = answer;
        if (answer === 'hang') return;
        if (answer === 'reset') {
          req.socket.destroy();
          return;
        }
        res.on('finish', () => {
          request.acknowledged = answer >= 200 && answer <= 299;
        });
        res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer >= 200 && answer <= 299 ? 'held' : `webhook stand-in answers ${answer}`);
      });
    });
  });
  server.on('connection', (socket: Socket) => phases.set(socket, phase));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    requestsFor: (key) => requests.filter((r) => r.key === key),
    answerWith(next) {
      policy = next;
    },
    nextPhase: () => ++phase,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
