// Sends one built request to a partner over HTTP(S) and reports what happened, never throwing for network trouble.
import http from 'node:http';
import https from 'node:https';
import type { AttemptResult, HttpRequest } from '../partners/partner-definition.js';

/** Largest partner response read; anything longer is cut off and reported. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** TLS material for mutual TLS towards a partner (optional). */
export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
}

function failure(error: 'timeout' | 'connect' | 'reset', message: string, started: number): AttemptResult {
  return { kind: 'error', error, message, durationMs: performance.now() - started };
}

/** Sends built requests over kept-alive connections. */
export interface HttpSender {
  /**
   * Sends `request` to the base URL's path followed by `request.path`, within `timeoutMs`. A refused
   * or unresolvable connection is `connect` (nothing was sent); no complete answer in time is
   * `timeout` (the partner may have it: in doubt); a connection dropped mid-exchange is `reset`.
   */
  send(baseUrl: string, request: HttpRequest, timeoutMs: number, tls?: TlsOptions): Promise<AttemptResult>;
  /** Closes the idle connections; idempotent. */
  close(): void;
}

/** Creates a sender with its own keep-alive connection pools (one per protocol). */
export function createHttpSender(maxSocketsPerHost = 64): HttpSender {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: maxSocketsPerHost }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: maxSocketsPerHost }),
  };
  return {
    send: (baseUrl, request, timeoutMs, tls) => sendWith(agents, baseUrl, request, timeoutMs, tls),
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

/** The base URL itself when the request has no path (a SOAP endpoint such as IRU's .asmx), else base path + request path. */
function target(baseUrl: string, path: string): URL {
  const base = new URL(baseUrl);
  if (path === '') return base;
  const prefix = base.pathname.replace(/\/+$/, '');
  return new URL(`${prefix}${path.startsWith('/') ? path : `/${path}`}`, base);
}

function sendWith(agents: { 'http:': http.Agent; 'https:': https.Agent }, baseUrl: string, request: HttpRequest, timeoutMs: number, tls?: TlsOptions): Promise<AttemptResult> {
  const url = target(baseUrl, request.path);
  const started = performance.now();
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: AttemptResult): void => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    const req = client.request(
      url,
      {
        method: request.method,
        headers: { ...request.headers, 'content-length': String(request.body.length) },
        ...(url.protocol === 'https:' ? (tls ? { ...tls, agent: false } : { agent: agents['https:'] }) : { agent: agents['http:'] }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
        });
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          done({ kind: 'response', status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks), durationMs: performance.now() - started });
        });
        res.on('error', (err) => done(failure('reset', err.message, started)));
      },
    );
    const timer = setTimeout(() => {
      done(failure('timeout', `no answer within ${timeoutMs} ms`, started));
      req.destroy();
    }, timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const refused = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(err.code ?? '');
      done(failure(refused ? 'connect' : 'reset', `${err.code ?? 'error'}: ${err.message}`, started));
    });
    req.end(request.body);
  });
}
