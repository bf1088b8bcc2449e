// The versions of each mapping file activated by admins, kept beside the log's data: the text of each, who activated it and when, for rollback and for `mappings list`.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One activation of a mapping file. */
export interface Activation {
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
  /** `activated` (an upload) or `rolled-back` (the version before restored). */
  kind: 'activated' | 'rolled-back';
}

/** Activations in `<dataDir>/mapping-history.jsonl`, one JSON line each, oldest first; appended, never rewritten. */
export class MappingHistory {
  private readonly file: string;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, 'mapping-history.jsonl');
  }

  /** Every activation, oldest first. */
  all(): Activation[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Activation);
  }

  /** The activations of one mapping id, oldest first. */
  of(id: string): Activation[] {
    return this.all().filter((a) => a.id === id);
  }

  /** Records an activation (synchronously, so it is on disk before the file is replaced). */
  add(activation: Activation): void {
    appendFileSync(this.file, `${JSON.stringify(activation)}\n`, { flush: true });
  }
}
