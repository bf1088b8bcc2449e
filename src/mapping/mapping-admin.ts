// The mapping lifecycle for admins: upload a file (validated, golden tests run), dry-run it over logged records beside the active version, activate it without a restart, roll back.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GatewayError } from '../errors.js';
import type { CaisRecord } from '../records/record-types.js';
import type { Setup } from '../setup/load-setup.js';
import type { MessageStore } from '../store/message-store.js';
import { GOLDEN_NOW, listGoldenCases, runGoldenCase } from './golden-tests.js';
import type { Mapping } from './mapping.js';
import { MappingHistory, type Activation } from './mapping-history.js';
import { compileMappingFile, mappingContext } from './mapping-set.js';

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
  schemasDir: string;
  dataDir: string;
  store: MessageStore;
  /** The setup the gateway translates with now. */
  setup(): Setup;
  /** Reloads the setup from the mapping files and swaps the translator; resolves once new records use it. */
  reload(): Promise<void>;
}

const PATH = /^[a-z0-9-]+\/[A-Za-z0-9._-]+\.ya?ml$/;
/** Most records one dry run replays. */
export const DRY_RUN_MAX = 50;
/** Uploads kept waiting at most (the oldest is dropped). */
const MAX_STAGED = 20;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The lifecycle: one per gateway. Activations are serialised. */
export class MappingAdmin {
  private readonly uploads = new Map<string, StagedMapping & { mapping: Mapping; text: string }>();
  private readonly history: MappingHistory;
  private activating: Promise<unknown> = Promise.resolve();

  constructor(private readonly parts: MappingAdminParts) {
    this.history = new MappingHistory(parts.dataDir);
  }

