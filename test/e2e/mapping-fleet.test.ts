// Two gateway instances on one PostgreSQL log, each with its own mapping folder: an activation and a rollback made on one are followed by the other, in its file and in the messages it makes.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-run.js';
import { RECORD_FIXTURES, ROOT } from '../support/project.js';
import { startTestGateway, type RunningGateway } from '../support/running-gateway.js';
import { storeBackends } from '../support/store-backends.js';

const MAPPING = 'iru-safetir/safetir-upload.yaml';
const ID = 'iru-safetir.safetir-upload';
const termination = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'tir.termination.json'), 'utf8')) as Record<string, unknown>;
const original = readFileSync(join(ROOT, 'mappings', MAPPING), 'utf8');
const v3 = original.replace(/^version: 2$/m, 'version: 3').replace('"@RND": certificate.reference', `"@RND": "'FLEET-' & certificate.reference"`);
const postgres = (await storeBackends('mapping fleet')).find((b) => b.name === 'PostgreSQL')!;

describe.skipIf(postgres.skipped)('mapping versions across two instances on one PostgreSQL log', () => {
  let a: RunningGateway;
  let b: RunningGateway;
  let posted = 0;

  /** Posts a fresh termination to `gw`; resolves with the mapping version its SafeTIR message was made with. */
  async function versionMadeBy(gw: RunningGateway): Promise<number> {
    const res = await gw.api('POST', '/v1/cais/records', { ...termination, recordId: `KZ-TT-FLEET-${++posted}-${Date.now()}` });
    expect(res.status).toBe(202);
    const message = (res.body.results[0].messages as Array<{ id: string; partner: string }>).find((m) => m.partner === 'iru-safetir')!;
    return (await gw.api('GET', `/v1/messages/${message.id}`)).body.mapping.version as number;
  }

  /** Waits until `gw` lists mapping {@link ID} running at `version`. */
  function running(gw: RunningGateway, version: number): Promise<true> {
    return gw.waitFor(async () => {
      const listed = (await gw.api('GET', '/v1/mappings')).body.items.find((m: { id: string }) => m.id === ID);
      return listed?.running.version === version && listed.fileSha256 === listed.running.sha256 ? true : undefined;
    }, 20_000);
  }

  beforeAll(async () => {
    const log = await postgres.open();
    const instance = (): Promise<RunningGateway> => {
      const mappings = join(mkdtempSync(join(tmpdir(), 'gw-fleet-')), 'mappings');
      cpSync(join(ROOT, 'mappings'), mappings, { recursive: true });
      return startTestGateway({ ...log, GATEWAY_MAPPINGS_DIR: mappings, GATEWAY_MAPPING_FOLLOW_MS: '200' });
    };
    a = await instance();
    b = await instance();
  }, 120_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await postgres.drop();
  }, 60_000);

  it('an activation on one instance reaches the other: its file, its list, the version its messages stamp; then a rollback does too', async () => {
    expect(await versionMadeBy(b)).toBe(2);
    const staged = await a.api('POST', '/v1/mappings/uploads', { path: MAPPING, yaml: v3 });
    expect(staged.status).toBe(201);
    expect((await a.api('POST', `/v1/mappings/uploads/${staged.body.uploadId}/activate`)).status).toBe(200);
    await running(b, 3);
    expect(readFileSync(join(b.env.GATEWAY_MAPPINGS_DIR!, MAPPING), 'utf8')).toBe(v3);
    expect(await versionMadeBy(b)).toBe(3);
    // The same number cannot be given another text on the other instance.
    const reused = await b.api('POST', '/v1/mappings/uploads', { path: MAPPING, yaml: v3.replace("'FLEET-'", "'OTHER-'") });
    expect(reused.status).toBe(400);
    expect(reused.body.error.message).toContain('/version must be above 3');

    expect((await b.api('POST', `/v1/mappings/${ID}/rollback`)).status).toBe(200);
    await running(a, 2);
    expect(readFileSync(join(a.env.GATEWAY_MAPPINGS_DIR!, MAPPING), 'utf8')).toBe(original);
    expect(await versionMadeBy(a)).toBe(2);
    const trail = (await a.gateway.store.audit.auditTrail(`mapping:${ID}`, 100)).map((e) => `${e.actor} ${e.action}`);
    expect(trail).toEqual(['tester mapping.uploaded', 'tester mapping.activated', 'gateway mapping.followed', 'tester mapping.rolled-back', 'gateway mapping.followed']);
    // `gateway mappings list` on the other instance's folder reads the same history.
    const line = (await runCli(['mappings', 'list'], b.env)).stdout.split('\n').find((l) => l.startsWith(`${ID}@`))!;
    expect(line).toMatch(/^iru-safetir\.safetir-upload@2 .*\| last rolled-back v2 sha256=\w+… by tester at \S+$/);
  });
});
