// The history of mapping versions in PostgreSQL, shared by every gateway instance on the schema.
import { MAPPING_CHANGE_COLUMNS, mappingChangeOf, type MappingChange, type MappingChangeStore } from './mapping-change-store.js';
import type { PostgresSession } from './postgres-session.js';

/** {@link MappingChangeStore} on a PostgreSQL session: the primary key makes one of two instances appending the same position lose. */
export class PostgresMappingChanges implements MappingChangeStore {
  constructor(private readonly session: PostgresSession) {}

  async appendMappingChange(c: MappingChange, position: number): Promise<boolean> {
    const { rowCount } = await this.session.query(
      'INSERT INTO mapping_changes (mapping_id, position, version, sha256, path, text, actor, at, kind, intent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (mapping_id, position) DO NOTHING',
      [c.id, position, c.version, c.sha256, c.path, c.text, c.by, c.at, c.kind, c.intent ?? null],
    );
    return rowCount === 1;
  }

  async mappingChanges(): Promise<MappingChange[]> {
    const { rows } = await this.session.query<Parameters<typeof mappingChangeOf>[0]>(`SELECT ${MAPPING_CHANGE_COLUMNS} FROM mapping_changes ORDER BY mapping_id COLLATE "C", position`);
    return rows.map(mappingChangeOf);
  }

  async mappingChangeCount(): Promise<number> {
    const { rows } = await this.session.query<{ count: string }>('SELECT COUNT(*) AS count FROM mapping_changes');
    return Number(rows[0]!.count);
  }
}
