// The subscriber IRU knows us by: SubscriberID and password from configuration on every call, the password never in the log, IRU's verdicts on a wrong one.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RECORD_FIXTURES } from '../../../test/support/project.js';
import { startTestGateway, type RunningGateway } from '../../../test/support/running-gateway.js';
import { iruState } from '../sim/simulator.js';

const PASSWORD = 'Pa55-w0rd<&>-at-IRU';
const termination = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'tir.termination.json'), 'utf8')) as Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), 'gw-iru-password-'));
let gw: RunningGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    GATEWAY_DATA_DIR: join(dir, 'data'),
    GATEWAY_PARTNER_IRU_SAFETIR_OPTION_PASSWORD: PASSWORD,
    GATEWAY_PARTNER_IRU_SAFETIR_PARTICIPANT_SUBSCRIBER: 'KZ-CUSTOMS-TEST',
  });
});
afterAll(async () => {
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const iru = () => gw.gateway.simulators.get('iru-safetir')!;

describe('subscriber and password from configuration', () => {
  it('WSST: the configured SubscriberID in call and document, the password in the sealed Body only; IRU processes the upload as valid', { timeout: 60_000 }, async () => {
    const res = await gw.api('POST', '/v1/cais/records', { ...termination, recordId: `KZ-TT-PW-${Date.now()}`, departureCountry: 'TUR' });
    const id = (res.body.results[0].messages as Array<{ id: string; partner: string }>).find((m) => m.partner === 'iru-safetir')!.id;
    const detail = await gw.waitFor(async () => {
      const m = await gw.api('GET', `/v1/messages/${id}`);
      return m.body.status === 'delivered' ? m.body : undefined;
    });
    const entry = iru().received.find((r) => r.messageId === (detail.attemptLog[0].batchId ?? id))!;
    await vi.waitFor(() => expect(entry.checking).toBeUndefined());
    expect(entry).toMatchObject({ valid: true, problems: [] });
    expect(entry.document).toContain('<SubscriberID>KZ-CUSTOMS-TEST</SubscriberID><Password>Pa55-w0rd&lt;&amp;&gt;-at-IRU</Password><UploadType>');
    const payload = await fetch(`${gw.url}/v1/messages/${id}/payload`, { headers: { authorization: 'Bearer test-token-0123456789abcdef' } });
    const logged = await payload.text();
    expect(logged).toContain('<SubscriberID>KZ-CUSTOMS-TEST</SubscriberID>');
    expect(logged).not.toContain('Password');
  });

  it('TCHQ and WSRQ carry it; a password IRU does not have on file is 1233 (not retryable)', async () => {
    expect((await gw.api('GET', '/v1/safetir/carnets/DX25123456?originator=KZ554010%2Fofficer-17')).status).toBe(200);
    const query = iru().received.at(-1)!;
    expect(query.document).toContain('<Sender>KZ-CUSTOMS-TEST</Sender>');
    expect(query.document).toContain('<Originator>KZ554010/officer-17</Originator>');
    expect(query.document).toMatch(/<OriginTime>[^<]+<\/OriginTime><Password>Pa55-w0rd&lt;&amp;&gt;-at-IRU<\/Password><Query_Type>/);
    const state = iruState(iru());
    state.subscriber.password = 'changed-at-IRU';
    try {
      const wrong = await gw.api('GET', '/v1/safetir/carnets/DX25123456');
      expect(wrong.status).toBe(502);
      expect(wrong.body.error).toMatchObject({ code: 'GW_ERR_PARTNER_REJECTED', retryable: false });
      expect(wrong.body.error.message).toMatch(/1233 SERVICE_NOT_ACTIVE_OR_WRONG_PASSWORD/);
      const pull = await gw.api('POST', '/v1/safetir/reconciliation/pull');
      expect(pull.body.error?.message).toMatch(/1233/);
    } finally {
      state.subscriber.password = PASSWORD;
    }
  });

  it('an Originator longer than IRU allows is refused before anything is sent', async () => {
    const before = iru().received.length;
    const res = await gw.api('GET', `/v1/safetir/carnets/DX25123456?originator=${'x'.repeat(31)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('GW_ERR_REQUEST_INVALID');
    expect(iru().received.length).toBe(before);
  });

  it('the password is nowhere in the gateway\'s data folder (log database and its journal)', async () => {
    const files = readdirSync(join(dir, 'data'), { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(readFileSync(join(file.parentPath, file.name)).includes(Buffer.from('Pa55-w0rd'))).toBe(false);
  });
});
