// The highest version of each record of the wanted types, whatever order the versions come in.
import type { CaisRecord } from './record-types.js';

/** Collects records, keeping per (type, recordId) the highest version; other types are skipped. */
export class LatestRecords<T extends CaisRecord['type']> {
  private readonly latest = new Map<string, Extract<CaisRecord, { type: T }>>();

  constructor(private readonly types: readonly T[]) {}

  /** Takes a record in, replacing a lower version of it. */
  add(record: CaisRecord): void {
    if (!(this.types as readonly string[]).includes(record.type)) return;
    const key = `${record.type} ${record.recordId}`;
    const known = this.latest.get(key);
    if (!known || known.version < record.version) this.latest.set(key, record as Extract<CaisRecord, { type: T }>);
  }

  /** The records kept, in the order each was first seen. */
  values(): Array<Extract<CaisRecord, { type: T }>> {
    return [...this.latest.values()];
  }
}
