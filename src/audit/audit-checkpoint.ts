// Signed checkpoints of the audit trail's head: their text, signing and checking, and the timer that writes one when the trail has grown.
import { verify, type X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import type { SigningCapability } from '../security/key-capabilities.js';
import type { AuditCheckpoint, AuditStore } from '../store/audit-store.js';
import { publishCheckpoint } from './checkpoint-file.js';

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

/** How the checkpointer runs. */
export interface CheckpointerOptions {
  /** How often it looks whether the trail grew (0: only when asked). */
  intervalMs: number;
  /** The file each checkpoint is also appended to, outside the database (see {@link publishCheckpoint}). */
  publishTo?: string;
  logger?: Logger;
}

/**
 * Writes a signed checkpoint of the trail's head every `intervalMs` when events were added since the
 * last one, and once more at close, so cutting off the newest events is detectable back to the last
 * checkpoint; each is stored with the trail, published to a file and logged, so removing it from the
 * database too is detectable as well.
 */
export class AuditCheckpointer {
  private timer: NodeJS.Timeout | undefined;
  private lastSeq = -1;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: AuditStore,
    private readonly key: SigningCapability,
    private readonly options: CheckpointerOptions,
  ) {}

  /** Starts the timer. */
  start(): void {
    this.timer = setInterval(() => void this.checkpoint().catch((err: unknown) => this.options.logger?.warn({ err }, 'audit checkpoint not written')), this.options.intervalMs);
    this.timer.unref();
  }

  /** Signs, stores and publishes a checkpoint of the current head unless this checkpointer made one of it already. */
  checkpoint(now = Date.now()): Promise<void> {
    // A failed run (the store briefly away) must not stop every later one.
    this.running = this.running.catch(() => undefined).then(async () => {
      const head = await this.store.auditHead();
      if (head.seq === 0 || head.seq === this.lastSeq) return;
      const checkpoint = signCheckpoint(this.key, head.seq, head.hash, now);
      // Another process (`gateway audit checkpoint`, another instance) may have signed this head already: its checkpoint stands.
      if (await this.store.saveAuditCheckpoint(checkpoint)) {
        if (this.options.publishTo) publishCheckpoint(this.options.publishTo, checkpoint);
        this.options.logger?.info({ auditCheckpoint: { ...checkpoint, at: new Date(checkpoint.at).toISOString() } }, 'audit checkpoint signed');
      }
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
