// Behaviours every Queue must have, as a vitest suite each implementation runs against its own fresh queue.
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryJob, Queue } from '../../src/queue/queue.js';
import { sleep, waitFor } from '../support/wait.js';

/** What the suite opens its queues with. */
export interface QueueSuiteOptions {
  partners: string[];
  delayTiersMs: number[];
  deliveryLimit: number;
}

const OPTIONS: QueueSuiteOptions = { partners: ['alpha', 'beta'], delayTiersMs: [300, 2_000], deliveryLimit: 3 };

/** Quiet period after which "nothing else happened" is believed. */
const SETTLE_MS = 500;

function job(messageId: string, partner = 'alpha'): DeliveryJob {
  return { messageId, partner };
}



/**
 * Defines the conformance suite for one Queue implementation.
 * @param open opens a queue; called again within a test it must reach the same stored jobs (same file or prefix)
 * @param cleanup runs after each test, once every queue the test opened is closed: forget the file or prefix
 */
export function queueConformance(name: string, open: (opts: QueueSuiteOptions) => Promise<Queue>, cleanup?: () => Promise<void>): void {
  describe(`Queue conformance: ${name}`, () => {
    const opened: Queue[] = [];

    async function openQueue(): Promise<Queue> {
      const queue = await open({ ...OPTIONS, partners: [...OPTIONS.partners], delayTiersMs: [...OPTIONS.delayTiersMs] });
      opened.push(queue);
      return queue;
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((queue) => queue.close()));
      await cleanup?.();
    });

    it('delivers a published job once, to its own partner only', async () => {
      const queue = await openQueue();
      const seen: Record<string, DeliveryJob[]> = { alpha: [], beta: [] };
      await queue.consume('alpha', 2, async (j) => void seen.alpha?.push(j));
      await queue.consume('beta', 2, async (j) => void seen.beta?.push(j));
      expect(queue.writable()).toBe(true);
      await queue.publish(job('m-1'));
      await waitFor('the alpha consumer', () => seen.alpha?.length === 1);
      await sleep(SETTLE_MS);
      expect(seen.alpha).toEqual([job('m-1')]);
      expect(seen.beta).toEqual([]);
      expect(await queue.deadLetters('alpha')).toEqual([]);
    });

    it('has stored a job once publish resolves: a queue opened after close still delivers it', async () => {
      const first = await openQueue();
      await first.publish(job('m-1'));
      await first.close();
      const second = await openQueue();
      const seen: string[] = [];
      await second.consume('alpha', 1, async (j) => void seen.push(j.messageId));
      await waitFor('the job published before the reopen', () => seen.length === 1);
      expect(seen).toEqual(['m-1']);
    });

    it('never runs more handlers at once than the consumer concurrency', async () => {
      const queue = await openQueue();
      for (let n = 0; n < 8; n += 1) await queue.publish(job(`m-${n}`));
      let running = 0;
      let peak = 0;
      const done = new Set<string>();
      await queue.consume('alpha', 3, async (j) => {
        running += 1;
        peak = Math.max(peak, running);
        await sleep(100);
        running -= 1;
        done.add(j.messageId);
      });
      await waitFor('all eight jobs', () => done.size === 8);
      expect(peak).toBeLessThanOrEqual(3);
      expect(peak).toBeGreaterThan(1);
    });

    it('delivers a job again after its handler throws', async () => {
      const queue = await openQueue();
      const attempts: string[] = [];
      await queue.consume('alpha', 1, async (j) => {
        attempts.push(j.messageId);
        if (attempts.length === 1) throw new Error('partner down');
      });
      await queue.publish(job('m-1'));
      await waitFor('the second attempt', () => attempts.length === 2);
      await sleep(SETTLE_MS);
      expect(attempts).toEqual(['m-1', 'm-1']);
      expect(await queue.deadLetters('alpha')).toEqual([]);
    });

    it('dead-letters a job after deliveryLimit failed attempts while other jobs keep flowing', async () => {
      const queue = await openQueue();
      let poisonAttempts = 0;
      const delivered: string[] = [];
      await queue.consume('alpha', 2, async (j) => {
        if (j.messageId === 'poison') {
          poisonAttempts += 1;
          throw new Error('always fails');
        }
        delivered.push(j.messageId);
      });
      await queue.publish(job('poison'));
      for (const id of ['m-1', 'm-2', 'm-3']) await queue.publish(job(id));
      await waitFor('the other jobs', () => delivered.length === 3);
      await waitFor('the dead letter', async () => (await queue.deadLetters('alpha')).length === 1, 10_000);
      await sleep(SETTLE_MS);
      expect(poisonAttempts).toBe(OPTIONS.deliveryLimit);
      expect(delivered.sort()).toEqual(['m-1', 'm-2', 'm-3']);
      expect(await queue.deadLetters('alpha')).toEqual([job('poison')]);
      expect(await queue.deadLetters('alpha')).toEqual([job('poison')]);
      expect(await queue.deadLetters('beta')).toEqual([]);
    });

    it('holds a delayed job for at least its delay, and a short delay overtakes a long one', async () => {
      const queue = await openQueue();
      const handledAt = new Map<string, number>();
      await queue.consume('alpha', 2, async (j) => void handledAt.set(j.messageId, Date.now()));
      const start = Date.now();
      await queue.publish(job('long'), 1_500);
      await queue.publish(job('short'), 200);
      await waitFor('both delayed jobs', () => handledAt.size === 2, 10_000);
      const short = (handledAt.get('short') as number) - start;
      const long = (handledAt.get('long') as number) - start;
      expect(short).toBeGreaterThanOrEqual(200);
      expect(long).toBeGreaterThanOrEqual(1_500);
      expect(short).toBeLessThan(long);
    });

    it('close() waits for a handler in flight, whose job is then gone', async () => {
      const queue = await openQueue();
      let started = false;
      let finished = false;
      await queue.consume('alpha', 1, async () => {
        started = true;
        await sleep(400);
        finished = true;
      });
      await queue.publish(job('m-1'));
      await waitFor('the handler to start', () => started);
      await queue.close();
      expect(finished).toBe(true);
      const reopened = await openQueue();
      const again: string[] = [];
      await reopened.consume('alpha', 1, async (j) => void again.push(j.messageId));
      await sleep(SETTLE_MS);
      expect(again).toEqual([]);
    });

    it('runs no handler after close(), refuses to publish, and closes idempotently', async () => {
      const first = await openQueue();
      let calls = 0;
      await first.consume('alpha', 1, async () => {
        calls += 1;
      });
      await first.close();
      await first.close();
      expect(first.writable()).toBe(false);
      await expect(first.publish(job('m-0'))).rejects.toThrow();
      const second = await openQueue();
      await second.publish(job('m-1'));
      await sleep(SETTLE_MS);
      expect(calls).toBe(0);
      const seen: string[] = [];
      await second.consume('alpha', 1, async (j) => void seen.push(j.messageId));
      await waitFor('the job on the open queue', () => seen.length === 1);
      expect(seen).toEqual(['m-1']);
    });
  });
}
