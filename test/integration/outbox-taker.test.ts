// The embedded queue on a real SQLite log: due messages taken under a lease, at most the partner's concurrency, behind its circuit, again after a lost lease.
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/delivery/circuit-breaker.js';
import { OutboxTaker } from '../../src/delivery/outbox-taker.js';
import type { ClaimedMessage, MessageStore, Transition } from '../../src/store/message-store.js';
import { openSqliteMessageStore } from '../../src/store/sqlite-message-store.js';
import { attempt, endIn, newMessage, PARTNER, sourceRecord } from '../conformance/store-fixtures.js';

const logger = pino({ level: 'silent' });
const OWNER = 'taker-test';

let store!: MessageStore;
let takers: OutboxTaker[] = [];

beforeEach(async () => {
  store = await openSqliteMessageStore(':memory:');
  takers = [];
});

afterEach(async () => {
  await Promise.all(takers.map((t) => t.close()));
  await store.close();
});

function taker(options: { leaseMs?: number; pollMs?: number; owner?: string } = {}): OutboxTaker {
  const made = new OutboxTaker(store, { owner: options.owner ?? OWNER, leaseMs: options.leaseMs ?? 30_000, pollMs: options.pollMs ?? 20, logger });
  takers.push(made);
  return made;
}

async function acceptMessages(count: number, partner = PARTNER): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 1; n <= count; n += 1) {
    const message = newMessage(n, { id: `${partner}-${n}`, partner });
    await store.accept(sourceRecord(`${partner}-R${n}`), [message], Date.now());
    ids.push(message.id);
  }
  return ids;
}

