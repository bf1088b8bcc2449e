// The mapping lifecycle for admins: upload a file (validated, golden tests run), dry-run it over logged records beside the active version, activate it without a restart, roll back.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import type { CaisRecord } from '../records/record-types.js';
import type { Setup } from '../setup/load-setup.js';
import type { MessageStore } from '../store/message-store.js';
import { GOLDEN_NOW, listGoldenCases, runGoldenCase } from './golden-tests.js';
import type { Mapping } from './mapping.js';
import { importHistoryFile, MappingHistory, type Activation } from './mapping-history.js';
import { compileMappingFile, mappingContext } from './mapping-set.js';
import type { RunningTranslation } from '../pipeline/running-translation.js';

/** A mapping file uploaded and validated, waiting for a dry run and activation. */
export interface StagedMapping {
  uploadId: string;
  path: string;
  id: string;
  version: number;
  sha256: string;
  recordType: string;
  target: { partner: string; message: string };
  /** The version it would replace (undefined for a new mapping). */
  replaces?: { version: number; sha256: string };
  /** Its golden cases (those beside the file it replaces): `same`, `differs` (with the first difference) or `fails`. */
  goldens: Array<{ name: string; result: 'same' | 'differs' | 'fails'; reason?: string }>;
  uploadedBy: string;
  uploadedAt: number;
}

/** One side of a dry run: the document a version makes of a record, or why it makes none. */
export type DryRunSide = { document: string } | { problem: string } | { skipped: 'does not apply' | 'no active version' };

/** A dry run over one logged record: what the active version made and what the upload would make. */
export interface DryRunCase {
  recordId: string;
  recordVersion: number;
  active: DryRunSide;
  proposed: DryRunSide;
  same: boolean;
}

/** A mapping as `mappings list` and the console show it: the file on disk, what the gateway runs, and the last activation. */
export interface MappingListing {
  id: string;
  path: string;
  /** The version and hash the running gateway translates with. */
  running: { version: number; sha256: string };
  /** The file's hash on disk now (differs from `running` when it was edited since the gateway loaded it). */
  fileSha256: string | null;
  lastActivation?: Pick<Activation, 'version' | 'sha256' | 'by' | 'at' | 'kind'>;
}

/** What the lifecycle works with. */
export interface MappingAdminParts {
  mappingsDir: string;
  /** Where an earlier release kept the history as a file (imported into the store once). */
  dataDir: string;
  /** The log: its history of mapping versions (shared by the instances on it) and its audit trail. */
  store: Pick<MessageStore, 'mappingChanges' | 'audit' | 'latestRecordsOfType'>;
  /** The gateway's translation: the setup it runs, the text of each running mapping, and the swap. */
  running: Pick<RunningTranslation, 'setup' | 'textOf' | 'install'>;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

const PATH = /^[a-z0-9-]+\/[A-Za-z0-9._-]+\.ya?ml$/;
/** Most records one dry run replays. */
export const DRY_RUN_MAX = 50;
/** Uploads kept waiting at most (the oldest is dropped). */
const MAX_STAGED = 20;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** An upload refused: the admin's mistake (400), with the problem's code and pointer as a violation. */
function refused(code: string, message: string, pointer: string): GatewayError {
  return new GatewayError('GW_ERR_MAPPING_REFUSED', message, { violations: [{ code, pointer, message }] });
}

/**
 * The lifecycle: one per gateway instance. Its changes are serialised; the history it keeps is the
 * store's, so instances sharing a log follow each other's changes ({@link follow}).
 */
export class MappingAdmin {
  private readonly uploads = new Map<string, StagedMapping & { mapping: Mapping; text: string }>();
  private changing: Promise<unknown> = Promise.resolve();
  /** The history's size when this instance last followed it (-1: never). */
  private followedCount = -1;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly parts: MappingAdminParts) {}

