// What every partner simulator shares: the received log, injectable faults, and a node:http server with a /_sim control API.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { GatewayError } from '../errors.js';

/** One request that reached a simulator's partner endpoint, whatever was answered. */
export interface ReceivedMessage {
  /** Our message id as the protocol carried it (a SOAP field, an HTTP header …); '' when absent. */
  messageId: string;
  /** When it arrived (ms since the epoch). */
  at: number;
  /** Whether the partner's own checks passed (keys, signature, schema); a duplicate of a valid message is valid. */
  valid: boolean;
  /** True while checks the partner makes after answering (a structural control) still run; `valid` and `problems` are final once it is gone. */
  checking?: boolean;
  /** What the checks found wrong, in words, with the partner's code first. */
  problems: string[];
  /** The document as the partner read it (decrypted, or the signed XML as received); '' when it could not be read. */
  document: string;
  /** The injected fault that shaped the answer, if any. */
  fault?: InjectedFault;
  /** The TLS client certificate the request came with (HTTPS simulators): its subject and SHA-256 fingerprint. */
  clientCertificate?: { subject: string; fingerprint256: string };
}

/** A fault applied to one answer. */
export type InjectedFault =
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'malformed-ack' }
  | { kind: 'partner-error'; code: string };

/**
 * Faults for the next requests, used in the order they were queued; `delay` holds until changed.
 * Every request is still recorded and checked: a fault changes only the answer.
 */
export interface FaultController {
  /** Answers the next `count` requests with this HTTP status (400–599) and a plain-text body. */
  failNext(count: number, status: number): void;
  /** Answers every request `ms` late (0 to stop). */
  delay(ms: number): void;
  /** Never answers the next `count` requests, so the client times out; the partner did process them. */
  hangNext(count: number): void;
  /** Answers the next `count` requests with HTTP 200 and a torn acknowledgement (its first half). */
  malformedAckNext(count: number): void;
  /** Answers the next `count` requests with this partner return or error code, whatever the checks found (a protocol may still refuse a request it cannot read at all). */
  partnerErrorNext(count: number, code: string | number): void;
  /** Drops queued faults and the delay. */
  reset(): void;
}

/** A running partner simulator. */
export interface PartnerSimulator {
  /** Partner instance id. */
  partner: string;
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** URLs of the partner's named services (`default` among them) when it serves them at paths of their own, as the partner does. */
  serviceUrls?: Readonly<Record<string, string>>;
  /** Every partner request received, in order of arrival. */
  received: ReceivedMessage[];
  faults: FaultController;
  /** Stops listening and drops open connections, hung ones included. */
  close(): Promise<void>;
}

/** A request to the partner endpoint, body read. */
export interface SimulatorRequest {
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The path it was posted to (a protocol may serve several under its own). */
  path: string;
}

/** An answer to send. */
export interface SimulatorResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** What a partner's protocol made of one request. */
export interface HandledRequest {
  received: Omit<ReceivedMessage, 'at' | 'fault' | 'clientCertificate' | 'checking'>;
  response: SimulatorResponse;
  /**
   * The verdict of checks the partner makes after it answered (a member gateway's structural control):
   * the received entry is `checking` until it settles, then takes its validity and adds its problems.
   */
  later?: Promise<{ valid: boolean; problems: string[] }>;
}

/** The partner side of one protocol, plugged into {@link startSimulatorServer}. */
export interface PartnerProtocol {
  partner: string;
  /** The path partner messages are POSTed to (also every path below it when `subpaths` is set). */
  path: string;
  /** Accept messages on paths below `path` too (e.g. one per message type). */
  subpaths?: boolean;
  /**
   * Checks a request as the partner would and builds its answer. `fault` is the fault about to shape
   * the answer: a `partner-error` must be answered with its code; the server applies the others.
   */
  handle(request: SimulatorRequest, fault: InjectedFault | undefined): HandledRequest;
  /**
   * The protocol's own control endpoints: `POST /_sim/<name>` with a JSON body (e.g. a `seed` of
   * partner data, or a `push` of a document to the gateway). A result (or the value of a returned
   * Promise) is answered 200 as JSON, none 204; an error is answered 400 with its message.
   */
  controls?: Readonly<Record<string, (command: unknown) => unknown>>;
}

/** Where a simulator listens. */
export interface ListenOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /**
   * Serve HTTPS with this server certificate and key (PEM); with `ca`, TLS client certificates are
   * required and must chain to it (mutual TLS), and a handshake without one is refused.
   */
  tls?: { cert: string; key: string; ca?: readonly string[] };
}

