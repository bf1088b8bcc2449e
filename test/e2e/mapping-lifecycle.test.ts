// The mapping lifecycle on a running gateway: a broken upload refused with its pointer, a dry run over logged records, activation while records keep coming (none lost, none doubled, each stamped with the version that made it), rollback step by step, hand edits never overwritten.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-run.js';
import { RECORD_FIXTURES, ROOT } from '../support/project.js';
import { AUDITOR_TOKEN, startTestGateway, type RunningGateway } from '../support/running-gateway.js';

const MAPPING = 'iru-safetir/safetir-upload.yaml';
const ID = 'iru-safetir.safetir-upload';
const termination = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'tir.termination.json'), 'utf8')) as Record<string, unknown>;
const original = readFileSync(join(ROOT, 'mappings', MAPPING), 'utf8');
/** Version n: the certificate reference written with a prefix, so documents of each version can be told apart. */
const version = (n: number, prefix = 'NEW-'): string => original.replace(/^version: 2$/m, `version: ${n}`).replace('"@RND": certificate.reference', `"@RND": "'${prefix}' & certificate.reference"`);
const v3 = version(3);

describe('mapping lifecycle', () => {
  let gw: RunningGateway;
  let posted = 0;

  /** Posts one fresh termination; returns its record id and the id of its SafeTIR message. */
  async function post(): Promise<{ recordId: string; message: string }> {
    const recordId = `KZ-TT-MAP-${++posted}-${Date.now()}`;
    const res = await gw.api('POST', '/v1/cais/records', { ...termination, recordId });
    expect(res.status).toBe(202);
    const messages = res.body.results[0].messages as Array<{ id: string; partner: string }>;
    expect(messages.filter((m) => m.partner === 'iru-safetir')).toHaveLength(1);
    return { recordId, message: messages.find((m) => m.partner === 'iru-safetir')!.id };
  }

  async function versionOf(message: string): Promise<number> {
    return (await gw.api('GET', `/v1/messages/${message}`)).body.mapping.version as number;
  }

  beforeAll(async () => {
    const mappings = join(mkdtempSync(join(tmpdir(), 'gw-mappings-')), 'mappings');
    cpSync(join(ROOT, 'mappings'), mappings, { recursive: true });
    gw = await startTestGateway({ GATEWAY_MAPPINGS_DIR: mappings });
    for (let i = 0; i < 3; i++) await post();
  }, 60_000);
  afterAll(async () => gw?.stop(), 60_000);

  it('refuses an upload with a broken expression with its pointer, and one that does not raise the version', async () => {
    const broken = await gw.api('POST', '/v1/mappings/uploads', { path: MAPPING, yaml: v3.replace(`"'NEW-' & certificate.reference"`, `"'NEW-' & "`) });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('GW_ERR_MAPPING_REFUSED');
    expect(broken.body.error.violations[0]).toMatchObject({ code: 'GW_ERR_MAPPING_EXPRESSION', message: expect.stringContaining('Unexpected end of expression') });
    expect(broken.body.error.violations[0].pointer).toBe('/document/SafeTIR/Body/SafeTIRRecords/Record/@RND');
    const same = await gw.api('POST', '/v1/mappings/uploads', { path: MAPPING, yaml: original });
    expect(same.status).toBe(400);
    expect(same.body.error.violations[0].pointer).toBe('/version');
    expect((await gw.api('POST', '/v1/mappings/uploads', { path: MAPPING, yaml: v3 }, AUDITOR_TOKEN)).status).toBe(403);
    for (const answer of [broken, same]) {
      expect(JSON.stringify(answer.body)).not.toContain(gw.env.GATEWAY_DATA_DIR!);
      expect(JSON.stringify(answer.body)).not.toContain(gw.env.GATEWAY_MAPPINGS_DIR!);
    }
  });

  it('refuses an upload over a file the gateway does not run as an outbound mapping (an inbound one), leaving it untouched', async () => {
    const inbound = 'eaeu-ru/transit-notice-from-p-cp-01.yaml';
    const before = readFileSync(join(gw.env.GATEWAY_MAPPINGS_DIR!, inbound), 'utf8');
    const outbound = readFileSync(join(ROOT, 'mappings', 'eaeu-ru/p-cp-01-from-movement.yaml'), 'utf8').replace(/^id: .*$/m, 'id: eaeu-ru.shadow');
    const res = await gw.api('POST', '/v1/mappings/uploads', { path: inbound, yaml: outbound });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(`${inbound} is a file the gateway does not run as an outbound mapping`);
    expect(readFileSync(join(gw.env.GATEWAY_MAPPINGS_DIR!, inbound), 'utf8')).toBe(before);
    const inboundId = /^id: (.*)$/m.exec(before)![1]!;
    const sameId = await gw.api('POST', '/v1/mappings/uploads', { path: 'eaeu-ru/shadow.yaml', yaml: outbound.replace(/^id: .*$/m, `id: ${inboundId}`) });
    expect(sameId.status).toBe(400);
    expect(sameId.body.error.violations[0]).toMatchObject({ pointer: '/id', message: expect.stringContaining(`is the inbound mapping of ${inbound}`) });
  });

  it('dry-runs a valid upload over the logged records, the active and the new document side by side', async () => {
    const staged = await gw.api('POST', '/v1/mappings/uploads', { path: MAPPING, yaml: v3 });
    expect(staged.status).toBe(201);
    expect(staged.body).toMatchObject({ id: ID, version: 3, replaces: { version: 2 } });
    expect(staged.body.goldens.length).toBeGreaterThan(0);
    expect(staged.body.goldens.every((g: { result: string }) => g.result === 'differs')).toBe(true);
    const dry = await gw.api('POST', `/v1/mappings/uploads/${staged.body.uploadId}/dry-run`, { records: 2 });
    expect(dry.status).toBe(200);
    expect(dry.body.cases).toHaveLength(2);
    expect(dry.body.differing).toBe(2);
    for (const c of dry.body.cases) {
      expect(c.active.document).toContain('RND="TC-554010-118"');
      expect(c.proposed.document).toContain('RND="NEW-TC-554010-118"');
    }
  });

  it('activates while records keep coming: none lost or doubled, each stamped with the version that made it; then rolls back', async () => {
    const staged = await gw.api('POST', '/v1/mappings/uploads', { path: MAPPING, yaml: v3 });
    const before: string[] = [];
    const during: string[] = [];
    const after: string[] = [];
    let phase: string[] = before;
    let stop = false;
    const load = (async () => {
      while (!stop) phase.push((await post()).message);
    })();
    while (before.length < 5) await new Promise((r) => setTimeout(r, 10));
    phase = during;
    const activated = await gw.api('POST', `/v1/mappings/uploads/${staged.body.uploadId}/activate`);
    phase = after;
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({ id: ID, version: 3, by: 'tester', kind: 'activated' });
    while (after.length < 5) await new Promise((r) => setTimeout(r, 10));
    stop = true;
    await load;

    for (const id of before) expect(await versionOf(id)).toBe(2);
    for (const id of after) expect(await versionOf(id)).toBe(3);
    for (const id of during) expect([2, 3]).toContain(await versionOf(id));
    const payload = await fetch(`${gw.url}/v1/messages/${after[0]}/payload`, { headers: { authorization: `Bearer ${AUDITOR_TOKEN}` } });
    expect(await payload.text()).toContain('NEW-TC-554010-118');
    const logged = (await gw.api('GET', '/v1/messages?partner=iru-safetir&limit=500')).body.items as Array<{ id: string }>;
    expect(logged).toHaveLength(posted);
    expect(new Set(logged.map((m) => m.id)).size).toBe(posted);

    const listed = (await gw.api('GET', '/v1/mappings')).body.items.find((m: { id: string }) => m.id === ID);
    expect(listed).toMatchObject({ path: MAPPING, running: { version: 3 }, lastActivation: { version: 3, by: 'tester', kind: 'activated' } });
    expect(listed.fileSha256).toBe(listed.running.sha256);

    const rolled = await gw.api('POST', `/v1/mappings/${ID}/rollback`);
    expect(rolled.body).toMatchObject({ id: ID, version: 2, kind: 'rolled-back' });
    const next = await post();
    expect(await versionOf(next.message)).toBe(2);
    const trail = (await gw.gateway.store.audit.auditTrail(`mapping:${ID}`, 100)).map((e) => `${e.actor} ${e.action}`);
    expect(trail).toEqual(['tester mapping.uploaded', 'tester mapping.uploaded', 'tester mapping.activated', 'tester mapping.rolled-back']);
  });

  it('never reuses a version number, and rolls back step by step through the versions that ran', async () => {
    const reused = await gw.api('POST', '/v1/mappings/uploads', { path: MAPPING, yaml: version(3, 'OTHER-') });
    expect(reused.status).toBe(400);
    expect(reused.body.error.message).toContain('/version must be above 3');
    const rival = await gw.api('POST', '/v1/mappings/uploads', { path: MAPPING, yaml: version(4, 'RIVAL-') });
    expect(rival.status).toBe(201);
    for (const n of [4, 5]) {
      const staged = await gw.api('POST', '/v1/mappings/uploads', { path: MAPPING, yaml: version(n, `V${n}-`) });
      expect(staged.body.replaces.version).toBe(n === 4 ? 2 : 4);
      expect((await gw.api('POST', `/v1/mappings/uploads/${staged.body.uploadId}/activate`)).status).toBe(200);
    }
    expect(await versionOf((await post()).message)).toBe(5);
    for (const back of [4, 2]) {
      const rolled = await gw.api('POST', `/v1/mappings/${ID}/rollback`);
      expect(rolled.body).toMatchObject({ version: back, kind: 'rolled-back' });
      const { message } = await post();
      expect(await versionOf(message)).toBe(back);
      expect(readFileSync(join(gw.env.GATEWAY_MAPPINGS_DIR!, MAPPING), 'utf8')).toBe(back === 2 ? original : version(4, 'V4-'));
    }
    const bottom = await gw.api('POST', `/v1/mappings/${ID}/rollback`);
    expect(bottom.status).toBe(409);
    expect(bottom.body.error.message).toContain('no earlier version');
    // Staged beside the v4 that ran, it replaces what runs now (v2) but may not give v4 a second text.
    const late = await gw.api('POST', `/v1/mappings/uploads/${rival.body.uploadId}/activate`);
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('/version must be above 5');
  });

  it('`gateway mappings list` shows the file and the last activation, and flags a file edited since', async () => {
    const line = async () => (await runCli(['mappings', 'list'], gw.env)).stdout.split('\n').find((l) => l.startsWith(`${ID}@`))!;
    expect(await line()).toMatch(/^iru-safetir\.safetir-upload@2 .*\| last rolled-back v2 sha256=\w+… by tester at \S+$/);
    writeFileSync(join(gw.env.GATEWAY_MAPPINGS_DIR!, MAPPING), `${original}# edited by hand\n`);
    expect(await line()).toContain('DIFFERS from the file');
  });

  it('refuses to activate or roll back over a file edited by hand since the gateway loaded it, and keeps the edit', async () => {
    const staged = await gw.api('POST', '/v1/mappings/uploads', { path: MAPPING, yaml: version(6) });
    expect(staged.status).toBe(201);
    const activation = await gw.api('POST', `/v1/mappings/uploads/${staged.body.uploadId}/activate`);
    expect(activation.status).toBe(409);
    expect(activation.body.error.message).toContain(`${MAPPING} was changed on disk since the gateway loaded it`);
    expect(activation.body.error.message).not.toContain(gw.env.GATEWAY_MAPPINGS_DIR!);
    expect((await gw.api('POST', `/v1/mappings/${ID}/rollback`)).status).toBe(409);
    expect(readFileSync(join(gw.env.GATEWAY_MAPPINGS_DIR!, MAPPING), 'utf8')).toBe(`${original}# edited by hand\n`);
    expect(await versionOf((await post()).message)).toBe(2);
  });
});