  /**
   * Brings this instance to the history's versions, at start and whenever the history grew: a change a
   * stopped gateway left pending is recorded as made when its version runs; a version the history has
   * never seen is recorded as found in its file (a file deployed by hand); a version the history knows
   * but that is no longer its active one (another instance activated or rolled back since) is replaced
   * by the active one, in the file and in the translation. A mapping file edited by hand since the
   * gateway loaded it is left alone, with a warning.
   */
  follow(): Promise<void> {
    return this.serialised(async () => {
      if (this.followedCount < 0) {
        const { imported, cutShort } = await importHistoryFile(this.parts.dataDir, this.parts.store.mappingChanges);
        if (imported + cutShort > 0) this.parts.logger?.info({ imported, cutShort }, `the mapping history of an earlier release moved into the log: ${imported} entries${cutShort ? ', a last line cut short left out' : ''}`);
      }
      const count = await this.parts.store.mappingChanges.mappingChangeCount();
      if (count === this.followedCount) return;
      const history = await this.history();
      const inbound = new Set(this.setup().mappings.inbound.map((m) => m.id));
      const ids = new Set([...this.setup().mappings.mappings.map((m) => m.id), ...[...history.ids()].filter((id) => !inbound.has(id))]);
      for (const id of ids) await this.settle(id, history);
      this.followedCount = count;
    });
  }

  /** Follows the history every `intervalMs` until {@link stop}; a failed round is logged and tried again at the next. */
  startFollowing(intervalMs: number): void {
    if (intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => this.follow().catch((err: unknown) => this.parts.logger?.error({ err }, 'following the mapping history failed')), intervalMs);
    this.timer.unref();
  }

  /** Stops following; waits for a change or a round under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.changing.catch(() => undefined);
  }

  /**
   * Validates an uploaded outbound mapping file for `path` (`<partner>/<name>.yaml`) and runs the golden
   * cases beside that path with it. The path must be new or hold this mapping id's file; the version
   * must be above every version the mapping had.
   * @throws GatewayError GW_ERR_MAPPING_REFUSED with each problem's code and pointer; GW_ERR_REQUEST_INVALID for a bad path
   */
  async stage(path: string, text: string, actor: string): Promise<StagedMapping> {
    if (!PATH.test(path)) throw new GatewayError('GW_ERR_REQUEST_INVALID', 'path is <partner>/<name>.yaml');
    const setup = this.setup();
    const mapping = this.compile(path, text);
    const current = setup.mappings.mappings.find((m) => m.id === mapping.id);
    const atPath = setup.mappings.mappings.find((m) => m.source === mapping.source);
    const inbound = setup.mappings.inbound.find((m) => m.id === mapping.id);
    if (inbound) throw refused('GW_ERR_MAPPING_INVALID', `${path}: /id "${mapping.id}" is the inbound mapping of ${this.relative(inbound.source)}`, '/id');
    if (atPath && atPath.id !== mapping.id) throw refused('GW_ERR_MAPPING_INVALID', `${path}: /id is "${mapping.id}" but the file holds mapping "${atPath.id}"`, '/id');
    if (current && current.source !== mapping.source) throw refused('GW_ERR_MAPPING_INVALID', `${path}: /id "${mapping.id}" is the mapping of ${this.relative(current.source)}`, '/id');
    if (!atPath && existsSync(mapping.source)) throw refused('GW_ERR_MAPPING_INVALID', `${path} is a file the gateway does not run as an outbound mapping (an inbound mapping, or added since start); choose another path`, '');
    const taken = this.versionTaken(path, mapping, await this.history());
    if (taken) throw refused('GW_ERR_MAPPING_INVALID', taken, '/version');
    const goldens = [];
    for (const c of listGoldenCases([mapping], setup.partners)) {
      const result = await runGoldenCase(c, setup.records, setup.documents);
      goldens.push({ name: c.name, result: result.ok ? ('same' as const) : result.reason?.startsWith('first difference') ? ('differs' as const) : ('fails' as const), ...(result.reason ? { reason: result.reason } : {}) });
    }
    const entry = {
      uploadId: randomUUID(),
      path,
      id: mapping.id,
      version: mapping.version,
      sha256: sha256(text),
      recordType: mapping.recordType,
      target: mapping.target,
      ...(current ? { replaces: { version: current.version, sha256: current.sha256 } } : {}),
      goldens,
      uploadedBy: actor,
      uploadedAt: Date.now(),
    };
    this.uploads.set(entry.uploadId, { ...entry, mapping, text });
    if (this.uploads.size > MAX_STAGED) this.uploads.delete(this.uploads.keys().next().value as string);
    await this.audit(actor, 'mapping.uploaded', mapping.id, `${path} v${mapping.version} sha256 ${entry.sha256}; golden cases: ${goldens.map((g) => `${g.name} ${g.result}`).join(', ') || 'none'}`);
    return entry;
  }