/** A schema violation found in a received document. */
export interface SchemaViolation {
  /** JSON pointer into the parsed document. */
  pointer: string;
  message: string;
}

/**
 * Compiles a partner document schema (schemas/partners/…) for documents the simulator parsed itself:
 * parsed XML values are text, so they are coerced where the schema types them as numbers or booleans.
 * @throws GatewayError GW_ERR_CONFIG_INVALID naming the file when it is missing or does not compile.
 */
export function compileDocumentSchema(file: string): (document: unknown) => SchemaViolation[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes: true });
  addFormats.default(ajv);
  let validate;
  try {
    validate = ajv.compile(JSON.parse(readFileSync(file, 'utf8')) as object);
  } catch (err) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `${file}: ${(err as Error).message}`, { file }, { cause: err });
  }
  return (document) => (validate(document) ? [] : (validate.errors ?? []).map((e) => ({ pointer: e.instancePath || '/', message: e.message ?? 'is invalid' })));
}

const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const CONTROL_PREFIX = '/_sim/';

interface QueuedFault {
  fault: InjectedFault;
  remaining: number;
}

function invalid(reason: string): GatewayError {
  return new GatewayError('GW_ERR_CONFIG_INVALID', `simulator fault: ${reason}`);
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) throw invalid(`count must be a positive integer, got ${String(count)}`);
}

/** The fault queue and delay, with the two readers the server needs. */
function createFaults(): FaultController & { next(): InjectedFault | undefined; delayMs(): number } {
  const queue: QueuedFault[] = [];
  let delayMs = 0;
  const push = (count: number, fault: InjectedFault): void => {
    checkCount(count);
    queue.push({ fault, remaining: count });
  };
  return {
    failNext(count, status) {
      if (!Number.isInteger(status) || status < 400 || status > 599) throw invalid(`status must be 400–599, got ${String(status)}`);
      push(count, { kind: 'status', status });
    },
    delay(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw invalid(`delay must be a non-negative number of ms, got ${String(ms)}`);
      delayMs = ms;
    },
    hangNext: (count) => push(count, { kind: 'hang' }),
    malformedAckNext: (count) => push(count, { kind: 'malformed-ack' }),
    partnerErrorNext(count, code) {
      if (String(code).trim() === '') throw invalid('a partner error needs a code');
      push(count, { kind: 'partner-error', code: String(code).trim() });
    },
    reset() {
      queue.length = 0;
      delayMs = 0;
    },
    next() {
      const head = queue[0];
      if (!head) return undefined;
      if (--head.remaining === 0) queue.shift();
      return head.fault;
    },
    delayMs: () => delayMs,
  };
}

function send(res: ServerResponse, response: SimulatorResponse): void {
  res.writeHead(response.status, { ...response.headers, 'content-length': String(response.body.length) });
  res.end(response.body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) });
}

function text(status: number, message: string): SimulatorResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(message) };
}

/** The answer after the fault: a status fault replaces it, a torn acknowledgement is its first half. */
function applyFault(response: SimulatorResponse, fault: InjectedFault | undefined): SimulatorResponse {
  if (fault?.kind === 'status') return text(fault.status, `${fault.status} simulated failure`);
  if (fault?.kind === 'malformed-ack') return { status: 200, headers: response.headers, body: response.body.subarray(0, Math.floor(response.body.length / 2)) };
  return response;
}

