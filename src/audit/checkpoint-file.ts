// Signed audit checkpoints published outside the database: one JSON line each in a file an operator keeps where the database's administrators cannot write.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GatewayError } from '../errors.js';
import type { AuditCheckpoint } from '../store/audit-store.js';

/** Appends `checkpoint` to `file` as one JSON line, flushed (the file and its folder are created when missing). */
export function publishCheckpoint(file: string, checkpoint: AuditCheckpoint): void {
  mkdirSync(dirname(file), { recursive: true });
  const { seq, hash, at, signature } = checkpoint;
  appendFileSync(file, `${JSON.stringify({ seq, hash, at: new Date(at).toISOString(), signature })}\n`, { flush: true });
}

/**
 * The checkpoints published in `file` (none when it does not exist), oldest first.
 * @throws GatewayError GW_ERR_CONFIG_INVALID naming the line that is not a checkpoint
 */
export function readPublishedCheckpoints(file: string): AuditCheckpoint[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  const checkpoints: AuditCheckpoint[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: { seq?: unknown; hash?: unknown; at?: unknown; signature?: unknown };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      parsed = {};
    }
    const at = typeof parsed.at === 'string' ? Date.parse(parsed.at) : Number.NaN;
    if (!Number.isSafeInteger(parsed.seq) || typeof parsed.hash !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.hash) || Number.isNaN(at) || typeof parsed.signature !== 'string') {
      throw new GatewayError('GW_ERR_CONFIG_INVALID', `${file}:${i + 1} is not a published audit checkpoint ({"seq", "hash", "at", "signature"})`);
    }
    checkpoints.push({ seq: parsed.seq as number, hash: parsed.hash, at, signature: parsed.signature });
  });
  return checkpoints;
}