  /** An upload waiting for activation. */
  staged(uploadId: string): StagedMapping {
    const { mapping: _mapping, text: _text, ...entry } = this.upload(uploadId);
    return entry;
  }

  /** Replays the newest `count` logged records of the upload's type through the active version and the upload, side by side (unsigned documents, the golden clock). */
  async dryRun(uploadId: string, count: number): Promise<DryRunCase[]> {
    const staged = this.upload(uploadId);
    const setup = this.setup();
    const active = setup.mappings.mappings.find((m) => m.id === staged.id);
    const cases: DryRunCase[] = [];
    for (const logged of await this.parts.store.latestRecordsOfType(staged.recordType, Math.min(Math.max(1, count), DRY_RUN_MAX))) {
      const checked = setup.records.validate(JSON.parse(logged.json) as unknown);
      if (!checked.ok) continue;
      const record = checked.record;
      const activeSide: DryRunSide = active ? await render(active, record, setup) : { skipped: 'no active version' };
      const proposed = await render(staged.mapping, record, setup);
      cases.push({ recordId: record.recordId, recordVersion: record.version, active: activeSide, proposed, same: JSON.stringify(activeSide) === JSON.stringify(proposed) });
    }
    return cases;
  }

  /**
   * Makes the upload the active version: the text it replaces is kept in the history, the upload is
   * written over the file (atomically) and the gateway's translator replaced; records accepted from
   * then on are translated with it, those being translated finish with the version they started with.
   * @throws GatewayError GW_ERR_STATE_CONFLICT when the active version changed since the upload, its version was taken meanwhile, or its file was edited on disk
   */
  activate(uploadId: string, actor: string): Promise<Activation> {
    return this.serialised(async () => {
      const staged = this.upload(uploadId);
      const current = this.setup().mappings.mappings.find((m) => m.id === staged.id);
      if ((current?.sha256 ?? null) !== (staged.replaces?.sha256 ?? null)) {
        throw new GatewayError('GW_ERR_STATE_CONFLICT', `mapping ${staged.id} changed since this upload (now v${current?.version}); upload again`);
      }
      const history = await this.history();
      const taken = this.versionTaken(staged.path, staged.mapping, history);
      if (taken) throw new GatewayError('GW_ERR_STATE_CONFLICT', taken);
      if (!current && existsSync(staged.mapping.source)) throw new GatewayError('GW_ERR_STATE_CONFLICT', `${staged.path} appeared on disk since this upload; upload again`);
      this.behind(staged.id, current, history);
      const replaced = current && (await this.keepRunning(current, history));
      const activation: Activation = { id: staged.id, version: staged.version, sha256: staged.sha256, path: staged.path, text: staged.text, by: actor, at: Date.now(), kind: 'activated' };
      await this.put(activation, staged.mapping, replaced);
      this.uploads.delete(uploadId);
      await this.audit(actor, 'mapping.activated', staged.id, `${staged.path} v${staged.version} sha256 ${staged.sha256}${current ? ` replacing v${current.version} sha256 ${current.sha256}` : ''}`);
      return activation;
    });
  }

  /**
   * Restores the version that was active before the current one, into the running mapping's file;
   * rolling back again goes further back.
   * @throws GatewayError GW_ERR_STATE_CONFLICT when there is nothing to go back to, or the file was edited on disk
   */
  rollback(id: string, actor: string): Promise<Activation> {
    return this.serialised(async () => {
      const current = this.setup().mappings.mappings.find((m) => m.id === id);
      if (!current) throw new GatewayError('GW_ERR_NOT_FOUND', `no active mapping ${id}`);
      let history = await this.history();
      this.behind(id, current, history);
      const replaced = await this.keepRunning(current, history);
      history = await this.history();
      const previous = history.stack(id).at(-2);
      if (!previous) throw new GatewayError('GW_ERR_STATE_CONFLICT', `mapping ${id} has no earlier version to roll back to`);
      const path = this.relative(current.source);
      const activation: Activation = { ...previous, path, by: actor, at: Date.now(), kind: 'rolled-back' };
      await this.put(activation, this.compile(path, previous.text), replaced);
      await this.audit(actor, 'mapping.rolled-back', id, `${path} back to v${previous.version} sha256 ${previous.sha256} from v${current.version} sha256 ${current.sha256}`);
      return activation;
    });
  }

