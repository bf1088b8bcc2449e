// Signed checkpoints of the audit trail's head: their text, signing and checking, and the timer that writes one when the trail has grown.
import { verify, type X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import type { SigningCapability } from '../security/key-capabilities.js';
import type { AuditCheckpoint, AuditStore } from '../store/audit-store.js';

/** The exact text a checkpoint's signature covers. */
export function checkpointText(c: Pick<AuditCheckpoint, 'seq' | 'hash' | 'at'>): string {
  return `customs-gateway audit checkpoint v1\nseq ${c.seq}\nhash ${c.hash}\nat ${new Date(c.at).toISOString()}\n`;
}

/** Signs the head `seq`/`hash` at `at` with the gateway key (SHA-256; an EC signature DER-encoded, as `openssl dgst -verify` reads it). */
export function signCheckpoint(key: SigningCapability, seq: number, hash: string, at: number): AuditCheckpoint {
  const signature = key.sign(checkpointText({ seq, hash, at }), { dsaEncoding: 'der' }).toString('base64');
  return { seq, hash, at, signature };
}

/** Whether a checkpoint's signature verifies with the gateway certificate. */
export function checkpointSigned(c: AuditCheckpoint, certificate: X509Certificate): boolean {
  try {
    return verify('sha256', Buffer.from(checkpointText(c)), certificate.publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Writes a signed checkpoint of the trail's head every `intervalMs` when events were added since the
 * last one, and once more at close, so cutting off the newest events is detectable back to the last
 * checkpoint.
 */
export class AuditCheckpointer {
  private timer: NodeJS.Timeout | undefined;
  private lastSeq = -1;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: AuditStore,
    private readonly key: SigningCapability,
    private readonly intervalMs: number,
    private readonly logger?: Logger,
  ) {}

  /** Starts the timer. */
  start(): void {
    this.timer = setInterval(() => void this.checkpoint().catch((err: unknown) => this.logger?.warn({ err }, 'audit checkpoint not written')), this.intervalMs);
    this.timer.unref();
  }

  /** Signs and stores a checkpoint of the current head unless one exists for it; resolves to the head checkpointed. */
  checkpoint(now = Date.now()): Promise<void> {
    // A failed run (the store briefly away) must not stop every later one.
    this.running = this.running.catch(() => undefined).then(async () => {
      const head = await this.store.auditHead();
      if (head.seq === 0 || head.seq === this.lastSeq) return;
      await this.store.saveAuditCheckpoint(signCheckpoint(this.key, head.seq, head.hash, now));
      this.lastSeq = head.seq;
    });
    return this.running;
  }

  /** Stops the timer and writes a last checkpoint; idempotent. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.checkpoint();
  }
}
