// The mapping lifecycle's role in the store: every version each mapping file ran, shared by every gateway instance on the database.
/** One change of the version a mapping runs. */
export interface MappingChange {
  id: string;
  version: number;
  sha256: string;
  /** The file, relative to the mappings folder (`<partner>/<name>.yaml`). */
  path: string;
  /** The file's exact text. */
  text: string;
  by: string;
  /** Epoch ms. */
  at: number;
  /**
   * `activated`: an upload made active; `rolled-back`: the version before the current one restored
   * (this entry is the restored version); `found`: the version a gateway was running from its file,
   * recorded before anything replaced it (by `file`); `pending`: a change about to be made (its
   * {@link intent}), recorded before the file is written so that a gateway stopped halfway records
   * the change when it finds the version running.
   */
  kind: 'activated' | 'rolled-back' | 'found' | 'pending';
  /** What a `pending` entry becomes once the version runs. */
  intent?: 'activated' | 'rolled-back';
}

/**
 * The history of mapping versions, append-only. Each mapping's changes are numbered from 1; an append
 * names the number it takes, so two instances changing one mapping at once cannot both succeed.
 */
export interface MappingChangeStore {
  /** Appends `change` as change number `position` of its mapping, durably; resolves false, storing nothing, when that number is taken. */
  appendMappingChange(change: MappingChange, position: number): Promise<boolean>;
  /** Every change, each mapping's in order. */
  mappingChanges(): Promise<MappingChange[]>;
  /** How many changes there are (cheap: an instance polls it to learn of another's change). */
  mappingChangeCount(): Promise<number>;
}

/** The table, in SQL both stores accept (`integer` is SQLite's INTEGER or PostgreSQL's BIGINT). */
export function mappingChangesTableSql(integer: string): string {
  return `
CREATE TABLE mapping_changes (
  mapping_id TEXT    NOT NULL,
  position   ${integer} NOT NULL,
  version    ${integer} NOT NULL,
  sha256     TEXT    NOT NULL,
  path       TEXT    NOT NULL,
  text       TEXT    NOT NULL,
  actor      TEXT    NOT NULL,
  at         ${integer} NOT NULL,
  kind       TEXT    NOT NULL,
  intent     TEXT,
  PRIMARY KEY (mapping_id, position)
);`;
}

/** The columns read back, named as {@link MappingChange}'s fields. */
export const MAPPING_CHANGE_COLUMNS = 'mapping_id AS id, version, sha256, path, text, actor AS "by", at, kind, intent';

/** A row read back as a change (numbers as numbers, no `intent` when there is none). */
export function mappingChangeOf(row: Omit<MappingChange, 'version' | 'at' | 'intent'> & { version: number | string; at: number | string; intent: MappingChange['intent'] | null }): MappingChange {
  const { intent, ...rest } = row;
  return { ...rest, version: Number(row.version), at: Number(row.at), ...(intent ? { intent } : {}) };
}
