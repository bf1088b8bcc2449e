// What the store conformance suites share: a fixed clock, ids, records and messages to accept, and the steps a test takes on a store.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, expect } from 'vitest';
import type { AttemptRecord, ClaimedMessage, MessageStatus, MessageStore, NewMessage, SourceRecord, Transition } from '../../src/store/message-store.js';

/** 2026-01-01T00:00:00Z; every test passes its clock explicitly from here. */
export const T0 = 1_767_225_600_000;
/** The lease every claim in the suites asks for. */
export const LEASE_MS = 30_000;
/** The partner the suites' messages go to. */
export const PARTNER = 'iru-safetir';
/** Statuses a message ends in without being delivered. */
export const END_STATES = ['failed', 'dead-lettered', 'needs-human'] as const;

/** A UUID-shaped id whose order is that of `n`. */
export function messageId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
}

/** A tir.termination record with this id (the carnet number) and version. */
export function sourceRecord(recordId: string, version = 1): SourceRecord {
  return { type: 'tir.termination', recordId, version, json: JSON.stringify({ recordType: 'tir.termination', carnetNumber: recordId, version }) };
}

/** Outbound message `n` (id {@link messageId}, carnet key `XC<n>`), its sha256 computed from its payload. */
export function newMessage(n: number, overrides: Partial<Omit<NewMessage, 'payloadSha256'>> = {}): NewMessage {
  const base = {
    id: messageId(n),
    partner: PARTNER,
    messageType: 'safetir-upload',
    mapping: { id: 'safetir-termination', version: 3, sha256: 'ab'.repeat(32) },
    businessKeys: { carnet: `XC${n}` },
    payload: Buffer.from(`<Upload n="${n}"/>`, 'utf8'),
    extension: 'xml',
    ...overrides,
  };
  return { ...base, payloadSha256: createHash('sha256').update(base.payload).digest('hex') };
}

export function attempt(number: number, outcome: AttemptRecord['outcome'], startedAt: number): AttemptRecord {
  const ok = outcome === 'delivered';
  return { number, startedAt, durationMs: 250 + number, outcome, httpStatus: ok ? 200 : 503, partnerCode: ok ? null : `E${number}`, error: ok ? null : 'HTTP 503' };
}

export function retryAt(nextAttemptAt: number, n: number): Transition {
  return { status: 'pending', nextAttemptAt, reason: `retry ${n} scheduled: HTTP 503` };
}

export function endIn(status: Exclude<MessageStatus, 'pending'>): Transition {
  return { status, reason: `attempt ended: ${status}` };
}

/** A message of the seeded search set, with what search should know about it. */
export interface Seeded {
  id: string;
  createdAt: number;
  partner: string;
  messageType: string;
}

/** 25 messages in 9 records, 3 per record sharing created_at; ids are not in insertion order so ties test the id order. */
export async function seedSearchSet(store: MessageStore): Promise<Seeded[]> {
  const seeded: Seeded[] = [];
  for (let group = 0; group * 3 < 25; group += 1) {
    const createdAt = T0 + group * 1000;
    const messages = [0, 1, 2]
      .map((k) => group * 3 + k)
      .filter((i) => i < 25)
      .map((i) =>
        newMessage((i * 7) % 25, {
          partner: i % 2 === 0 ? 'p-even' : 'p-odd',
          messageType: i % 3 === 0 ? 'type-a' : 'type-b',
          businessKeys: { carnet: `XC${i}`, declaration: i < 5 ? 'DECL-1' : `D${i}` },
        }),
      );
    await store.accept(sourceRecord(`R${group}`), messages, createdAt);
    seeded.push(...messages.map(({ id, partner, messageType }) => ({ id, partner, messageType, createdAt })));
  }
  return seeded;
}

/** Ids newest first, ties by id descending: the order search promises. */
export function newestFirst(messages: readonly Seeded[]): string[] {
  return [...messages].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map((m) => m.id);
}

/** Follows nextCursor to the end, returning the ids of every page. */
export async function allPages(store: MessageStore, filter: Parameters<MessageStore['search']>[0], limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await store.search(filter, limit, cursor);
    pages.push(page.items.map((m) => m.id));
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < 100);
  return pages;
}

/** The steps tests take on the store `current()` returns (the suite's fresh store of the moment). */
export function storeSteps(current: () => MessageStore) {
  /** Accepts one message in its own record at `now`. */
  async function acceptOne(n: number, now: number, overrides: Partial<Omit<NewMessage, 'payloadSha256'>> = {}): Promise<NewMessage> {
    const message = newMessage(n, overrides);
    await current().accept(sourceRecord(`R-${n}`), [message], now);
    return message;
  }

  /** Claims a message that must be claimable, for `owner`. */
  async function claim(id: string, now: number, owner = 'worker-1'): Promise<ClaimedMessage> {
    const result = await current().claimById(id, now, LEASE_MS, owner);
    if (result.state !== 'claimed') throw new Error(`${id} not claimed at ${now}: ${JSON.stringify(result)}`);
    return result.message;
  }

  /** Claims a message for worker-1 and ends its attempt with `transition` 5 ms later. */
  async function attemptOn(id: string, now: number, transition: Transition, outcome: AttemptRecord['outcome']): Promise<void> {
    const claimed = await claim(id, now);
    const done = await current().completeAttempt(id, 'worker-1', attempt(claimed.attempts + 1, outcome, now), transition, now + 5);
    expect(done).toBe(true);
  }

  /** Ids of the unpublished messages, as the relay takes them (which hands them out). */
  async function unpublishedIds(limit = 100): Promise<string[]> {
    return (await current().unpublished(limit)).map((m) => m.id);
  }

  /** Hands every unpublished message out and marks it published, as the relay does after the queue confirmed. */
  async function publishAll(): Promise<void> {
    await current().markPublished(await unpublishedIds());
  }

  return { acceptOne, claim, attemptOn, unpublishedIds, publishAll };
}

/**
 * Gives each test of the calling suite a fresh store from `open` (handed to `use`), closed after the
 * test, then `cleanup` (drop files, truncate tables …).
 */
export function eachFreshStore(open: () => Promise<MessageStore>, cleanup: (() => Promise<void>) | undefined, use: (store: MessageStore) => void): void {
  let store: MessageStore | undefined;
  beforeEach(async () => {
    store = await open();
    use(store);
  });
  afterEach(async () => {
    await store?.close();
    await cleanup?.();
  });
}
