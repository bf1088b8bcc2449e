// One step of a store's schema, as both the SQLite and the PostgreSQL stores apply them in order at start.

/** One schema step; versions start at 1 and increase by one. A released migration is never edited. */
export interface Migration {
  readonly version: number;
  /** Short description, kept in `schema_migrations` for operators. */
  readonly name: string;
  readonly sql: string;
}