/** Records the attempt of a taken message as its lease owner would. */
async function finish(message: ClaimedMessage, transition: Transition = endIn('delivered'), owner = OWNER): Promise<void> {
  const done = await store.completeAttempt(message.id, owner, attempt(message.attempts + 1, transition.status === 'pending' ? 'retry' : 'delivered', Date.now()), transition, Date.now());
  if (!done) throw new Error(`${message.id}: lease lost before the attempt was recorded`);
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const delivered = async (ids: readonly string[]): Promise<boolean> => (await Promise.all(ids.map((id) => store.get(id)))).every((m) => m?.status === 'delivered');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('outbox taker (the embedded queue)', () => {
  it("takes every due message once and never runs more than the partner's concurrency at a time", async () => {
    const ids = await acceptMessages(12);
    const attempts: string[] = [];
    let running = 0;
    let most = 0;
    taker().start({
      id: PARTNER,
      concurrency: 3,
      breaker: new CircuitBreaker({ failureThreshold: 5, cooldownMs: 1_000 }),
      attempt: async (message) => {
        attempts.push(message.id);
        most = Math.max(most, ++running);
        await sleep(15);
        running -= 1;
        await finish(message);
      },
    });
    await until(() => delivered(ids));
    expect(attempts.sort()).toEqual([...ids].sort());
    expect(most).toBe(3);
  });

  it('takes a retry when it comes due, not before, with the attempts made so far', async () => {
    const [id] = await acceptMessages(1);
    const seen: Array<{ at: number; attempts: number }> = [];
    let dueAt = 0;
    taker().start({
      id: PARTNER,
      concurrency: 2,
      breaker: new CircuitBreaker({ failureThreshold: 5, cooldownMs: 1_000 }),
      attempt: async (message) => {
        seen.push({ at: Date.now(), attempts: message.attempts });
        if (message.attempts > 0) return finish(message);
        dueAt = Date.now() + 200;
        await finish(message, { status: 'pending', nextAttemptAt: dueAt, reason: 'retry in 200 ms' });
      },
    });
    await until(() => delivered([id!]));
    expect(seen.map((s) => s.attempts)).toEqual([0, 1]);
    expect(seen[1]!.at).toBeGreaterThanOrEqual(dueAt);
  });

  it('takes nothing while the circuit is open, then one trial at a time while it is half-open', async () => {
    const ids = await acceptMessages(3);
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 250 });
    const openedAt = Date.now();
    breaker.recordFailure(openedAt);
    const starts: number[] = [];
    let running = 0;
    let most = 0;
    taker().start({
      id: PARTNER,
      concurrency: 3,
      breaker,
      attempt: async (message) => {
        starts.push(Date.now());
        most = Math.max(most, ++running);
        await sleep(30);
        running -= 1;
        // The first trial fails (the circuit opens again); the next one succeeds and closes it.
        if (starts.length === 1) {
          breaker.recordFailure(Date.now());
          return finish(message, { status: 'pending', nextAttemptAt: Date.now(), reason: 'trial failed' });
        }
        breaker.recordSuccess();
        await finish(message);
      },
    });
    await until(() => delivered(ids));
    expect(starts[0]! - openedAt).toBeGreaterThanOrEqual(250);
    // After the failed trial the circuit stays open for another cooldown before the next trial.
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(250);
    expect(starts.length).toBe(4);
    // Only one attempt ran until the successful trial closed the circuit.
    expect(starts[2]!).toBeGreaterThanOrEqual(starts[1]! + 30);
    expect(most).toBeLessThanOrEqual(2);
  });

  it('leaves the message of a throwing attempt leased, and takes it again when the lease ends', async () => {
    const [id] = await acceptMessages(1);
    const starts: number[] = [];
    taker({ leaseMs: 300 }).start({
      id: PARTNER,
      concurrency: 4,
      breaker: new CircuitBreaker({ failureThreshold: 5, cooldownMs: 1_000 }),
      attempt: async (message) => {
        starts.push(Date.now());
        if (starts.length === 1) throw new Error('the attempt could not be recorded');
        await finish(message);
      },
    });
    await until(() => delivered([id!]));
    expect(starts).toHaveLength(2);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(300);
  });

  it('shares due messages between two owners on one log: each message attempted once', async () => {
    const ids = await acceptMessages(30);
    const attempted = new Map<string, string[]>();
    for (const owner of ['instance-a', 'instance-b']) {
      taker({ owner }).start({
        id: PARTNER,
        concurrency: 4,
        breaker: new CircuitBreaker({ failureThreshold: 5, cooldownMs: 1_000 }),
        attempt: async (message) => {
          attempted.set(message.id, [...(attempted.get(message.id) ?? []), owner]);
          await sleep(5);
          await finish(message, endIn('delivered'), owner);
        },
      });
    }
    await until(() => delivered(ids));
    expect([...attempted.keys()].sort()).toEqual([...ids].sort());
    expect([...attempted.values()].every((owners) => owners.length === 1)).toBe(true);
    expect(new Set([...attempted.values()].flat())).toEqual(new Set(['instance-a', 'instance-b']));
  });

  it('close() during a take that is still waiting for the log waits for what that take leases', async () => {
    const ids = await acceptMessages(3);
    // The log answering a take late, as a database over the network does.
    let answered = false;
    const slowLog = Object.create(store) as MessageStore;
    slowLog.claimDue = async (...args) => {
      await sleep(100);
      answered = true;
      return store.claimDue(...args);
    };
    const slow = new OutboxTaker(slowLog, { owner: OWNER, leaseMs: 30_000, pollMs: 60_000, logger });
    const finished: string[] = [];
    slow.start({
      id: PARTNER,
      concurrency: 4,
      breaker: new CircuitBreaker({ failureThreshold: 5, cooldownMs: 1_000 }),
      attempt: async (message) => {
        await sleep(20);
        await finish(message);
        finished.push(message.id);
      },
    });
    await sleep(20);
    expect(answered).toBe(false);
    await slow.close();
    expect(finished.sort()).toEqual([...ids].sort());
    expect(await delivered(ids)).toBe(true);
  });

  it('wakes for the partner named at once, and close() waits for attempts in flight and takes nothing after', async () => {
    const slow = taker({ pollMs: 60_000 });
    const started: string[] = [];
    const finished: string[] = [];
    slow.start({
      id: PARTNER,
      concurrency: 2,
      breaker: new CircuitBreaker({ failureThreshold: 5, cooldownMs: 1_000 }),
      attempt: async (message) => {
        started.push(message.id);
        await sleep(100);
        await finish(message);
        finished.push(message.id);
      },
    });
    await sleep(50);
    const [first] = await acceptMessages(1);
    slow.wake([PARTNER]);
    await until(() => started.length === 1);
    expect(finished).toEqual([]);
    await slow.close();
    expect(finished).toEqual([first]);
    const later = newMessage(99, { id: 'after-close' });
    await store.accept(sourceRecord('after-close'), [later], Date.now());
    slow.wake();
    await sleep(100);
    expect((await store.get('after-close'))?.attempts).toBe(0);
  });
});
