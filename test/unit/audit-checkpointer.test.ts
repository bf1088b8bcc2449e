// The checkpointer signs the head when the trail grew, skips an unchanged head, and keeps working after a failed run.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditCheckpointer, checkpointSigned } from '../../src/audit/audit-checkpoint.js';
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
      saved.push(c);
    },
  } as unknown as AuditStore;
  return { store, saved, state };
}

describe('audit checkpointer', () => {
  it('signs a grown head once, with a signature the gateway certificate verifies', async () => {
    const { store, saved, state } = trail();
    const checkpointer = new AuditCheckpointer(store, key, 60_000);
    await checkpointer.checkpoint();
    expect(saved).toHaveLength(0);
    state.seq = 7;
    await checkpointer.checkpoint(1_000);
    await checkpointer.checkpoint(2_000);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ seq: 7, hash: 'a'.repeat(64), at: 1_000 });
    expect(checkpointSigned(saved[0]!, new X509Certificate(key.certificate.raw))).toBe(true);
    expect(checkpointSigned({ ...saved[0]!, seq: 8 }, key.certificate)).toBe(false);
  });

  it('writes the next checkpoint after a run that failed', async () => {
    const { store, saved, state } = trail();
    const checkpointer = new AuditCheckpointer(store, key, 60_000);
    state.seq = 3;
    state.failNext = true;
    await expect(checkpointer.checkpoint()).rejects.toThrow('store away');
    await checkpointer.checkpoint();
    expect(saved.map((c) => c.seq)).toEqual([3]);
  });
});
