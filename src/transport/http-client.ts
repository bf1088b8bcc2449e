// HTTP(S) to one partner on undici: a keep-alive pool, its TLS client certificate and trust anchors, bounded answers.
import { Agent, errors as undiciErrors } from 'undici';
import type { AttemptResult } from '../partners/partner-definition.js';
import type { PartnerHttpClient } from './transport.js';

/** Mutual TLS towards a partner: our client certificate and the anchors its server certificate must chain to. */
export interface PartnerTls {
  /** Our TLS client certificate chain (PEM). */
  cert?: string;
  /** Its private key (PEM); stays inside the client. */
  key?: string;
  /** The key's passphrase, when it is encrypted. */
  passphrase?: string;
  /** Trust anchors for the partner's server certificate (PEM); the system's when left out. */
  ca?: readonly string[];
}

/** Settings of one partner's client. */
export interface PartnerHttpOptions {
  /** Connections per origin at most (the partner's concurrency). */
  connections: number;
  /** How long an idle kept-alive connection stays open (default 30 s). */
  keepAliveMs?: number;
  tls?: PartnerTls;
}

/**
 * Errors that can only happen while connecting, so no byte of the request reached the partner.
 * Unreachable hosts and TLS alerts are not among them: they can also break a kept-alive connection
 * after the request was written, so they are `reset` (in doubt).
 */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
/** Our side refusing the partner's certificate during the handshake: nothing was sent, and an operator must look at trust anchors. */
const UNTRUSTED_SERVER = /^(ERR_TLS_CERT_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_)/;

function failure(error: Extract<AttemptResult, { kind: 'error' }>['error'], message: string, started: number): AttemptResult {
  return { kind: 'error', error, message, durationMs: performance.now() - started };
}

/** The URL with the request path appended to its own path; the URL itself when the path is empty (a SOAP endpoint). */
function target(url: string, path: string): URL {
  const base = new URL(url);
  if (path === '') return base;
  const prefix = base.pathname.replace(/\/+$/, '');
  return new URL(`${prefix}${path.startsWith('/') ? path : `/${path}`}${base.search}`, base);
}

function codeOf(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  return String(e.code ?? e.cause?.code ?? '');
}

function headersOf(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return headers;
}

/** Creates a partner's HTTP client: one undici Agent (a pool per origin) with its TLS settings. */
export function createPartnerHttpClient(options: PartnerHttpOptions): PartnerHttpClient {
  const tls = options.tls ?? {};
  const agent = new Agent({
    connections: options.connections,
    keepAliveTimeout: options.keepAliveMs ?? 30_000,
    connect: {
      rejectUnauthorized: true,
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
      ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
      ...(tls.ca ? { ca: [...tls.ca] } : {}),
    },
  });
  let closed: Promise<void> | undefined;
  return {
    async send(url, request, timeoutMs, maxResponseBytes) {
      const started = performance.now();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      const to = target(url, request.path);
      try {
        const res = await agent.request({
          origin: to.origin,
          path: `${to.pathname}${to.search}`,
          method: request.method,
          headers: { ...request.headers, 'content-length': String(request.body.length) },
          body: request.body,
          signal: controller.signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        // Dropping a body nobody read makes undici emit an abort error: it is expected, not a crash.
        res.body.on('error', () => undefined);
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (declared > maxResponseBytes) {
          res.body.destroy();
          return failure('oversize', `the answer declares ${declared} bytes, more than the ${maxResponseBytes} read at most`, started);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > maxResponseBytes) {
            res.body.destroy();
            return failure('oversize', `the answer is longer than the ${maxResponseBytes} bytes read at most`, started);
          }
          chunks.push(chunk as Buffer);
        }
        return { kind: 'response', status: res.statusCode, headers: headersOf(res.headers), body: Buffer.concat(chunks), durationMs: performance.now() - started };
      } catch (err) {
        const code = codeOf(err);
        if (controller.signal.aborted || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
          return failure('timeout', `no whole answer within ${timeoutMs} ms`, started);
        }
        if (NOT_SENT.has(code)) return failure('connect', `${code}: ${(err as Error).message}`, started);
        if (UNTRUSTED_SERVER.test(code)) return failure('connect', `TLS ${code}: ${(err as Error).message} (check the partner's trust anchors)`, started);
        const tls = code.startsWith('ERR_SSL_') ? ' (a TLS alert: the partner may refuse our client certificate)' : '';
        return failure('reset', `${code || 'error'}: ${(err as Error).message}${tls}`, started);
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      closed ??= agent.close();
      return closed;
    },
  };
}
