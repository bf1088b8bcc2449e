// Starts an in-process gateway on temporary data, keys and a free port, with simulators, for service tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import type pino from 'pino';

/** The token the test gateways accept, with every role. */
export const TEST_TOKEN = 'test-token-0123456789abcdef';
/** A token with the auditor role only; the audit trail names it `auditor-anna`. */
export const AUDITOR_TOKEN = 'auditor-token-0123456789abcdef';
/** A token of the deployment's own role `reviewer`, whose only right is metadata; named `reviewer-rita`. */
export const REVIEWER_TOKEN = 'reviewer-token-0123456789abcdef';

/** A started gateway and how to reach it. */
export interface RunningGateway {
  gateway: Gateway;
  url: string;
  /** The configuration variables it runs with (for a `gateway` command on the same log and keys). */
  env: Record<string, string>;
  /** Calls the API with the test token; JSON bodies in and out. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- API answers are checked field by field in the tests
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any; headers: Headers }>;
  /** Polls `check` until it returns a value (not undefined), for at most `timeoutMs`. */
  waitFor<T>(check: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts a gateway; `env` adds or overrides configuration (retries are 1000× faster by default);
 * `logTo` receives every log line at debug level (instead of GATEWAY_TEST_LOG_LEVEL to stdout).
 */
export async function startTestGateway(env: Record<string, string> = {}, logTo?: pino.DestinationStream): Promise<RunningGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-service-'));
  const configured: Record<string, string> = {
    GATEWAY_DATA_DIR: join(dir, 'data'),
    GATEWAY_CERTS_DIR: join(dir, 'certs'),
    GATEWAY_PORT: '0',
    GATEWAY_INBOUND_PORT: '0',
    GATEWAY_TOKENS: `tester=${TEST_TOKEN}:cais,admin,auditor;auditor-anna=${AUDITOR_TOKEN}:auditor;reviewer-rita=${REVIEWER_TOKEN}:reviewer`,
    GATEWAY_ROLES: 'reviewer=metadata',
    GATEWAY_RETRY_DELAY_SCALE: '0.001',
    // Partners' signals and answers get a twentieth of their real time (3 s for a minute), not a thousandth: a member's answers arrive in time.
    GATEWAY_TRANSACTION_TIME_SCALE: '0.05',
    ...env,
  };
  const config = loadConfig(configured);
  const logger = logTo ? createLogger('debug', logTo) : createLogger(process.env.GATEWAY_TEST_LOG_LEVEL ?? 'silent');
  const gateway = await createGateway(config, { logger });
  const url = await gateway.start();
  const api: RunningGateway['api'] = async (method, path, body, token = TEST_TOKEN) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  const waitFor: RunningGateway['waitFor'] = async (check, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return {
    gateway,
    url,
    env: configured,
    api,
    waitFor,
    async stop() {
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The detail of the message to `partner` made from record `recordId` and found by business key `key`,
 * once it is delivered (within `timeoutMs`); the test fails when no such message exists.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API answers are checked field by field in the tests
export async function deliveredMessage(gw: RunningGateway, partner: string, key: string, recordId: string, timeoutMs = 20_000): Promise<any> {
  const listed = await gw.api('GET', `/v1/messages?partner=${partner}&key=${encodeURIComponent(key)}`);
  const id = (listed.body.items as Array<{ id: string; recordId: string }>).find((m) => m.recordId === recordId)?.id;
  if (!id) throw new Error(`no message to ${partner} of record ${recordId} carries the key ${key}`);
  return gw.waitFor(async () => {
    const res = await gw.api('GET', `/v1/messages/${id}`);
    return res.body.status === 'delivered' ? res.body : undefined;
  }, timeoutMs);
}