/** Applies one `POST /_sim/faults` command: `{ "action": "failNext", "count": 2, "status": 503 }` and the like. */
function applyCommand(faults: FaultController, command: unknown): void {
  if (typeof command !== 'object' || command === null) throw invalid('the body must be a JSON object with an "action"');
  const { action, count, status, ms, code } = command as Record<string, unknown>;
  const n = (value: unknown): number => (typeof value === 'number' ? value : NaN);
  switch (action) {
    case 'failNext':
      return faults.failNext(n(count), n(status));
    case 'delay':
      return faults.delay(n(ms));
    case 'hangNext':
      return faults.hangNext(n(count));
    case 'malformedAckNext':
      return faults.malformedAckNext(n(count));
    case 'partnerErrorNext':
      if (typeof code !== 'string' && typeof code !== 'number') throw invalid('partnerErrorNext needs a "code"');
      return faults.partnerErrorNext(n(count), code);
    case 'reset':
      return faults.reset();
    default:
      throw invalid(`unknown action ${JSON.stringify(action)} (failNext, delay, hangNext, malformedAckNext, partnerErrorNext, reset)`);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= MAX_REQUEST_BYTES ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

/**
 * Starts a partner simulator: `protocol.path` takes the partner's messages, `GET /_sim/received` lists
 * what arrived (JSON) and `POST /_sim/faults` queues faults (JSON command, see {@link FaultController}).
 * Every request to the partner path is recorded, also those answered with an injected fault, so tests
 * see duplicates by message id.
 */
export async function startSimulatorServer(protocol: PartnerProtocol, listen: ListenOptions = {}): Promise<PartnerSimulator> {
  const received: ReceivedMessage[] = [];
  const faults = createFaults();
  const timers = new Set<NodeJS.Timeout>();

  function answerLater(res: ServerResponse, response: SimulatorResponse): void {
    const ms = faults.delayMs();
    if (ms === 0) return send(res, response);
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) send(res, response);
    }, ms);
    timers.add(timer);
  }

  /** Marks the entry as checking until the later verdict settles (a failed check is a problem of its own). */
  function settleLater(entry: ReceivedMessage, later: Promise<{ valid: boolean; problems: string[] }>): void {
    entry.checking = true;
    later.then(
      (verdict) => {
        entry.valid = entry.valid && verdict.valid;
        entry.problems = [...entry.problems, ...verdict.problems];
      },
      (err: unknown) => {
        entry.valid = false;
        entry.problems = [...entry.problems, `simulator error in a later check: ${(err as Error).message}`];
      },
    ).finally(() => delete entry.checking);
  }

  function partnerMessage(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): void {
    const fault = faults.next();
    let handled: HandledRequest;
    try {
      handled = protocol.handle({ headers: req.headers, body, path }, fault);
    } catch (err) {
      const reason = `simulator error: ${(err as Error).message}`;
      handled = { received: { messageId: '', valid: false, problems: [reason], document: '' }, response: text(500, reason) };
    }
    const peer = (req.socket as Partial<TLSSocket>).getPeerCertificate?.();
    const clientCertificate = peer && peer.fingerprint256 ? { subject: String(peer.subject?.CN ?? ''), fingerprint256: peer.fingerprint256 } : undefined;
    const entry: ReceivedMessage = { ...handled.received, at: Date.now(), ...(fault ? { fault } : {}), ...(clientCertificate ? { clientCertificate } : {}) };
    received.push(entry);
    if (handled.later) settleLater(entry, handled.later);
    if (fault?.kind === 'hang') return;
    answerLater(res, applyFault(handled.response, fault));
  }

  const controls = protocol.controls ?? {};
  const extraControls = Object.keys(controls).map((name) => `, POST ${CONTROL_PREFIX}${name}`).join('');

  function control(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): void {
    const endpoint = path.slice(CONTROL_PREFIX.length);
    const own = Object.hasOwn(controls, endpoint) ? controls[endpoint] : undefined;
    const method = endpoint === 'received' ? 'GET' : endpoint === 'faults' || own ? 'POST' : undefined;
    if (!method) return json(res, 404, { error: `no control endpoint ${path} (GET /_sim/received, POST /_sim/faults${extraControls})` });
    if (req.method !== method) return json(res, 405, { error: `${method} ${path} only` });
    if (endpoint === 'received') return json(res, 200, received);
    const answer = (result: unknown): void => (result === undefined ? void res.writeHead(204).end() : json(res, 200, result));
    const refuse = (err: unknown): void => json(res, 400, { error: (err as Error).message });
    try {
      const command: unknown = JSON.parse(body.toString('utf8'));
      if (!own) return answer(applyCommand(faults, command));
      const result = own(command);
      if (result instanceof Promise) return void result.then(answer, refuse);
      answer(result);
    } catch (err) {
      refuse(err);
    }
  }

  const ours = (path: string): boolean => path === protocol.path || (protocol.subpaths === true && path.startsWith(`${protocol.path.replace(/\/$/, '')}/`));
  const listener: RequestListener = (req, res) => {
    res.on('error', () => undefined);
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    readBody(req).then(
      (body) => {
        if (body === undefined) return send(res, text(413, `request larger than ${MAX_REQUEST_BYTES} bytes`));
        if (path.startsWith(CONTROL_PREFIX)) return control(req, res, path, body);
        if (!ours(path)) return send(res, text(404, `${protocol.partner} simulator: POST messages to ${protocol.path}`));
        if (req.method !== 'POST') return send(res, { ...text(405, 'POST only'), headers: { 'content-type': 'text/plain; charset=utf-8', allow: 'POST' } });
        partnerMessage(req, res, path, body);
      },
      () => res.destroy(),
    );
  };
  const tls = listen.tls;
  const server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: [...tls.ca], requestCert: true, rejectUnauthorized: true } : {}) }, listener)
    : createServer(listener);

  const host = listen.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    partner: protocol.partner,
    url: `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    received,
    faults,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