  /** Every outbound mapping: the version running, the file on disk now, and the last change recorded. */
  async list(): Promise<MappingListing[]> {
    const history = await this.history();
    return this.setup().mappings.mappings.map((m) => {
      const last = history.latest(m.id);
      return {
        id: m.id,
        path: this.relative(m.source),
        running: { version: m.version, sha256: m.sha256 },
        fileSha256: fileSha256(m.source),
        ...(last ? { lastActivation: { version: last.version, sha256: last.sha256, by: last.by, at: last.at, kind: last.kind } } : {}),
      };
    });
  }

  /**
   * Refuses a change while this instance runs another version than the history's active one (another
   * instance changed it, and this one has not followed yet).
   * @throws GatewayError GW_ERR_STATE_CONFLICT
   */
  private behind(id: string, current: Mapping | undefined, history: MappingHistory): void {
    const top = history.stack(id).at(-1);
    if (top && top.sha256 !== current?.sha256 && (!current || history.knows(id, current.sha256))) {
      throw new GatewayError('GW_ERR_STATE_CONFLICT', `mapping ${id} is at v${top.version} since a change by ${top.by} on another gateway instance, which this one has not followed yet; try again in a few seconds`);
    }
  }

  /**
   * The running version's text, checked against its file and recorded in the history before anything replaces it.
   * @throws GatewayError GW_ERR_STATE_CONFLICT when the file no longer holds the running version (edited by hand), or another instance recorded a change at the same moment
   */
  private async keepRunning(current: Mapping, history: MappingHistory): Promise<string> {
    if (fileSha256(current.source) !== current.sha256) {
      throw new GatewayError(
        'GW_ERR_STATE_CONFLICT',
        `${this.relative(current.source)} was changed on disk since the gateway loaded it (the gateway runs v${current.version} sha256 ${current.sha256.slice(0, 16)}…): put the file back or restart the gateway first`,
      );
    }
    // The file holds the running version's bytes, so they are its text.
    const text = readFileSync(current.source, 'utf8');
    if (!(await this.reconcile(current, text, history))) throw concurrent(current.id);
    return text;
  }

  /**
   * Makes the history's active version the one running: a change left pending by a stopped gateway is
   * recorded (and audited) as made; any other version is recorded as found in the file. Resolves false
   * when another instance recorded a change of the mapping meanwhile (nothing recorded).
   */
  private async reconcile(current: Mapping, text: string, history: MappingHistory): Promise<boolean> {
    if (history.stack(current.id).at(-1)?.sha256 === current.sha256) return true;
    const last = history.of(current.id).at(-1);
    const position = history.next(current.id);
    if (last?.kind === 'pending' && last.sha256 === current.sha256) {
      const { intent, ...made } = last;
      const kind = intent ?? 'activated';
      // Audited first: a gateway stopped between the two audits it again at its next start rather than never.
      await this.audit(last.by, `mapping.${kind}`, current.id, `${last.path} v${last.version} sha256 ${last.sha256} (found running at start: the gateway had stopped before recording it)`);
      return this.parts.store.mappingChanges.appendMappingChange({ ...made, kind, at: Date.now() }, position);
    }
    const path = this.relative(current.source);
    if (current.version <= history.highestVersion(current.id)) {
      this.parts.logger?.warn({ mapping: current.id, version: current.version }, `${path} holds v${current.version}, a number mapping ${current.id} had with another text: recorded as found; give a changed file a higher version`);
    }
    return this.parts.store.mappingChanges.appendMappingChange({ id: current.id, version: current.version, sha256: current.sha256, path, text, by: 'file', at: Date.now(), kind: 'found' }, position);
  }

