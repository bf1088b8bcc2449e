// The mapping lifecycle's own guarantees, against a translation that fails, a gateway that stopped halfway or another instance on the same log: the file put back, nothing recorded as made that did not run, a cut-short change completed at start, another instance's change followed.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type GatewayConfig } from '../../src/config.js';
import { MappingAdmin } from '../../src/mapping/mapping-admin.js';
import { MappingHistory } from '../../src/mapping/mapping-history.js';
import type { Mapping } from '../../src/mapping/mapping.js';
import { readMappingFiles } from '../../src/mapping/mapping-set.js';
import { loadSoundSetup, type Setup } from '../../src/setup/load-setup.js';
import type { MessageStore } from '../../src/store/message-store.js';
import { openSqliteMessageStore } from '../../src/store/sqlite-message-store.js';
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
  let store: MessageStore;
  let dir: string;
  const stores: MessageStore[] = [];

  /** A second gateway instance's configuration: its own mapping folder (a copy of the project's) and data folder, the same log. */
  function instance(name: string): GatewayConfig {
    cpSync(join(ROOT, 'mappings'), join(dir, name, 'mappings'), { recursive: true });
    return loadConfig({ GATEWAY_MAPPINGS_DIR: join(dir, name, 'mappings'), GATEWAY_DATA_DIR: join(dir, name, 'data') });
  }

  /** A lifecycle over the mapping folder as it is now, as a gateway starting on `on` (the first instance's) would make it. */
  async function start(on: GatewayConfig = config, logged: string[] = []): Promise<{ admin: MappingAdmin; running: FakeRunning }> {
    const files = readMappingFiles(on.mappingsDir);
    const running = new FakeRunning(await loadSoundSetup(on, { keys: false, urls: false, mappingFiles: files }), files);
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push((JSON.parse(line) as { msg: string }).msg) });
    const admin = new MappingAdmin({ mappingsDir: on.mappingsDir, dataDir: on.dataDir, store, running, logger });
    await admin.follow();
    return { admin, running };
  }

  const history = (): Promise<MappingHistory> => MappingHistory.read(store.mappingChanges);
  const trail = async (): Promise<Array<{ actor: string; action: string; detail: string }>> => store.audit.auditTrail(`mapping:${ID}`, 100);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-mapping-admin-'));
    config = instance('a');
    store = openSqliteMessageStore(join(dir, 'log.sqlite'));
    stores.push(store);
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('puts the file back when the gateway cannot run an activation, records it as made only once it runs, and lets the same upload try again', async () => {
    const { admin, running } = await start();
    const staged = await admin.stage(PATH, version(3), 'tester');
    running.failNext = true;
    await expect(admin.activate(staged.uploadId, 'tester')).rejects.toThrow('translation threads did not start');
    expect(readFileSync(join(config.mappingsDir, PATH), 'utf8')).toBe(original);
    expect((await history()).stack(ID).map((a) => a.version)).toEqual([2]);
    expect((await admin.list()).find((m) => m.id === ID)?.lastActivation).toMatchObject({ version: 2, kind: 'found' });
    expect((await trail()).map((e) => e.action)).toEqual(['mapping.uploaded']);
    // Another text may not take the number v3 was about to have; the same upload may try again.
    await expect(admin.stage(PATH, version(3).replace("'V3-'", "'OTHER-'"), 'tester')).rejects.toThrow('/version 3 of mapping iru-safetir.safetir-upload was about to run with another text');
    await expect(admin.activate(staged.uploadId, 'tester')).resolves.toMatchObject({ version: 3, kind: 'activated' });
    expect((await history()).stack(ID).map((a) => a.version)).toEqual([2, 3]);
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
    expect((await history()).of(ID).map((a) => a.kind)).toEqual(['found', 'pending']);

    await start();
    const after = await history();
    expect(after.of(ID).at(-1)).toMatchObject({ version: 3, kind: 'activated', by: 'tester' });
    expect(after.stack(ID).map((a) => a.version)).toEqual([2, 3]);
    expect((await trail()).at(-1)).toMatchObject({ actor: 'tester', action: 'mapping.activated', detail: expect.stringContaining('found running at start') });
  });

  it('records at start a rollback a gateway stopped before recording, so the next rollback goes further back, not forward', async () => {
    const first = await start();
    for (const n of [3, 4]) await first.admin.activate((await first.admin.stage(PATH, version(n), 'tester')).uploadId, 'tester');
    first.running.install = () => new Promise(() => undefined);
    void first.admin.rollback(ID, 'tester');
    await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(join(config.mappingsDir, PATH), 'utf8')).toBe(version(3));

    const second = await start();
    expect((await history()).stack(ID).map((a) => a.version)).toEqual([2, 3]);
    await expect(second.admin.rollback(ID, 'tester')).resolves.toMatchObject({ version: 2 });
    expect(readFileSync(join(config.mappingsDir, PATH), 'utf8')).toBe(original);
  });

  it('a second instance on the same log follows an activation and a rollback made on the first: its file, its translation, its trail', async () => {
    const a = await start();
    const other = instance('b');
    const b = await start(other);
    await a.admin.activate((await a.admin.stage(PATH, version(3), 'tester')).uploadId, 'tester');
    expect(b.running.setup.mappings.mappings.find((m) => m.id === ID)?.version).toBe(2);
    // Before it follows, b refuses a change of its own that would start from v2.
    await expect(b.admin.rollback(ID, 'tester')).rejects.toThrow('has not followed yet');
    await b.admin.follow();
    expect(b.running.setup.mappings.mappings.find((m) => m.id === ID)?.version).toBe(3);
    expect(readFileSync(join(other.mappingsDir, PATH), 'utf8')).toBe(version(3));
    expect((await b.admin.list()).find((m) => m.id === ID)).toMatchObject({ running: { version: 3 }, lastActivation: { version: 3, kind: 'activated', by: 'tester' } });
    expect((await trail()).at(-1)).toMatchObject({ actor: 'gateway', action: 'mapping.followed', detail: expect.stringContaining('v3') });

    await b.admin.rollback(ID, 'tester');
    await a.admin.follow();
    expect(a.running.setup.mappings.mappings.find((m) => m.id === ID)?.version).toBe(2);
    expect(readFileSync(join(config.mappingsDir, PATH), 'utf8')).toBe(original);
    expect((await history()).stack(ID).map((x) => x.version)).toEqual([2]);
  });

  it('leaves a file edited by hand alone, with a warning; a restarted instance gets the active version back in place of an older one the history knows', async () => {
    const a = await start();
    const other = instance('b');
    const logged: string[] = [];
    const b = await start(other, logged);
    await a.admin.activate((await a.admin.stage(PATH, version(3), 'tester')).uploadId, 'tester');
    writeFileSync(join(other.mappingsDir, PATH), `${original}# edited by hand\n`);
    await b.admin.follow();
    expect(b.running.setup.mappings.mappings.find((m) => m.id === ID)?.version).toBe(2);
    expect(readFileSync(join(other.mappingsDir, PATH), 'utf8')).toBe(`${original}# edited by hand\n`);
    expect(logged.join('\n')).toContain(`${PATH} was edited by hand here: not followed`);

    // Restarted with the project's v2 put back (a redeployment): the history knows v2, so the active v3 is written over it.
    writeFileSync(join(other.mappingsDir, PATH), original);
    const again = await start(other);
    expect(again.running.setup.mappings.mappings.find((m) => m.id === ID)?.version).toBe(3);
    expect(readFileSync(join(other.mappingsDir, PATH), 'utf8')).toBe(version(3));
  });

  it('records a file deployed with a version above the history\'s as found, and the other instances follow it', async () => {
    const a = await start();
    const other = instance('b');
    writeFileSync(join(other.mappingsDir, PATH), version(4));
    await start(other);
    expect((await history()).stack(ID).map((x) => [x.version, x.kind])).toEqual([
      [2, 'found'],
      [4, 'found'],
    ]);
    await a.admin.follow();
    expect(a.running.setup.mappings.mappings.find((m) => m.id === ID)?.version).toBe(4);
    expect(readFileSync(join(config.mappingsDir, PATH), 'utf8')).toBe(version(4));
  });

  it('imports the history an earlier release kept in the data folder, once', async () => {
    const legacy = join(config.dataDir, 'mapping-history.jsonl');
    const entry = { id: ID, version: 2, sha256: 'x', path: PATH, text: original, by: 'file', at: 1, kind: 'found' };
    const entries = [entry, { ...entry, version: 3, sha256: 'y', text: version(3), by: 'anna', kind: 'activated' }, { ...entry, by: 'anna', kind: 'rolled-back' }];
    mkdirSync(config.dataDir, { recursive: true });
    // The last line was cut short by a crash while it was appended: left out, the rest imported.
    writeFileSync(legacy, entries.map((e) => JSON.stringify(e)).join('\n') + '\n{"id": "cut sh');
    await start();
    expect(existsSync(legacy)).toBe(false);
    expect(existsSync(`${legacy}.imported`)).toBe(true);
    const imported = await history();
    expect(imported.of(ID).slice(0, 3).map((x) => [x.version, x.kind, x.by])).toEqual([
      [2, 'found', 'file'],
      [3, 'activated', 'anna'],
      [2, 'rolled-back', 'anna'],
    ]);
    expect(imported.highestVersion(ID)).toBe(3);
  });

  it('refuses to start on a history file damaged before its last line, naming the line', async () => {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(join(config.dataDir, 'mapping-history.jsonl'), `not json\n${JSON.stringify({ id: ID })}\n`);
    await expect(start()).rejects.toThrow(/mapping-history\.jsonl line 1 is not a JSON entry/);
    expect(await store.mappingChanges.mappingChangeCount()).toBe(0);
  });
});
