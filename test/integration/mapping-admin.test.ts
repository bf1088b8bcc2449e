// The mapping lifecycle's own guarantees, against a translation that fails or a gateway that stopped halfway: the file put back, nothing recorded as made that did not run, a cut-short change completed at start.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { NewAuditEvent } from '../../src/audit/audit-hash.js';
import { loadConfig, type GatewayConfig } from '../../src/config.js';
import { MappingAdmin } from '../../src/mapping/mapping-admin.js';
import { MappingHistory } from '../../src/mapping/mapping-history.js';
import type { Mapping } from '../../src/mapping/mapping.js';
import { readMappingFiles } from '../../src/mapping/mapping-set.js';
import { loadSoundSetup, type Setup } from '../../src/setup/load-setup.js';
import type { MessageStore } from '../../src/store/message-store.js';
import { ROOT } from '../support/project.js';

const PATH = 'iru-safetir/safetir-upload.yaml';
const ID = 'iru-safetir.safetir-upload';
const original = readFileSync(join(ROOT, 'mappings', PATH), 'utf8');
const version = (n: number): string => original.replace(/^version: 2$/m, `version: ${n}`).replace('"@RND": certificate.reference', `"@RND": "'V${n}-' & certificate.reference"`);

/** A gateway's translation as the lifecycle sees it: the setup compiled from `files`, and an install that may be told to fail. */
class FakeRunning {
  failNext = false;
  constructor(
    public setup: Setup,
    private files: Map<string, string>,
  ) {}

  textOf(mapping: Mapping): string | undefined {
    return this.files.get(mapping.source);
  }

  async install(mapping: Mapping, text: string): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('translation threads did not start');
    }
    this.files = new Map(this.files).set(mapping.source, text);
    this.setup = await loadSoundSetup(this.setup.config, { keys: false, urls: false, mappingFiles: this.files });
  }
}

describe('mapping admin', () => {
  let config: GatewayConfig;
  let audited: NewAuditEvent[];
  let store: MessageStore;

  /** A lifecycle over the mapping folder as it is now, as a gateway starting would make it. */
  async function start(): Promise<{ admin: MappingAdmin; running: FakeRunning }> {
    const files = readMappingFiles(config.mappingsDir);
    const running = new FakeRunning(await loadSoundSetup(config, { keys: false, urls: false, mappingFiles: files }), files);
    const admin = new MappingAdmin({ mappingsDir: config.mappingsDir, dataDir: config.dataDir, store, running });
    await admin.recordRunning();
    return { admin, running };
  }

  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-mapping-admin-'));
    cpSync(join(ROOT, 'mappings'), join(dir, 'mappings'), { recursive: true });
    config = loadConfig({ GATEWAY_MAPPINGS_DIR: join(dir, 'mappings'), GATEWAY_DATA_DIR: join(dir, 'data') });
    audited = [];
    store = { latestRecordsOfType: async () => [], audit: { appendAudit: async (events: readonly NewAuditEvent[]) => void audited.push(...events) } } as unknown as MessageStore;
  });

  it('puts the file back when the gateway cannot run an activation, records it as made only once it runs, and lets the same upload try again', async () => {
    const { admin, running } = await start();
    const staged = await admin.stage(PATH, version(3), 'tester');
    running.failNext = true;
    await expect(admin.activate(staged.uploadId, 'tester')).rejects.toThrow('translation threads did not start');
    expect(readFileSync(join(config.mappingsDir, PATH), 'utf8')).toBe(original);
    const history = new MappingHistory(config.dataDir);
    expect(history.stack(ID).map((a) => a.version)).toEqual([2]);
    expect(admin.list().find((m) => m.id === ID)?.lastActivation).toMatchObject({ version: 2, kind: 'found' });
    expect(audited.map((e) => e.action)).toEqual(['mapping.uploaded']);
    // Another text may not take the number v3 was about to have; the same upload may try again.
    await expect(admin.stage(PATH, version(3).replace("'V3-'", "'OTHER-'"), 'tester')).rejects.toThrow('/version 3 of mapping iru-safetir.safetir-upload was about to run with another text');
    await expect(admin.activate(staged.uploadId, 'tester')).resolves.toMatchObject({ version: 3, kind: 'activated' });
    expect(history.stack(ID).map((a) => a.version)).toEqual([2, 3]);
    expect(readFileSync(join(config.mappingsDir, PATH), 'utf8')).toBe(version(3));
  });

  it('records at start an activation a gateway stopped before recording, with its admin as actor', async () => {
    const first = await start();
    const staged = await first.admin.stage(PATH, version(3), 'tester');
    // The gateway stops after writing the file, before the new translator ran: the history holds the change as pending.
    first.running.install = () => new Promise(() => undefined);
    void first.admin.activate(staged.uploadId, 'tester');
    await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(join(config.mappingsDir, PATH), 'utf8')).toBe(version(3));
    expect(new MappingHistory(config.dataDir).of(ID).map((a) => a.kind)).toEqual(['found', 'pending']);

    audited = [];
    await start();
    const history = new MappingHistory(config.dataDir);
    expect(history.of(ID).at(-1)).toMatchObject({ version: 3, kind: 'activated', by: 'tester' });
    expect(history.stack(ID).map((a) => a.version)).toEqual([2, 3]);
    expect(audited).toMatchObject([{ actor: 'tester', action: 'mapping.activated', subject: `mapping:${ID}`, detail: expect.stringContaining('found running at start') }]);
  });

  it('records at start a rollback a gateway stopped before recording, so the next rollback goes further back, not forward', async () => {
    const first = await start();
    for (const n of [3, 4]) await first.admin.activate((await first.admin.stage(PATH, version(n), 'tester')).uploadId, 'tester');
    first.running.install = () => new Promise(() => undefined);
    void first.admin.rollback(ID, 'tester');
    await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(join(config.mappingsDir, PATH), 'utf8')).toBe(version(3));

    const second = await start();
    expect(new MappingHistory(config.dataDir).stack(ID).map((a) => a.version)).toEqual([2, 3]);
    await expect(second.admin.rollback(ID, 'tester')).resolves.toMatchObject({ version: 2 });
    expect(readFileSync(join(config.mappingsDir, PATH), 'utf8')).toBe(original);
  });
});
