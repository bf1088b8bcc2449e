// The history of mapping versions in a SQLite log file.
import { MAPPING_CHANGE_COLUMNS, mappingChangeOf, type MappingChange, type MappingChangeStore } from './mapping-change-store.js';
import type { SqliteConnection } from './sqlite-connection.js';

type Row = Parameters<typeof mappingChangeOf>[0];

/** {@link MappingChangeStore} on a SQLite connection; appends are committed at full durability. */
export class SqliteMappingChanges implements MappingChangeStore {
  private readonly insert;
  private readonly all;
  private readonly count;

  constructor(private readonly connection: SqliteConnection) {
    const db = connection.db;
    this.insert = db.prepare<[string, number, number, string, string, string, string, number, string, string | null]>(
      'INSERT INTO mapping_changes (mapping_id, position, version, sha256, path, text, actor, at, kind, intent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (mapping_id, position) DO NOTHING',
    );
    this.all = db.prepare<[], Row>(`SELECT ${MAPPING_CHANGE_COLUMNS} FROM mapping_changes ORDER BY mapping_id, position`);
    this.count = db.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM mapping_changes');
  }

  async appendMappingChange(c: MappingChange, position: number): Promise<boolean> {
    return this.connection.durable(() => this.insert.run(c.id, position, c.version, c.sha256, c.path, c.text, c.by, c.at, c.kind, c.intent ?? null).changes === 1);
  }

  async mappingChanges(): Promise<MappingChange[]> {
    return this.all.all().map(mappingChangeOf);
  }

  async mappingChangeCount(): Promise<number> {
    return this.count.get()!.count;
  }
}
