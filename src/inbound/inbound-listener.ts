// The inbound listener: HTTPS with mutual TLS on its own port, taking partner pushes at POST /v1/inbound/<partner>[/<sub-path>].
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { errorSpec, GatewayError, type ErrorCode } from '../errors.js';
import type { InboundPipeline } from './inbound-pipeline.js';

/** Where and how to listen. */
export interface InboundListenerOptions {
  host: string;
  port: number;
  /** Server certificate chain and key (PEM). */
  cert: string;
  key: string;
  passphrase?: string;
  /** Largest body read, whatever the partner (a partner's own smaller limit is checked by the pipeline). */
  maxBytes: number;
  /** Sub-paths each partner takes besides its own path: partner id → paths like `/soap`. */
  subPaths(partner: string): readonly string[];
}

/** A listening inbound endpoint. */
export interface InboundListener {
  /** `https://host:port`. */
  readonly url: string;
  /** Stops taking connections and waits for pushes in flight; idempotent. */
  close(): Promise<void>;
}

const PREFIX = '/v1/inbound/';
/** A partner id as the partners file allows it. */
const PARTNER_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

function sendJson(res: ServerResponse, code: ErrorCode, reason: string, headers: Record<string, string> = {}): void {
  const status = errorSpec(code)?.httpStatus ?? 500;
  const body = JSON.stringify({ error: { code, message: reason, retryable: errorSpec(code)?.retryable ?? false } });
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
}

/** Reads the body up to `max` bytes; undefined when it is longer (the rest is not read). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) return resolve(undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        return resolve(undefined);
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** Fingerprints by connection: a kept-alive connection's certificate is read once, not per push. */
const fingerprints = new WeakMap<TLSSocket, string | null>();

/** The presented client certificate's SHA-256 fingerprint (hex, lower case), or undefined. */
function clientFingerprint(req: IncomingMessage): string | undefined {
  const socket = req.socket as TLSSocket;
  let known = fingerprints.get(socket);
  if (known === undefined) {
    const peer = socket.getPeerCertificate();
    known = peer && peer.fingerprint256 ? peer.fingerprint256.replace(/:/g, '').toLowerCase() : null;
    fingerprints.set(socket, known);
  }
  return known ?? undefined;
}

/** Splits `/v1/inbound/<partner>[/<sub>]`; undefined for any other path. */
function routeOf(pathname: string): { partner: string; path: string } | undefined {
  if (!pathname.startsWith(PREFIX)) return undefined;
  const rest = pathname.slice(PREFIX.length);
  const slash = rest.indexOf('/');
  const partner = slash < 0 ? rest : rest.slice(0, slash);
  return PARTNER_ID.test(partner) ? { partner, path: slash < 0 ? '' : rest.slice(slash) } : undefined;
}

/**
 * Starts the listener. TLS asks every client for a certificate but lets the handshake finish without
 * one, so a push without it gets a signed refusal rather than a bare TLS alert; the pipeline binds
 * the certificate to the partner by its pinned fingerprint.
 * @throws GatewayError GW_ERR_CONFIG_INVALID when it cannot listen or the TLS material is unfit.
 */
export async function startInboundListener(options: InboundListenerOptions, pipeline: InboundPipeline): Promise<InboundListener> {
  const inFlight = new Set<Promise<void>>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const pathname = new URL(req.url ?? '/', 'https://inbound').pathname;
    const route = routeOf(pathname);
    if (!route) return sendJson(res, 'GW_ERR_NOT_FOUND', `push to ${PREFIX}<partner>`);
    if (route.path !== '' && !options.subPaths(route.partner).includes(route.path)) return sendJson(res, 'GW_ERR_NOT_FOUND', `partner ${route.partner} takes no pushes on ${route.path}`);
    if (req.method !== 'POST') return sendJson(res, 'GW_ERR_REQUEST_INVALID', 'pushes are POST requests', { allow: 'POST' });
    const body = await readBody(req, options.maxBytes);
    if (body === undefined) return sendJson(res, 'GW_ERR_REQUEST_TOO_LARGE', `the push exceeds ${options.maxBytes} bytes`, { connection: 'close' });
    const answer = await pipeline.handle({ partner: route.partner, request: { path: route.path, headers: headersOf(req) }, body, clientCertificate: clientFingerprint(req) });
    res.writeHead(answer.status, answer.headers).end(answer.body);
  };
  let server: Server;
  try {
    server = createServer(
      {
        cert: options.cert,
        key: options.key,
        ...(options.passphrase ? { passphrase: options.passphrase } : {}),
        minVersion: 'TLSv1.2',
        requestCert: true,
        rejectUnauthorized: false,
        requestTimeout: 30_000,
        keepAliveTimeout: 65_000,
      },
      (req, res) => {
        res.on('error', () => undefined);
        const done = handle(req, res).catch(() => {
          if (!res.headersSent) sendJson(res, 'GW_ERR_INTERNAL', 'the push could not be processed');
          else res.destroy();
        });
        inFlight.add(done);
        void done.finally(() => inFlight.delete(done));
      },
    );
  } catch (err) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `the inbound TLS certificate or key is unfit: ${(err as Error).message} (GATEWAY_INBOUND_TLS_CERT_FILE, GATEWAY_INBOUND_TLS_KEY_FILE)`, {}, { cause: err });
  }
  server.on('tlsClientError', () => undefined);
  // The certificate read at the handshake is the connection's identity for its whole life.
  server.on('secureConnection', (socket: TLSSocket) => socket.disableRenegotiation());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new GatewayError('GW_ERR_CONFIG_INVALID', `cannot listen on ${options.host}:${options.port}: ${err.code ?? err.message} (GATEWAY_INBOUND_HOST, GATEWAY_INBOUND_PORT)`, { variable: 'GATEWAY_INBOUND_PORT' }, { cause: err })),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `https://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.allSettled([...inFlight]);
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