  /**
   * Validates an uploaded outbound mapping file for `path` (`<partner>/<name>.yaml`) and runs the golden
   * cases beside that path with it.
   * @throws GatewayError GW_ERR_MAPPING_INVALID or GW_ERR_MAPPING_EXPRESSION with the pointer; GW_ERR_REQUEST_INVALID for a bad path
   */
  async stage(path: string, text: string, actor: string): Promise<StagedMapping> {
    if (!PATH.test(path)) throw new GatewayError('GW_ERR_REQUEST_INVALID', 'path is <partner>/<name>.yaml');
    const setup = this.parts.setup();
    const uploadId = randomUUID();
    const file = join(this.parts.dataDir, 'mapping-uploads', uploadId, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    let mapping: Mapping;
    try {
      const compiled = this.compile(file, path, setup);
      mapping = { ...compiled, source: join(this.parts.mappingsDir, path) };
    } finally {
      rmSync(join(this.parts.dataDir, 'mapping-uploads', uploadId), { recursive: true, force: true });
    }
    const current = setup.mappings.mappings.find((m) => m.id === mapping.id);
    const atPath = setup.mappings.mappings.find((m) => m.source === mapping.source);
    if (atPath && atPath.id !== mapping.id) throw new GatewayError('GW_ERR_MAPPING_INVALID', `${path}: /id is "${mapping.id}" but the file holds mapping "${atPath.id}"`, { pointer: '/id' });
    if (current && current.source !== mapping.source) throw new GatewayError('GW_ERR_MAPPING_INVALID', `${path}: /id "${mapping.id}" is the mapping of ${current.source}`, { pointer: '/id' });
    if (current && mapping.version <= current.version) {
      throw new GatewayError('GW_ERR_MAPPING_INVALID', `${path}: /version must be above ${current.version}, the active version (messages stamp the version that made them)`, { pointer: '/version' });
    }
    const goldens = [];
    for (const c of listGoldenCases([mapping], setup.partners)) {
      const result = await runGoldenCase(c, setup.records, setup.documents);
      goldens.push({ name: c.name, result: result.ok ? ('same' as const) : result.reason?.startsWith('first difference') ? ('differs' as const) : ('fails' as const), ...(result.reason ? { reason: result.reason } : {}) });
    }
    const entry = {
      uploadId,
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
    this.uploads.set(uploadId, { ...entry, mapping, text });
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
    const setup = this.parts.setup();
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
   * Makes the upload the active version: its text is recorded in the history, written over the file
   * (atomically), and the gateway's translator reloaded; records accepted from then on are translated
   * with it, those being translated finish with the version they started with.
   * @throws GatewayError GW_ERR_STATE_CONFLICT when the active version changed since the upload
   */
  activate(uploadId: string, actor: string): Promise<Activation> {
    return this.serialised(async () => {
      const staged = this.upload(uploadId);
      const current = this.parts.setup().mappings.mappings.find((m) => m.id === staged.id);
      if ((current?.sha256 ?? null) !== (staged.replaces?.sha256 ?? null)) {
        throw new GatewayError('GW_ERR_STATE_CONFLICT', `mapping ${staged.id} changed since this upload (now v${current?.version}); upload again`);
      }
      const activation: Activation = { id: staged.id, version: staged.version, sha256: staged.sha256, path: staged.path, text: staged.text, by: actor, at: Date.now(), kind: 'activated' };
      await this.install(activation, current === undefined ? undefined : readFileSync(current.source, 'utf8'));
      this.uploads.delete(uploadId);
      await this.audit(actor, 'mapping.activated', staged.id, `${staged.path} v${staged.version} sha256 ${staged.sha256}${current ? ` replacing v${current.version} sha256 ${current.sha256}` : ''}`);
      return activation;
    });
  }

  /**
   * Restores the version that was active before the current one (from the history, or the file as the
   * gateway first loaded it).
   * @throws GatewayError GW_ERR_STATE_CONFLICT when there is nothing to go back to
   */
  rollback(id: string, actor: string): Promise<Activation> {
    return this.serialised(async () => {
      const current = this.parts.setup().mappings.mappings.find((m) => m.id === id);
      if (!current) throw new GatewayError('GW_ERR_NOT_FOUND', `no active mapping ${id}`);
      const earlier = this.history.of(id).filter((a) => a.sha256 !== current.sha256);
      const previous = earlier.at(-1);
      if (!previous) throw new GatewayError('GW_ERR_STATE_CONFLICT', `mapping ${id} has no earlier version to roll back to`);
      const activation: Activation = { ...previous, by: actor, at: Date.now(), kind: 'rolled-back' };
      await this.install(activation, readFileSync(current.source, 'utf8'));
      await this.audit(actor, 'mapping.rolled-back', id, `${previous.path} back to v${previous.version} sha256 ${previous.sha256} from v${current.version} sha256 ${current.sha256}`);
      return activation;
    });
  }

  /** Every outbound mapping: the version running, the file on disk now, and the last activation. */
  list(): MappingListing[] {
    const history = this.history.all();
    return this.parts.setup().mappings.mappings.map((m) => {
      const last = history.filter((a) => a.id === m.id).at(-1);
      return {
        id: m.id,
        path: m.source.slice(this.parts.mappingsDir.length + 1),
        running: { version: m.version, sha256: m.sha256 },
        fileSha256: existsSync(m.source) ? createHash('sha256').update(readFileSync(m.source)).digest('hex') : null,
        ...(last ? { lastActivation: { version: last.version, sha256: last.sha256, by: last.by, at: last.at, kind: last.kind } } : {}),
      };
    });
  }

  /** Records the activation (the replaced text first, when it was never recorded), writes the file, reloads; puts the old text back if the reload fails. */
  private async install(activation: Activation, replacedText: string | undefined): Promise<void> {
    const file = join(this.parts.mappingsDir, activation.path);
    if (replacedText !== undefined && !this.history.of(activation.id).some((a) => a.sha256 === sha256(replacedText))) {
      this.history.add({ ...activation, version: this.parts.setup().mappings.mappings.find((m) => m.id === activation.id)?.version ?? 0, sha256: sha256(replacedText), text: replacedText, by: 'file', kind: 'activated' });
    }
    this.history.add(activation);
    writeAtomically(file, activation.text);
    try {
      await this.parts.reload();
    } catch (err) {
      if (replacedText === undefined) rmSync(file, { force: true });
      else writeAtomically(file, replacedText);
      await this.parts.reload();
      throw err;
    }
  }

  private compile(file: string, path: string, setup: Setup): Mapping {
    try {
      const compiled = compileMappingFile(file, mappingContext(this.parts.schemasDir, setup.partners, setup.records.types));
      if (compiled.kind !== 'out') throw new GatewayError('GW_ERR_MAPPING_INVALID', `${path}: inbound mappings are changed by editing the file and restarting, not uploaded`, { pointer: '/direction' });
      if (compiled.partner !== path.split('/')[0]) throw new GatewayError('GW_ERR_MAPPING_INVALID', `${path}: ${compiled.pointer} is "${compiled.partner}" but the file is for mappings/${path.split('/')[0]}/`, { pointer: compiled.pointer });
      return compiled.mapping;
    } catch (err) {
      // Name the file as the admin gave it, not the staging copy.
      if (err instanceof GatewayError) throw new GatewayError(err.code, err.message.replace(/^GW_ERR_\w+: /, '').replaceAll(file, path), { ...err.detail, file: path });
      throw err;
    }
  }

  private upload(uploadId: string): StagedMapping & { mapping: Mapping; text: string } {
    const staged = this.uploads.get(uploadId);
    if (!staged) throw new GatewayError('GW_ERR_NOT_FOUND', `no upload ${uploadId} (uploads are kept until activated or the gateway restarts)`);
    return staged;
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.activating.catch(() => undefined).then(work);
    this.activating = run;
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

/** Replaces a file by renaming a complete copy over it, so a reader never sees half of it. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${randomUUID()}.tmp`;
  writeFileSync(temporary, text, { flush: true });
  renameSync(temporary, file);
}
