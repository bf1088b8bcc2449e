// Mutual TLS towards a partner: the partner's pool presents our client certificate and trusts only its anchors, over undici, end to end through the gateway.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKeyCapabilities } from '../../src/security/key-capabilities.js';
import { startSimulatorServer, type PartnerSimulator } from '../../src/sim/partner-simulator.js';
import { createPartnerHttpClient } from '../../src/transport/http-client.js';
import memberSimulator from '../../adapters/eaeu-iis/sim/simulator.js';
import { RECORD_FIXTURES, ROOT, tempDevCertificates } from '../support/project.js';
import { startTestGateway } from '../support/running-gateway.js';

const certs = tempDevCertificates(['eaeu-ru']);
const pem = (name: string): string => readFileSync(join(certs, name), 'utf8');
const request = { method: 'POST' as const, path: '/notices', headers: { 'content-type': 'text/plain' }, body: Buffer.from('hello') };
let sim: PartnerSimulator;

beforeAll(async () => {
  sim = await startSimulatorServer(
    {
      partner: 'tls-partner',
      path: '/notices',
      handle: (r) => ({ received: { messageId: r.body.toString(), valid: true, problems: [], document: '' }, response: { status: 200, headers: {}, body: Buffer.from('ok') } }),
    },
    { tls: { cert: pem('partners/eaeu-ru.cert.pem'), key: pem('partners/eaeu-ru.key.pem'), ca: [pem('ca.cert.pem')] } },
  );
});
afterAll(async () => {
  await sim?.close();
  rmSync(certs, { recursive: true, force: true });
});

describe('a partner pool with mutual TLS', () => {
  it('presents our client certificate, which the partner sees, and trusts the partner through its anchor', async () => {
    const client = createPartnerHttpClient({ connections: 2, tls: { cert: pem('gateway.cert.pem'), key: pem('gateway.key.pem'), ca: [pem('ca.cert.pem')] } });
    const result = await client.send(sim.url, request, 5_000, 1024);
    await client.close();
    expect(result).toMatchObject({ kind: 'response', status: 200 });
    expect(sim.received.at(-1)?.clientCertificate?.subject).toBe('customs-gateway');
  });

  it('without a client certificate the partner refuses the handshake; nothing reaches it', async () => {
    const before = sim.received.length;
    const client = createPartnerHttpClient({ connections: 1, tls: { ca: [pem('ca.cert.pem')] } });
    const result = await client.send(sim.url, request, 5_000, 1024);
    await client.close();
    expect(result.kind).toBe('error');
    expect(sim.received.length).toBe(before);
  });

  it('a partner whose certificate does not chain to its anchors is refused before anything is sent', async () => {
    const before = sim.received.length;
    const client = createPartnerHttpClient({ connections: 1, tls: { cert: pem('gateway.cert.pem'), key: pem('gateway.key.pem') } });
    const result = await client.send(sim.url, request, 5_000, 1024);
    await client.close();
    expect(result).toMatchObject({ kind: 'error', error: 'connect', message: expect.stringMatching(/^TLS /) });
    expect(sim.received.length).toBe(before);
  });
});

describe('answers longer than the limit', () => {
  let server: ReturnType<typeof createServer>;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const big = Buffer.alloc(req.url?.startsWith('/small') ? 20_000 : 256 * 1024, 'a');
      if (req.url?.endsWith('declared')) res.writeHead(200, { 'content-length': String(big.length) }).end(big);
      else res.writeHead(200).end(big); // chunked: no length announced
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['/declared', 64 * 1024],
    ['/chunked', 64 * 1024],
    // A whole answer that arrives with its headers: dropping it must not crash the process.
    ['/small-declared', 16 * 1024],
    ['/small-chunked', 16 * 1024],
  ])('%s: the oversize error, never a truncated body', async (path, limit) => {
    const client = createPartnerHttpClient({ connections: 1 });
    const result = await client.send(url, { ...request, path }, 5_000, limit);
    expect(result).toMatchObject({ kind: 'error', error: 'oversize' });
    expect((await client.send(url, { ...request, path }, 5_000, 1024 * 1024)).kind).toBe('response');
    await client.close();
  });
});

describe('the gateway delivering over mutual TLS to a partner configured with its TLS files', () => {
  it("delivers a signed P.CP.01 message to Russia's member gateway; it saw our client certificate", async () => {
    const identity = loadKeyCapabilities(join(certs, 'partners', 'eaeu-ru.key.pem'), join(certs, 'partners', 'eaeu-ru.cert.pem'));
    const gatewayCert = loadKeyCapabilities(join(certs, 'gateway.key.pem'), join(certs, 'gateway.cert.pem')).certificate;
    const member = await memberSimulator.start({
      partner: 'eaeu-ru',
      adapter: 'eaeu-iis',
      participants: { member: 'RU', us: 'KZ' },
      options: {},
      identity,
      gatewayCertificates: [gatewayCert],
      schemasDir: join(ROOT, 'schemas'),
      listen: { tls: { cert: pem('partners/eaeu-ru.cert.pem'), key: pem('partners/eaeu-ru.key.pem'), ca: [pem('ca.cert.pem')] } },
      pushToGateway: () => Promise.reject(new Error('this test takes no signals back')),
    });
    const gw = await startTestGateway({
      GATEWAY_CERTS_DIR: certs,
      GATEWAY_PARTNER_EAEU_RU_URL: member.url,
      GATEWAY_PARTNER_EAEU_RU_TLS_CERT_FILE: join(certs, 'gateway.cert.pem'),
      GATEWAY_PARTNER_EAEU_RU_TLS_KEY_FILE: join(certs, 'gateway.key.pem'),
      GATEWAY_PARTNER_EAEU_RU_TLS_CA_FILES: join(certs, 'ca.cert.pem'),
    });
    try {
      expect(member.url).toMatch(/^https:/);
      const movement = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;
      const res = await gw.api('POST', '/v1/cais/records', movement);
      expect(res.status).toBe(202);
      const id = (res.body.results[0].messages as Array<{ id: string; partner: string }>).find((m) => m.partner === 'eaeu-ru')!.id;
      const detail = await gw.waitFor(async () => {
        const found = (await gw.api('GET', `/v1/messages/${id}`)).body;
        return found.status === 'delivered' ? found : undefined;
      });
      // The member checks the document's structure after its 202: wait for its verdict.
      const checked = await gw.waitFor(async () => (member.received.at(-1)?.checking ? undefined : member.received.at(-1)));
      expect(checked).toMatchObject({ messageId: `urn:uuid:${detail.businessKeys.messageId as string}`, valid: true, clientCertificate: { subject: 'customs-gateway' } });
    } finally {
      await gw.stop();
      await member.close();
    }
  });
});
