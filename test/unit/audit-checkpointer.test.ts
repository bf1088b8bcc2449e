// The checkpointer signs the head when the trail grew, skips an unchanged head, publishes each to a file, and keeps working after a failed run.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditCheckpointer, checkpointSigned } from '../../src/audit/audit-checkpoint.js';
import { readPublishedCheckpoints } from '../../src/audit/checkpoint-file.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { loadKeyCapabilities } from '../../src/security/key-capabilities.js';
import type { AuditCheckpoint, AuditStore } from '../../src/store/audit-store.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-checkpointer-'));
initDevCertificates(dir, []);
const key = loadKeyCapabilities(join(dir, 'gateway.key.pem'), join(dir, 'gateway.cert.pem'));

/** A trail of which only the head and checkpoints matter; `failNext` makes the next head read fail. */
function trail() {
  const saved: AuditCheckpoint[] = [];
  const state = { seq: 0, hash: 'a'.repeat(64), failNext: false };
  const store = {
    async auditHead() {
      if (state.failNext) {
        state.failNext = false;
        throw new Error('store away');
      }
      return { seq: state.seq, hash: state.hash };
    },
    async saveAuditCheckpoint(c: AuditCheckpoint) {
      if (saved.some((s) => s.seq === c.seq)) return false;
      saved.push(c);
      return true;
    },
  } as unknown as AuditStore;
  return { store, saved, state };
}

describe('audit checkpointer', () => {
  it('signs a grown head once, with a signature the gateway certificate verifies', async () => {
    const { store, saved, state } = trail();
    const publishTo = join(dir, 'published', 'checkpoints.jsonl');
    const checkpointer = new AuditCheckpointer(store, key, { intervalMs: 60_000, publishTo });
    await checkpointer.checkpoint();
    expect(saved).toHaveLength(0);
    state.seq = 7;
    await checkpointer.checkpoint(1_000);
    await checkpointer.checkpoint(2_000);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ seq: 7, hash: 'a'.repeat(64), at: 1_000 });
    expect(checkpointSigned(saved[0]!, new X509Certificate(key.certificate.raw))).toBe(true);
    expect(checkpointSigned({ ...saved[0]!, seq: 8 }, key.certificate)).toBe(false);
    expect(readPublishedCheckpoints(publishTo)).toEqual(saved);
    expect(readFileSync(publishTo, 'utf8')).toBe(`{"seq":7,"hash":"${'a'.repeat(64)}","at":"1970-01-01T00:00:01.000Z","signature":"${saved[0]!.signature}"}\n`);
  });

  it('publishes nothing for a head another process signed already (its checkpoint stands)', async () => {
    const { store, saved, state } = trail();
    const publishTo = join(dir, 'twice', 'checkpoints.jsonl');
    state.seq = 5;
    await new AuditCheckpointer(store, key, { intervalMs: 0, publishTo }).checkpoint(1_000);
    await new AuditCheckpointer(store, key, { intervalMs: 0, publishTo }).checkpoint(2_000);
    expect(saved.map((c) => c.at)).toEqual([1_000]);
    expect(readPublishedCheckpoints(publishTo)).toEqual(saved);
  });

  it('names a published line that is not a checkpoint', () => {
    const file = join(dir, 'broken.jsonl');
    writeFileSync(file, `${JSON.stringify({ seq: 1, hash: 'b'.repeat(64), at: '2026-12-04T00:00:00.000Z', signature: 'AAAA' })}\n{"seq":"two"}\n`);
    expect(() => readPublishedCheckpoints(file)).toThrow(`${file}:2 is not a published audit checkpoint`);
  });

  it('writes the next checkpoint after a run that failed', async () => {
    const { store, saved, state } = trail();
    const checkpointer = new AuditCheckpointer(store, key, { intervalMs: 60_000 });
    state.seq = 3;
    state.failNext = true;
    await expect(checkpointer.checkpoint()).rejects.toThrow('store away');
    await checkpointer.checkpoint();
    expect(saved.map((c) => c.seq)).toEqual([3]);
  });
});
