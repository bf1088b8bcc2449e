// SIGKILL between accepting pushes and handing them to CAIS loses nothing: a restarted gateway hands every accepted record to the webhook, once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { pushAccepted } from '../support/eaeu-push.js';
import { startGatewayProcess, until, type GatewayProcess } from '../support/gateway-process.js';
import { inboundClient, type InboundClient } from '../support/inbound-client.js';
import { startWebhookRecorder, type WebhookRecorder } from '../support/webhook-recorder.js';
import { PROJECT_PARTNERS } from '../support/project.js';

const TOKEN = 'inbound-crash-token-0123456789';
const PUSHES = 30;
const dir = mkdtempSync(join(tmpdir(), 'gw-inbound-crash-'));
const certsDir = join(dir, 'certs');
initDevCertificates(certsDir, PROJECT_PARTNERS);

let webhook: WebhookRecorder | undefined;
let client: InboundClient | undefined;
const children: GatewayProcess[] = [];
afterAll(async () => {
  for (const c of children) c.child.kill('SIGKILL');
  await client?.close();
  await webhook?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A gateway process on the test's data and certificates, handing records to the webhook; short leases, fast retries. */
async function startGateway(sinkUrl: string): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess({
    GATEWAY_DATA_DIR: join(dir, 'data'),
    GATEWAY_CERTS_DIR: certsDir,
    GATEWAY_PORT: '0',
    GATEWAY_INBOUND_PORT: '0',
    GATEWAY_TOKENS: `${TOKEN}:cais,admin,auditor`,
    GATEWAY_CAIS_SINK_URL: sinkUrl,
    GATEWAY_LEASE_MS: '1500',
    GATEWAY_RETRY_DELAY_SCALE: '0.001',
    GATEWAY_TRANSACTION_TIME_SCALE: '0.05',
  });
  children.push(gateway);
  return gateway;
}

/** The log's view of one inbound message. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the detail is checked field by field
async function logged(gateway: GatewayProcess, id: string): Promise<any> {
  const res = await fetch(`${gateway.url}/v1/messages/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return res.json();
}

describe('inbound crash recovery', () => {
  it(`hands all ${PUSHES} accepted pushes to CAIS after SIGKILL mid-hand-over and a restart`, { timeout: 180_000 }, async () => {
    const cais = await startWebhookRecorder();
    webhook = cais;
    // Phase 0: CAIS takes every hand-over and never answers, so each record is accepted and stuck in its hand-over.
    cais.answerWith(() => 'hang');
    let gateway = await startGateway(cais.url);
    client = inboundClient(gateway.inboundUrl ?? '', certsDir);
    const tdn = (i: number): string => `10216100/011226/09${String(i).padStart(5, '0')}`;
    // Every push is answered 202 only once it is logged durably.
    const api = async (method: string, path: string) => {
      const res = await fetch(`${gateway.url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
      return { status: res.status, body: (await res.json()) as { items?: Array<{ id: string; direction: string }> } };
    };
    const ids = await Promise.all(Array.from({ length: PUSHES }, (_, i) => pushAccepted(client!, api, certsDir, { transitDeclarationNumber: tdn(i) })));
    expect(new Set(ids).size).toBe(PUSHES);
    await until(() => cais.requests.length > 0, 60_000);
    gateway.child.kill('SIGKILL');
    await gateway.exited;
    await client.close();
    client = undefined;
    const inFlight = new Set(cais.requests.map((r) => r.key)).size;
    expect(cais.requests.filter((r) => r.acknowledged)).toEqual([]);

    // Phase 1: restarted on the same data folder; CAIS answers 200 on the new connections.
    cais.nextPhase();
    cais.answerWith(() => 200);
    gateway = await startGateway(cais.url);
    const details = await (async () => {
      let latest: Array<{ status: string }> = [];
      await until(async () => {
        latest = await Promise.all(ids.map((id) => logged(gateway, id)));
        return latest.every((d) => d.status === 'handed-over');
      }, 120_000);
      return latest;
    })();

    const before = (id: string) => cais.requests.filter((r) => r.key === id && r.phase === 0);
    const after = (id: string) => cais.requests.filter((r) => r.key === id && r.phase === 1);
    // Never zero: each record reached CAIS after the restart unless CAIS had said 200 before.
    expect(ids.filter((id) => after(id).length === 0 && !before(id).some((r) => r.acknowledged))).toEqual([]);
    // At most one more: no record was delivered twice after the restart.
    const duplicates = ids.filter((id) => after(id).length > 1);
    expect(duplicates).toEqual([]);
    expect(cais.requests.filter((r) => r.key === undefined || !ids.includes(r.key))).toEqual([]);
    ids.forEach((id, i) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the detail is checked field by field
      const detail = details[i] as any;
      expect(detail).toMatchObject({ status: 'handed-over', handover: { via: 'webhook', lastError: null }, record: { value: { transitDeclarationNumber: tdn(i) } } });
      expect(detail.lineage.at(-1)).toMatchObject({ step: 'cais-handover', status: 'done', via: 'webhook' });
      expect(JSON.parse(after(id)[0]?.body ?? 'null')).toEqual(detail.record.value);
    });
    console.log(
      `inbound crash test: ${PUSHES} accepted; at SIGKILL ${inFlight} in flight (sent to CAIS, unanswered), ${PUSHES - inFlight} not yet sent; ` +
        `after the restart all ${PUSHES} handed over, ${duplicates.length} duplicate deliveries (same idempotency key)`,
    );
  });
});
