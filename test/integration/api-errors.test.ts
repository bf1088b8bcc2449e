// Every way an API request can fail before or outside a handler answers in the error shape with the catalogue's status, logged once, and leaves nothing in the log.
import { BUILTIN_ROLES } from '../../src/api/rights.js';
import { readFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi, type ApiParts } from '../../src/api/build-api.js';
import type { GatewayMetrics } from '../../src/api/metrics.js';
import { CORE_ERRORS, GatewayError, type CoreErrorCode, type ErrorCode } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import type { PartnerRoute } from '../../src/partners/partner-definition.js';
import type { Ingest } from '../../src/pipeline/ingest.js';
import type { MessageStore } from '../../src/store/message-store.js';
import { RECORD_FIXTURES } from '../support/project.js';
import { startTestGateway, TEST_TOKEN, type RunningGateway } from '../support/running-gateway.js';

const movement = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;
let counter = 0;
/** A valid movement record with a fresh id: accepted unless the request around it is refused. */
const freshMovement = (): Record<string, unknown> => ({ ...movement, recordId: `KZ-TM-ERR-${++counter}-${Date.now()}` });

const JSON_TYPE = { 'content-type': 'application/json' };
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
/** What an answer must never show: stack frames, source paths, fastify's own error fields, driver errors. */
const LEAK = /\bat \S+ \(|\.ts:\d+|node_modules|\/work\/|\/tmp\/|FST_ERR|statusCode|SqliteError|Internal Server Error/;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** The error answer's `error` object, after checking the shape: only `error`, exactly these fields, nothing leaked. */
function expectError(res: Answer, status: number, code: CoreErrorCode | ErrorCode, message?: string | RegExp): Record<string, unknown> {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(res.text).not.toMatch(LEAK);
  const body = JSON.parse(res.text) as { error: Record<string, unknown> };
  expect(Object.keys(body)).toEqual(['error']);
  const { violations, ...rest } = body.error;
  expect(rest).toEqual({ code, message: expect.any(String), retryable: code in CORE_ERRORS ? CORE_ERRORS[code as CoreErrorCode].retryable : false });
  if (typeof message === 'string') expect(rest.message).toBe(message);
  else if (message) expect(rest.message).toMatch(message);
  if (violations !== undefined) expect(code).toBe('GW_ERR_REQUEST_INVALID');
  return body.error;
}

describe('API error answers on a running gateway', () => {
  let gw: RunningGateway;

  /** Sends exactly these bytes (or none) with exactly these headers; the test token unless `token` is given. */
  async function send(method: string, path: string, options: { headers?: Record<string, string>; body?: string | Uint8Array<ArrayBuffer>; token?: string | null } = {}): Promise<Answer> {
    const token = options.token === undefined ? TEST_TOKEN : options.token;
    const res = await fetch(`${gw.url}${path}`, {
      method,
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...options.headers },
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  /** The log's message ids and the records ingest has seen, to show that a refused request added nothing. */
  async function logState(): Promise<{ ids: string[]; records: number }> {
    const page = await gw.api('GET', '/v1/messages?limit=500');
    expect(page.status).toBe(200);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    const records = [...metrics.matchAll(/^gateway_records_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    return { ids: page.body.items.map((m: { id: string }) => m.id), records };
  }

  /** Runs `refuse` and checks that the log holds the same messages and ingest saw no record. */
  async function refusedWithNothingStored(refuse: () => Promise<void>): Promise<void> {
    const before = await logState();
    await refuse();
    expect(await logState()).toEqual(before);
  }

  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.stop();
  });

  describe('bodies the CAIS records route cannot read: 400 GW_ERR_RECORD_UNREADABLE, nothing stored', () => {
    it('malformed JSON', async () => {
      await refusedWithNothingStored(async () => {
        const truncated = JSON.stringify([freshMovement(), freshMovement()]).slice(0, -2);
        expectError(await send('POST', '/v1/cais/records', { headers: JSON_TYPE, body: truncated }), 400, 'GW_ERR_RECORD_UNREADABLE', /^the request body is not valid JSON: /);
        expectError(await send('POST', '/v1/cais/records', { headers: JSON_TYPE, body: "{'recordId': 1}" }), 400, 'GW_ERR_RECORD_UNREADABLE', /not valid JSON/);
        // The reason names the fault, not an excerpt of the record.
        const excerpt = '{"carnetNumber": "DX25123456", "holder": oops}';
        expectError(await send('POST', '/v1/cais/records', { headers: JSON_TYPE, body: excerpt }), 400, 'GW_ERR_RECORD_UNREADABLE', "the request body is not valid JSON: Unexpected token 'o'");
      });
    });

    it('an empty body, with or without a JSON Content-Type', async () => {
      await refusedWithNothingStored(async () => {
        const message = 'the request has no body; send one as application/json';
        expectError(await send('POST', '/v1/cais/records', { headers: JSON_TYPE, body: '' }), 400, 'GW_ERR_RECORD_UNREADABLE', message);
        expectError(await send('POST', '/v1/cais/records'), 400, 'GW_ERR_RECORD_UNREADABLE', message);
      });
    });

    it('__proto__ and constructor.prototype keys, anywhere and however escaped, and Object.prototype stays clean', async () => {
      await refusedWithNothingStored(async () => {
        const record = JSON.stringify(freshMovement());
        const bodies = [
          record.replace(/^\{/, '{"__proto__":{"polluted":true},'),
          `[${JSON.stringify(freshMovement())}, ${record.replace(/^\{/, '{"remarks":{"note":{"__proto__":{"polluted":true}}},')}]`,
          record.replace(/^\{/, '{"\\u005f_proto__":{"polluted":true},'),
          record.replace(/^\{/, '{"constructor":{"prototype":{"polluted":true}},'),
        ];
        for (const body of bodies) {
          expectError(await send('POST', '/v1/cais/records', { headers: JSON_TYPE, body }), 400, 'GW_ERR_RECORD_UNREADABLE', 'the request body has a "__proto__" or "constructor.prototype" key, which is refused');
        }
      });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('a Content-Type with a charset parameter or in another case still reads the body (control: these are accepted)', async () => {
      for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8']) {
        const record = freshMovement();
        const res = await send('POST', '/v1/cais/records', { headers: { 'content-type': type }, body: JSON.stringify(record) });
        expect(res.status, res.text).toBe(202);
        const id = (JSON.parse(res.text) as { results: Array<{ messages: Array<{ id: string }> }> }).results[0]!.messages[0]!.id;
        expect((await logState()).ids).toContain(id);
      }
    });
  });

  describe('limits', () => {
    it('more than 1000 records in one batch: 413 GW_ERR_REQUEST_TOO_LARGE naming the limit', async () => {
      await refusedWithNothingStored(async () => {
        const batch = JSON.stringify(Array.from({ length: 1001 }, freshMovement));
        expectError(await send('POST', '/v1/cais/records', { headers: JSON_TYPE, body: batch }), 413, 'GW_ERR_REQUEST_TOO_LARGE', '1001 records in one request; at most 1000 records per request');
      });
    });

    it('an empty batch: 400 GW_ERR_REQUEST_INVALID', async () => {
      await refusedWithNothingStored(async () => {
        expectError(await send('POST', '/v1/cais/records', { headers: JSON_TYPE, body: '[]' }), 400, 'GW_ERR_REQUEST_INVALID', 'the batch is empty; send one record or an array of 1 to 1000 records');
      });
    });

    it('a body over 16 MiB, declared or streamed: 413 GW_ERR_REQUEST_TOO_LARGE', async () => {
      await refusedWithNothingStored(async () => {
        // A valid record padded with JSON whitespace: refused for its size alone.
        const oversize = new TextEncoder().encode(`${JSON.stringify(freshMovement())}${' '.repeat(16 * 1024 * 1024)}`);
        expectError(await send('POST', '/v1/cais/records', { headers: JSON_TYPE, body: oversize }), 413, 'GW_ERR_REQUEST_TOO_LARGE', 'the request body exceeds 16777216 bytes');
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        let sent = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent++ < 18) controller.enqueue(chunk);
            else controller.close();
          },
        });
        const res = await fetch(`${gw.url}/v1/cais/records`, { method: 'POST', headers: { ...JSON_TYPE, authorization: `Bearer ${TEST_TOKEN}` }, body: stream, duplex: 'half' } as RequestInit);
        expectError({ status: res.status, headers: res.headers, text: await res.text() }, 413, 'GW_ERR_REQUEST_TOO_LARGE');
      });
    });

    it('a path parameter over 100 characters and a malformed percent-encoding: 400 GW_ERR_REQUEST_INVALID', async () => {
      expectError(await send('GET', `/v1/messages/${'a'.repeat(101)}`), 400, 'GW_ERR_REQUEST_INVALID', 'a path parameter is longer than 100 characters');
      expectError(await send('GET', '/v1/messages/%zz'), 400, 'GW_ERR_REQUEST_INVALID', 'the URL path is not valid percent-encoding');
    });

    it('oversize headers and a malformed request line: 400 GW_ERR_REQUEST_INVALID from the HTTP layer', async () => {
      expectError(await send('GET', '/healthz', { headers: { 'x-filler': 'a'.repeat(20_000) } }), 400, 'GW_ERR_REQUEST_INVALID', 'the request headers exceed the allowed size');
      const raw = await new Promise<string>((resolve, reject) => {
        const { port } = new URL(gw.url);
        const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT A REQUEST\r\n\r\n'));
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      const [head, body] = raw.split('\r\n\r\n') as [string, string];
      expect(head).toMatch(/^HTTP\/1\.1 400 /);
      expect(head).toContain('Content-Type: application/json; charset=utf-8');
      expect(JSON.parse(body)).toEqual({ error: { code: 'GW_ERR_REQUEST_INVALID', message: 'the request is not valid HTTP/1.1', retryable: false } });
    });
  });

  describe('media types', () => {
    it('a body of another media type, or with none: 415 GW_ERR_UNSUPPORTED_MEDIA_TYPE, nothing stored', async () => {
      await refusedWithNothingStored(async () => {
        const record = JSON.stringify(freshMovement());
        for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/jsonx', 'application/merge-patch+json', 'not a media type']) {
          expectError(await send('POST', '/v1/cais/records', { headers: { 'content-type': type }, body: record }), 415, 'GW_ERR_UNSUPPORTED_MEDIA_TYPE', 'send the request body as application/json');
        }
        expectError(await send('POST', '/v1/cais/records', { body: new TextEncoder().encode(record) }), 415, 'GW_ERR_UNSUPPORTED_MEDIA_TYPE');
        expectError(await send('POST', `/v1/messages/${UNKNOWN_ID}/resend`, { headers: { 'content-type': 'application/xml' }, body: '<resend/>' }), 415, 'GW_ERR_UNSUPPORTED_MEDIA_TYPE');
      });
    });

    it('an empty body is no body: a route that needs none runs whatever the Content-Type', async () => {
      for (const type of ['application/json', 'text/plain']) {
        expectError(await send('POST', `/v1/messages/${UNKNOWN_ID}/resend`, { headers: { 'content-type': type }, body: '' }), 404, 'GW_ERR_NOT_FOUND', `no message ${UNKNOWN_ID}`);
      }
    });
  });

  describe('schema failures of params, query and body: 400 GW_ERR_REQUEST_INVALID with violations', () => {
    it('query', async () => {
      const error = expectError(await send('GET', '/v1/messages?limit=0&status=lost'), 400, 'GW_ERR_REQUEST_INVALID');
      expect(error.violations).toEqual([
        { code: 'GW_ERR_REQUEST_INVALID', in: 'querystring', pointer: '/status', message: 'must be equal to one of the allowed values' },
        { code: 'GW_ERR_REQUEST_INVALID', in: 'querystring', pointer: '/limit', message: 'must be >= 1' },
      ]);
      expect(error.message).toBe('querystring/status must be equal to one of the allowed values; querystring/limit must be >= 1');
    });

    it('params', async () => {
      const error = expectError(await send('GET', '/v1/messages/not-a-uuid'), 400, 'GW_ERR_REQUEST_INVALID', /^params\/id must match pattern/);
      expect(error.violations).toEqual([expect.objectContaining({ in: 'params', pointer: '/id' })]);
    });

    it('body of an adapter route, and its unreadable or missing body (GW_ERR_REQUEST_INVALID: it is no CAIS record)', async () => {
      const path = '/v1/safetir/reconciliation/R-NONE/reply';
      const wrong = expectError(await send('POST', path, { headers: JSON_TYPE, body: '{"replyType":9,"record":{"TNO":"XA1"}}' }), 400, 'GW_ERR_REQUEST_INVALID');
      expect(wrong.violations).toEqual(
        expect.arrayContaining([
          { code: 'GW_ERR_REQUEST_INVALID', in: 'body', pointer: '/replyType', message: 'must be equal to one of the allowed values' },
          { code: 'GW_ERR_REQUEST_INVALID', in: 'body', pointer: '/record/ICC', message: 'is required' },
        ]),
      );
      const missing = expectError(await send('POST', path, { headers: JSON_TYPE, body: '{}' }), 400, 'GW_ERR_REQUEST_INVALID');
      expect(missing.violations).toEqual([{ code: 'GW_ERR_REQUEST_INVALID', in: 'body', pointer: '/replyType', message: 'is required' }]);
      expectError(await send('POST', path, { headers: JSON_TYPE, body: '{"replyType":' }), 400, 'GW_ERR_REQUEST_INVALID', /^the request body is not valid JSON/);
      expectError(await send('POST', path, { headers: JSON_TYPE, body: '{"__proto__":{},"replyType":1}' }), 400, 'GW_ERR_REQUEST_INVALID', /"__proto__"/);
      expectError(await send('POST', path), 400, 'GW_ERR_REQUEST_INVALID', 'the request has no body; send one as application/json');
    });

    it('an adapter route query', async () => {
      const error = expectError(await send('GET', '/v1/safetir/carnets/DX25123456?queryType=7'), 400, 'GW_ERR_REQUEST_INVALID');
      expect(error.violations).toEqual([expect.objectContaining({ in: 'querystring', pointer: '/queryType' })]);
    });
  });

  describe('routes and methods', () => {
    it('an unknown path: 404 GW_ERR_NOT_FOUND, whatever body it carries', async () => {
      expectError(await send('GET', '/v1/nothing-here?token=x'), 404, 'GW_ERR_NOT_FOUND', 'no route GET /v1/nothing-here: the path is unknown or does not take GET');
      expectError(await send('POST', '/v1/nothing-here', { headers: { 'content-type': 'text/plain' }, body: 'x' }), 404, 'GW_ERR_NOT_FOUND');
      expectError(await send('GET', '/docs/static/no-such-file.js'), 404, 'GW_ERR_NOT_FOUND');
    });

    it('a method the path does not take: 404 GW_ERR_NOT_FOUND (fastify has no 405), saying so', async () => {
      expectError(await send('DELETE', '/v1/messages'), 404, 'GW_ERR_NOT_FOUND', 'no route DELETE /v1/messages: the path is unknown or does not take DELETE');
      expectError(await send('GET', '/v1/cais/records'), 404, 'GW_ERR_NOT_FOUND', 'no route GET /v1/cais/records: the path is unknown or does not take GET');
      await refusedWithNothingStored(async () => {
        expectError(await send('PUT', '/v1/cais/records', { headers: JSON_TYPE, body: JSON.stringify(freshMovement()) }), 404, 'GW_ERR_NOT_FOUND');
      });
    });

    it('OPTIONS is not served (no CORS): 404 GW_ERR_NOT_FOUND', async () => {
      expectError(await send('OPTIONS', '/v1/cais/records', { token: null }), 404, 'GW_ERR_NOT_FOUND', 'no route OPTIONS /v1/cais/records: the path is unknown or does not take OPTIONS');
    });

    it('HEAD answers like GET without a body, with the same authentication', async () => {
      const health = await send('HEAD', '/healthz', { token: null });
      expect([health.status, health.text]).toEqual([200, '']);
      const anonymous = await send('HEAD', '/v1/messages', { token: null });
      expect([anonymous.status, anonymous.text]).toEqual([401, '']);
      const unknown = await send('HEAD', '/v1/nothing-here');
      expect([unknown.status, unknown.text]).toEqual([404, '']);
    });

    it('authentication comes before the body is read', async () => {
      expectError(await send('POST', '/v1/cais/records', { token: 'nope', headers: JSON_TYPE, body: '{"__proto__":' }), 401, 'GW_ERR_UNAUTHENTICATED');
      expectError(await send('POST', '/v1/cais/records', { token: null, headers: { 'content-type': 'text/plain' }, body: 'x' }), 401, 'GW_ERR_UNAUTHENTICATED');
    });
  });

  describe('adapter routes and the routes that need no token', () => {
    it('a partner refusal reaches the client with its return code: 502 GW_ERR_PARTNER_REJECTED', async () => {
      const sim = gw.gateway.simulators.get('iru-safetir')!;
      sim.faults.partnerErrorNext(1, 1233);
      expectError(await send('GET', '/v1/safetir/carnets/DX25123456'), 502, 'GW_ERR_PARTNER_REJECTED', /1233/);
      sim.faults.reset();
    });

    it('/healthz, /readyz, /metrics and /docs still answer', async () => {
      expect((await send('GET', '/healthz', { token: null })).text).toBe('{"status":"ok"}');
      expect((await send('GET', '/readyz', { token: null })).status).toBe(200);
      const metrics = await send('GET', '/metrics', { token: null });
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('gateway_records_total');
      const docs = await send('GET', '/docs', { token: null });
      expect(docs.status).toBe(200);
      expect(docs.headers.get('content-type')).toContain('text/html');
      const openapi = JSON.parse((await send('GET', '/docs/json', { token: null })).text) as { paths: Record<string, unknown> };
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/cais/records', '/v1/messages', '/v1/safetir/carnets/{number}']));
    });
  });
});

describe('API error answers for failures inside handlers, and their log lines', () => {
  const SECRET = '/etc/gateway/keys/partner.pem at 10.9.8.7:8443';
  const lines: Array<{ level: number; msg: string; code?: string; reason?: string; err?: { message: string; stack: string } }> = [];
  let ingested = 0;
  let app: FastifyInstance;

  const failing = (path: string, fail: () => Promise<never> | Promise<{ status: number; body: unknown }>): PartnerRoute => ({ method: 'GET', path, roles: ['auditor'], summary: path, handler: fail });
  const partnerRoutes: PartnerRoute[] = [
    failing('/v1/test/plain-error', async () => Promise.reject(new Error(`cannot open ${SECRET}`))),
    failing('/v1/test/error-with-status', async () => Promise.reject(Object.assign(new Error(`upstream 404 from ${SECRET}`), { statusCode: 404 }))),
    failing('/v1/test/unregistered-code', async () => Promise.reject(new GatewayError('GW_ERR_NOBODY_REGISTERED_THIS', `lost ${SECRET}`))),
    failing('/v1/test/key', async () => Promise.reject(new GatewayError('GW_ERR_KEY_UNAVAILABLE', `cannot read ${SECRET}`))),
    failing('/v1/test/partner-down', async () => Promise.reject(new GatewayError('GW_ERR_PARTNER_UNAVAILABLE', `connect ECONNREFUSED ${SECRET}`))),
    failing('/v1/test/partner-code', async () => Promise.reject(new GatewayError('GW_ERR_PARTNER_REJECTED', 'IRU TCHQ: return code 1233 SERVICE_NOT_ACTIVE_OR_WRONG_PASSWORD', { partnerCode: '1233' }))),
    failing('/v1/test/error-status', async () => ({ status: 500, body: { stack: SECRET } })),
  ];

  async function call(method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}, payload?: string): Promise<Answer> {
    const res = await app.inject({ method, url, headers: { authorization: 'Bearer t', ...headers }, ...(payload === undefined ? {} : { payload }) });
    return { status: res.statusCode, headers: new Headers(res.headers as Record<string, string>), text: res.body };
  }

  /** The error log lines written while `act` ran. */
  async function logged(act: () => Promise<void>): Promise<typeof lines> {
    const from = lines.length;
    await act();
    return lines.slice(from).filter((l) => l.msg !== 'incoming request' && l.msg !== 'request completed');
  }

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as (typeof lines)[number]);
        done();
      },
    });
    let outboxFull = false;
    const ingest: Ingest = {
      async accept(values) {
        if (outboxFull) throw new GatewayError('GW_ERR_OUTBOX_FULL', '9 accepted messages wait for the queue (limit 9); nothing of this request was accepted');
        outboxFull = true;
        ingested += values.length;
        return values.map((_, index) => ({ index, recordId: `R-${index}`, status: 'accepted' as const, messages: [] }));
      },
    };
    const metrics = { registry: { contentType: 'text/plain' }, render: async () => '' } as unknown as GatewayMetrics;
    // Only the parts these requests reach; the rest of ApiParts is left out.
    const parts: Partial<ApiParts> = {
      store: { ping: async () => undefined } as unknown as MessageStore,
      ingest,
      metrics,
      tokens: [{ name: 'tester', token: 't', roles: ['cais', 'admin', 'auditor'] }],
      roles: BUILTIN_ROLES,
      logger: createLogger('info', sink),
      wake: () => undefined,
      queueReady: () => true,
      partnerRoutes,
    };
    app = await buildApi(parts as ApiParts);
    await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refusals are logged once at info with their code and reason, and never reach ingest', async () => {
    const log = await logged(async () => {
      expectError(await call('POST', '/v1/cais/records', JSON_TYPE, '{"a":'), 400, 'GW_ERR_RECORD_UNREADABLE');
      expectError(await call('POST', '/v1/cais/records', { 'content-type': 'text/plain' }, '{}'), 415, 'GW_ERR_UNSUPPORTED_MEDIA_TYPE');
      expectError(await call('GET', '/v1/nothing-here'), 404, 'GW_ERR_NOT_FOUND');
    });
    expect(log.map((l) => [l.level, l.msg, l.code])).toEqual([
      [30, 'request refused', 'GW_ERR_RECORD_UNREADABLE'],
      [30, 'request refused', 'GW_ERR_UNSUPPORTED_MEDIA_TYPE'],
      [30, 'request refused', 'GW_ERR_NOT_FOUND'],
    ]);
    expect(ingested).toBe(0);
  });

  it.each([
    ['/v1/test/plain-error', 'a thrown Error'],
    ['/v1/test/error-with-status', 'an Error carrying a 4xx statusCode (not a client mistake)'],
    ['/v1/test/unregistered-code', 'a GatewayError with a code nobody registered'],
    ['/v1/test/error-status', 'an error status answered instead of thrown'],
  ])('%s (%s): 500 GW_ERR_INTERNAL with the catalogue message; the cause logged once at error', async (path) => {
    let res: Answer | undefined;
    const log = await logged(async () => {
      res = await call('GET', path);
    });
    expectError(res!, 500, 'GW_ERR_INTERNAL', CORE_ERRORS.GW_ERR_INTERNAL.message);
    expect(res!.text).not.toContain('10.9.8.7');
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ level: 50, msg: 'request failed', code: 'GW_ERR_INTERNAL' });
    expect(log[0]!.err!.stack).toContain('at ');
  });

  it('a 500 GatewayError shows the catalogue message, not the reason that names a file', async () => {
    const res = await call('GET', '/v1/test/key');
    expectError(res, 500, 'GW_ERR_KEY_UNAVAILABLE', CORE_ERRORS.GW_ERR_KEY_UNAVAILABLE.message);
    expect(res.text).not.toContain('partner.pem');
  });

  it('partner failures are logged at warn; the reason is shown only when it carries the partner code', async () => {
    let down: Answer | undefined;
    let refused: Answer | undefined;
    const log = await logged(async () => {
      down = await call('GET', '/v1/test/partner-down');
      refused = await call('GET', '/v1/test/partner-code');
    });
    expectError(down!, 502, 'GW_ERR_PARTNER_UNAVAILABLE', CORE_ERRORS.GW_ERR_PARTNER_UNAVAILABLE.message);
    expect(down!.text).not.toContain('10.9.8.7');
    expectError(refused!, 502, 'GW_ERR_PARTNER_REJECTED', 'IRU TCHQ: return code 1233 SERVICE_NOT_ACTIVE_OR_WRONG_PASSWORD');
    expect(log.map((l) => [l.level, l.code])).toEqual([
      [40, 'GW_ERR_PARTNER_UNAVAILABLE'],
      [40, 'GW_ERR_PARTNER_REJECTED'],
    ]);
    expect(log[0]!.reason).toContain('10.9.8.7');
  });

  it('a client that hangs up mid-body is logged once at info, not as a fault of ours', async () => {
    const { port } = app.server.address() as AddressInfo;
    const log = await logged(async () => {
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write('POST /v1/cais/records HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"recordId":');
          setTimeout(() => socket.destroy(), 100);
        });
        socket.on('close', () => setTimeout(resolve, 200));
      });
    });
    expect(log.map((l) => [l.level, l.msg, l.code, l.reason])).toEqual([[30, 'request refused', 'GW_ERR_REQUEST_INVALID', 'the connection closed before the request body was complete']]);
    expect(ingested).toBe(0);
  });

  it('a full outbox on the records route: 503 GW_ERR_OUTBOX_FULL with Retry-After, in the error shape despite the route schemas', async () => {
    const record = JSON.stringify(freshMovement());
    expect((await call('POST', '/v1/cais/records', JSON_TYPE, record)).status).toBe(202);
    const full = await call('POST', '/v1/cais/records', JSON_TYPE, record);
    expectError(full, 503, 'GW_ERR_OUTBOX_FULL', CORE_ERRORS.GW_ERR_OUTBOX_FULL.message);
    expect(full.headers.get('retry-after')).toBe('5');
  });
});