  /** Brings mapping `id` to the history's active version (see {@link follow}). */
  private async settle(id: string, history: MappingHistory): Promise<void> {
    const current = this.setup().mappings.mappings.find((m) => m.id === id);
    const top = history.stack(id).at(-1);
    if (top && top.sha256 === current?.sha256) return;
    if (current) {
      const text = this.parts.running.textOf(current);
      const last = history.of(id).at(-1);
      const unknown = !top || !history.knows(id, current.sha256) || (last?.kind === 'pending' && last.sha256 === current.sha256);
      if (unknown) {
        if (text !== undefined) await this.reconcile(current, text, history);
        return;
      }
    }
    if (top) await this.adopt(top, current);
  }

  /**
   * Runs `top`, the history's active version, in place of `current` (a version this instance ran
   * before, or none): writes the file unless it already holds `top`, and installs it. A file holding a
   * third text (edited by hand) is left alone; a failure puts the file back. Either is logged.
   */
  private async adopt(top: Activation, current: Mapping | undefined): Promise<void> {
    const file = current?.source ?? join(this.parts.mappingsDir, top.path);
    const path = this.relative(file);
    const onDisk = fileSha256(file);
    const log = this.parts.logger;
    if (onDisk !== (current?.sha256 ?? null) && onDisk !== top.sha256) {
      log?.warn({ mapping: top.id, path }, `mapping ${top.id} is at v${top.version} on another gateway instance, but ${path} was edited by hand here: not followed (put the file back or restart)`);
      return;
    }
    const previous = current && this.parts.running.textOf(current);
    try {
      const mapping = this.compile(path, top.text);
      if (onDisk !== top.sha256) writeAtomically(file, top.text);
      try {
        await this.parts.running.install(mapping, top.text);
      } catch (err) {
        if (onDisk !== top.sha256) restore(file, previous);
        throw err;
      }
    } catch (err) {
      log?.error({ err, mapping: top.id }, `mapping ${top.id} v${top.version}, made active on another gateway instance, could not be run here; this instance keeps ${current ? `v${current.version}` : 'not running it'}`);
      return;
    }
    log?.info({ mapping: top.id, version: top.version }, `mapping ${top.id} follows v${top.version} (${top.kind} by ${top.by})`);
    await this.audit('gateway', 'mapping.followed', top.id, `${path} v${top.version} sha256 ${top.sha256}, ${top.kind} by ${top.by} at ${new Date(top.at).toISOString()}${current ? `, in place of v${current.version} sha256 ${current.sha256}` : ''}`);
  }

  /** Records the change as pending, writes the file and has the gateway run `mapping`, then records it as made; puts the file back when the gateway cannot run it. */
  private async put(change: Activation, mapping: Mapping, replaced: string | undefined): Promise<void> {
    const { kind, ...rest } = change;
    const position = (await this.history()).next(change.id);
    if (!(await this.parts.store.mappingChanges.appendMappingChange({ ...rest, kind: 'pending', intent: kind as 'activated' | 'rolled-back' }, position))) throw concurrent(change.id);
    writeAtomically(mapping.source, change.text);
    try {
      await this.parts.running.install(mapping, change.text);
    } catch (err) {
      restore(mapping.source, replaced);
      throw err;
    }
    // Taken only when another instance found this version running first and recorded it as made.
    if (!(await this.parts.store.mappingChanges.appendMappingChange(change, position + 1))) this.parts.logger?.warn({ mapping: change.id }, `the ${kind} of mapping ${change.id} v${change.version} was recorded by another instance`);
  }

