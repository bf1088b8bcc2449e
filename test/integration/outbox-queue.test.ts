// The embedded SQLite queue: the Queue conformance suite on a temporary file, plus leases of a crashed consumer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openOutboxQueue } from '../../src/queue/outbox-queue.js';
import type { Queue } from '../../src/queue/queue.js';
import { queueConformance } from '../conformance/queue.conformance.js';

let conformanceDir: string | undefined;

queueConformance(
  'outbox (SQLite file)',
  async (opts) => {
    conformanceDir ??= mkdtempSync(join(tmpdir(), 'gw-queue-'));
    return openOutboxQueue({ file: join(conformanceDir, 'nested', 'queue.sqlite'), ...opts });
  },
  async () => {
    if (conformanceDir !== undefined) rmSync(conformanceDir, { recursive: true, force: true });
    conformanceDir = undefined;
  },
);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('outbox queue leases', () => {
  let dir: string;
  let file: string;
  const opened: Queue[] = [];
  let releaseStuck: () => void = () => undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-queue-lease-'));
    file = join(dir, 'queue.sqlite');
  });
  afterEach(async () => {
    releaseStuck();
    await Promise.all(opened.splice(0).map((queue) => queue.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  function open(owner: string, deliveryLimit = 10): Queue {
    const queue = openOutboxQueue({ file, owner, deliveryLimit, leaseMs: 800, pollMs: 50 });
    opened.push(queue);
    return queue;
  }

  /** A consumer whose handler never finishes on its own, as if its process had died mid-delivery. */
  async function crashedConsumer(deliveryLimit?: number): Promise<() => number> {
    const crashed = open('crashed', deliveryLimit);
    let calls = 0;
    const stuck = new Promise<void>((resolve) => {
      releaseStuck = resolve;
    });
    await crashed.consume('alpha', 1, async () => {
      calls += 1;
      await stuck;
    });
    await crashed.publish({ messageId: 'm-1', partner: 'alpha' });
    await waitFor('the crashed consumer to lease the job', () => calls === 1);
    return () => calls;
  }

  it('delivers a job leased by a crashed consumer again once the lease expires, and only then', async () => {
    const crashedCalls = await crashedConsumer();
    const survivor = open('survivor');
    const seen: string[] = [];
    await survivor.consume('alpha', 1, async (j) => void seen.push(j.messageId));
    await sleep(300);
    expect(seen).toEqual([]);
    await waitFor('the expired lease', () => seen.length === 1);
    releaseStuck();
    await sleep(200);
    expect(seen).toEqual(['m-1']);
    expect(crashedCalls()).toBe(1);
    const rows = new Database(file, { readonly: true });
    try {
      expect(rows.prepare('SELECT COUNT(*) AS n FROM queue_jobs').get()).toEqual({ n: 0 });
    } finally {
      rows.close();
    }
  });

  it('dead-letters a job whose lease expired on its last delivery instead of delivering it again', async () => {
    await crashedConsumer(1);
    const survivor = open('survivor', 1);
    let calls = 0;
    await survivor.consume('alpha', 1, async () => {
      calls += 1;
    });
    await waitFor('the dead letter', async () => (await survivor.deadLetters('alpha')).length === 1);
    expect(await survivor.deadLetters('alpha')).toEqual([{ messageId: 'm-1', partner: 'alpha' }]);
    expect(calls).toBe(0);
  });
});
