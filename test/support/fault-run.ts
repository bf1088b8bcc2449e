// What the fault suites do to a running gateway: post transit movements, wait for the log to drain, and check every accepted message reached the member once per id.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ReceivedMessage } from '../../src/sim/partner-simulator.js';
import { receivedByOurId, type DetailOf } from './member-message-ids.js';
import { RECORD_FIXTURES } from './project.js';

const movement = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;

/** `count` transit movements with record ids `<tag>-<from>` onwards (they go to Russia). */
export function movements(tag: string, from: number, count: number): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, i) => ({ ...movement, recordId: `${tag}-${from + i}` }));
}

/** A gateway's API as the fault suites call it, with one bearer token. */
export function faultClient(token: string) {
  const auth = { authorization: `Bearer ${token}` };

  /** Posts records, which must be accepted (202); returns the ids of their messages. */
  async function post(url: string, records: unknown[]): Promise<string[]> {
    const res = await fetch(`${url}/v1/cais/records`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(records) });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { results: Array<{ messages: Array<{ id: string }> }> };
    return body.results.flatMap((r) => r.messages.map((m) => m.id));
  }

  /** Pending messages in the log (up to 500). */
  async function pendingCount(url: string): Promise<number> {
    const res = await fetch(`${url}/v1/messages?status=pending&limit=500`, { headers: auth });
    return ((await res.json()) as { items: unknown[] }).items.length;
  }

  /** Reads message details from the gateway at `url`. */
  function detailsAt(url: string): DetailOf {
    return async (id) => (await fetch(`${url}/v1/messages/${id}`, { headers: auth })).json() as Promise<{ businessKeys?: Record<string, string> }>;
  }

  /** Every accepted id reached the member, and a repeated id always carried the same document; returns the number of repeats. */
  async function expectAllDelivered(url: string, accepted: Set<string>, atMember: readonly ReceivedMessage[]): Promise<number> {
    const received = await receivedByOurId(detailsAt(url), accepted, atMember);
    const byId = new Map<string, Set<string>>();
    for (const r of received) if (accepted.has(r.messageId)) byId.set(r.messageId, (byId.get(r.messageId) ?? new Set()).add(r.document));
    expect([...accepted].filter((id) => !byId.has(id))).toEqual([]);
    for (const id of accepted) expect(byId.get(id)?.size).toBe(1);
    return received.filter((r) => accepted.has(r.messageId)).length - accepted.size;
  }

  return { post, pendingCount, detailsAt, expectAllDelivered };
}