  /** Compiles `text` as the outbound mapping file at `path` under the mappings folder, naming problems by `path`. */
  private compile(path: string, text: string): Mapping {
    const setup = this.setup();
    const file = join(this.parts.mappingsDir, path);
    try {
      const compiled = compileMappingFile(file, mappingContext(setup.config.schemasDir, setup.partners, setup.records.types), text);
      if (compiled.kind !== 'out') throw refused('GW_ERR_MAPPING_INVALID', `${path}: inbound mappings are changed by editing the file and restarting, not uploaded`, '/direction');
      if (compiled.partner !== path.split('/')[0]) throw refused('GW_ERR_MAPPING_INVALID', `${path}: ${compiled.pointer} is "${compiled.partner}" but the file is for mappings/${path.split('/')[0]}/`, compiled.pointer);
      return compiled.mapping;
    } catch (err) {
      if (!(err instanceof GatewayError) || (err.code !== 'GW_ERR_MAPPING_INVALID' && err.code !== 'GW_ERR_MAPPING_EXPRESSION')) throw err;
      // Name the file as the admin gave it, never a path on the server.
      const message = err.message.replace(/^GW_ERR_\w+: /, '').replaceAll(file, path).replaceAll(this.parts.mappingsDir, '<mappings>').replaceAll(setup.config.schemasDir, '<schemas>');
      throw refused(err.code, message, String(err.detail.pointer ?? ''));
    }
  }

  private setup(): Setup {
    return this.parts.running.setup;
  }

  private history(): Promise<MappingHistory> {
    return MappingHistory.read(this.parts.store.mappingChanges);
  }

  /** Why `mapping`'s version cannot be used (a number names one text: messages stamp the version that made them), or undefined when it can. */
  private versionTaken(path: string, mapping: Mapping, history: MappingHistory): string | undefined {
    const highest = Math.max(this.setup().mappings.mappings.find((m) => m.id === mapping.id)?.version ?? 0, history.highestVersion(mapping.id));
    if (mapping.version <= highest) return `${path}: /version must be above ${highest}, the highest version mapping ${mapping.id} has had (messages stamp the version that made them, so a number names one text)`;
    if (history.pendingOtherText(mapping.id, mapping.version, mapping.sha256)) return `${path}: /version ${mapping.version} of mapping ${mapping.id} was about to run with another text; use a higher version`;
    return undefined;
  }

  private relative(source: string): string {
    return relative(this.parts.mappingsDir, source);
  }

  private upload(uploadId: string): StagedMapping & { mapping: Mapping; text: string } {
    const staged = this.uploads.get(uploadId);
    if (!staged) throw new GatewayError('GW_ERR_NOT_FOUND', `no upload ${uploadId} (uploads are kept until activated or the gateway restarts)`);
    return staged;
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.changing.catch(() => undefined).then(work);
    this.changing = run;
    return run;
  }

  private audit(actor: string, action: string, id: string, detail: string): Promise<void> {
    return this.parts.store.audit.appendAudit([{ at: Date.now(), actor, action, subject: `mapping:${id}`, detail }]);
  }
}

/** The document a mapping makes of a record, unsigned and pretty, or why it makes none. */
async function render(mapping: Mapping, record: CaisRecord, setup: Setup): Promise<DryRunSide> {
  try {
    if (!(await mapping.applies(record))) return { skipped: 'does not apply' };
    const doc = await mapping.apply(record, GOLDEN_NOW);
    const violations = setup.documents.check(mapping.target.partner, mapping.target.message, doc);
    if (violations.length > 0) return { problem: `GW_ERR_DOCUMENT_INVALID ${violations.map((v) => `${v.pointer} ${v.message}`).join('; ')}` };
    const spec = setup.partners.message(mapping.target.partner, mapping.target.message);
    const codec = setup.partners.codecs.get(spec.codec);
    return { document: codec.pretty(codec.render(doc.value, spec.codecOptions)) };
  } catch (err) {
    if (err instanceof GatewayError) return { problem: err.message };
    throw err;
  }
}

/** The SHA-256 of a file's bytes, or null when there is no such file. */
function fileSha256(file: string): string | null {
  return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : null;
}

/** Another instance recorded a change of mapping `id` at the same moment. */
function concurrent(id: string): GatewayError {
  return new GatewayError('GW_ERR_STATE_CONFLICT', `mapping ${id} was changed by another gateway instance at the same moment; look at it again and retry`);
}

/** Puts back the text a file held (`undefined`: it did not exist). */
function restore(file: string, text: string | undefined): void {
  if (text === undefined) rmSync(file, { force: true });
  else writeAtomically(file, text);
}

/** Replaces a file by renaming a complete copy over it, so a reader never sees half of it. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${randomUUID()}.tmp`;
  writeFileSync(temporary, text, { flush: true });
  renameSync(temporary, file);
}
