// The RabbitMQ queue on the real broker: the Queue conformance suite, the declared topology, retry tiers and recovery.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import pino, { type Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAmqpQueue } from '../../src/queue/amqp-queue.js';
import type { TopologyOptions } from '../../src/queue/amqp-topology.js';
import type { Queue } from '../../src/queue/queue.js';
import { queueConformance } from '../conformance/queue.conformance.js';
import { skipWithout } from '../support/external-tool.js';
import { deleteTopology, rabbitmqUrl, skipWithoutRabbitmq } from '../support/rabbitmq.js';
import { waitFor } from '../support/wait.js';

const skip = await skipWithoutRabbitmq('amqp queue');
const noRabbitmqctl = skip || skipWithout('amqp queue broker-side checks', { tools: ['rabbitmqctl'] });

type PrefixedOptions = TopologyOptions & { prefix: string };

function freshPrefix(): string {
  return `gwtest-${randomUUID().slice(0, 8)}`;
}



function rabbitmqctl(...args: string[]): string {
  return execFileSync('rabbitmqctl', [...args, '-q'], { encoding: 'utf8', timeout: 60_000 });
}

/** `rabbitmqctl list_* --formatter json` rows whose `key` starts with the prefix. */
function listed(prefix: string, key: string, ...command: string[]): Array<Record<string, unknown>> {
  const rows = JSON.parse(rabbitmqctl(...command, '--formatter', 'json')) as Array<Record<string, unknown>>;
  return rows.filter((row) => String(row[key]).startsWith(`${prefix}.`));
}

/** Each queue of the prefix with its arguments as a plain object. */
function queueArguments(prefix: string): Record<string, Record<string, unknown>> {
  const rows = listed(prefix, 'name', 'list_queues', 'name', 'arguments');
  return Object.fromEntries(rows.map((row) => [row.name, Object.fromEntries((row.arguments as Array<[string, string, unknown]>).map(([k, , v]) => [k, v]))]));
}

/** Closes the broker side of every connection a queue on this prefix opened; returns how many. */
function dropConnections(prefix: string): number {
  const pids = rabbitmqctl('list_connections', 'pid', 'client_properties', '--no-table-headers')
    .split('\n')
    .filter((line) => line.includes(`"connection_name","${prefix} queue `))
    .map((line) => line.split('\t')[0] as string);
  for (const pid of pids) rabbitmqctl('close_connection', pid, 'dropped by amqp-queue.test.ts');
  return pids.length;
}

describe.skipIf(skip)('AMQP queue on RabbitMQ', () => {
  let current: PrefixedOptions | undefined;

  queueConformance(
    'RabbitMQ',
    async (opts) => {
      current ??= { ...opts, prefix: freshPrefix() };
      return createAmqpQueue({ url: rabbitmqUrl, ...current, connectTimeoutMs: 5_000 });
    },
    async () => {
      if (current !== undefined) await deleteTopology(current);
      current = undefined;
    },
  );
});

describe.skipIf(skip)('AMQP queue specifics', () => {
  let options: PrefixedOptions;
  const opened: Queue[] = [];

  beforeEach(() => {
    options = { prefix: freshPrefix(), partners: ['alpha'], delayTiersMs: [1_000, 60_000], deliveryLimit: 3 };
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((queue) => queue.close()));
    await deleteTopology(options);
  });

  async function open(logger?: Logger): Promise<Queue> {
    const queue = await createAmqpQueue({ url: rabbitmqUrl, ...options, logger, connectTimeoutMs: 5_000 });
    opened.push(queue);
    return queue;
  }

  it.skipIf(noRabbitmqctl)('declares the documented exchanges, bindings and quorum queues with their arguments', async () => {
    await open();
    const p = options.prefix;
    const atLeastOnce = { 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' };
    const retry = (ttl: number) => ({ 'x-queue-type': 'quorum', 'x-message-ttl': ttl, 'x-dead-letter-exchange': `${p}.delivery`, 'x-dead-letter-routing-key': 'alpha', ...atLeastOnce });
    expect(queueArguments(p)).toEqual({
      [`${p}.delivery.alpha`]: { 'x-queue-type': 'quorum', 'x-delivery-limit': 2, 'x-dead-letter-exchange': `${p}.dead`, 'x-dead-letter-routing-key': 'alpha', ...atLeastOnce },
      [`${p}.dead.alpha`]: { 'x-queue-type': 'quorum', 'x-max-length': 1_000_000, 'x-overflow': 'reject-publish', 'x-delivery-limit': 2_000_000_000 },
      [`${p}.retry.alpha.1s`]: retry(1_000),
      [`${p}.retry.alpha.1m`]: retry(60_000),
    });
    const exchanges = listed(p, 'name', 'list_exchanges', 'name', 'type', 'durable').sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(exchanges).toEqual([
      { name: `${p}.dead`, type: 'direct', durable: true },
      { name: `${p}.delivery`, type: 'direct', durable: true },
    ]);
    const bindings = listed(p, 'source_name', 'list_bindings', 'source_name', 'destination_name', 'routing_key').sort((a, b) => String(a.source_name).localeCompare(String(b.source_name)));
    expect(bindings).toEqual([
      { source_name: `${p}.dead`, destination_name: `${p}.dead.alpha`, routing_key: 'alpha' },
      { source_name: `${p}.delivery`, destination_name: `${p}.delivery.alpha`, routing_key: 'alpha' },
    ]);
  });

  it('delivers a job from the 1 s tier while the 60 s tier holds others, including one delayed beyond it', async () => {
    const queue = await open();
    const handledAt = new Map<string, number>();
    await queue.consume('alpha', 2, async (j) => void handledAt.set(j.messageId, Date.now()));
    const start = Date.now();
    await queue.publish({ messageId: 'long', partner: 'alpha' }, 90_000);
    await queue.publish({ messageId: 'beyond', partner: 'alpha' }, 600_000);
    await queue.publish({ messageId: 'short', partner: 'alpha' }, 500);
    await waitFor('the 1 s tier', () => handledAt.has('short'));
    expect((handledAt.get('short') as number) - start).toBeGreaterThanOrEqual(1_000);
    expect([...handledAt.keys()]).toEqual(['short']);
    const connection = await connect(rabbitmqUrl);
    try {
      const channel = await connection.createChannel();
      expect((await channel.checkQueue(`${options.prefix}.retry.alpha.1m`)).messageCount).toBe(2);
    } finally {
      await connection.close();
    }
  });

  it('a delay between tiers arrives at its due time by going round the smaller tier, not after the larger one', async () => {
    const queue = await open();
    let handledAt: number | undefined;
    await queue.consume('alpha', 1, async () => {
      handledAt = Date.now();
    });
    const start = Date.now();
    await queue.publish({ messageId: 'between', partner: 'alpha' }, 2_500);
    await waitFor('the job after three 1 s hops', () => handledAt !== undefined);
    expect((handledAt as number) - start).toBeGreaterThanOrEqual(2_500 - 250);
    expect((handledAt as number) - start).toBeLessThan(60_000);
  });

  it('dead-letters a malformed job body without calling the handler', async () => {
    const queue = await open();
    let calls = 0;
    await queue.consume('alpha', 1, async () => {
      calls += 1;
    });
    const connection = await connect(rabbitmqUrl);
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(`${options.prefix}.delivery`, 'alpha', Buffer.from('not json'), { persistent: true, messageId: 'raw-1' });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    await waitFor('the dead letter', async () => (await queue.deadLetters('alpha')).length === 1);
    expect(await queue.deadLetters('alpha')).toEqual([{ messageId: 'raw-1', partner: 'alpha' }]);
    expect(calls).toBe(0);
  });

  it('rejects a publish RabbitMQ cannot route (a partner outside the topology) and stays writable', async () => {
    const queue = await open();
    await expect(queue.publish({ messageId: 'm-1', partner: 'zeta' })).rejects.toThrow(/unroutable/);
    await expect(queue.publish({ messageId: 'm-2', partner: 'zeta' }, 500)).rejects.toThrow(/unroutable/);
    expect(queue.writable()).toBe(true);
  });

  it.skipIf(noRabbitmqctl)('comes back by itself after the broker drops its connections: consumers resume, publishing works', async () => {
    const lines: string[] = [];
    const queue = await open(pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }));
    const seen: string[] = [];
    await queue.consume('alpha', 1, async (j) => void seen.push(j.messageId));
    await queue.publish({ messageId: 'before', partner: 'alpha' });
    await waitFor('the job before the drop', () => seen.includes('before'));
    expect(dropConnections(options.prefix)).toBe(2);
    await waitFor('both connections to notice', () => lines.filter((line) => line.includes('connection lost')).length === 2);
    await waitFor('publishing to recover', () => queue.publish({ messageId: 'after', partner: 'alpha' }).then(() => true, () => false), 15_000);
    await waitFor('the consumer to resume', () => seen.includes('after'), 15_000);
    expect(queue.writable()).toBe(true);
    // At-least-once: an ack still in flight when the connection dropped makes the broker deliver 'before' again.
    expect(seen.filter((id) => id === 'before').length).toBeGreaterThanOrEqual(1);
    expect(seen.filter((id) => id === 'before').length).toBeLessThanOrEqual(2);
  });
});

describe('AMQP queue start', () => {
  it('rejects with a clear error when no broker answers within connectTimeoutMs', async () => {
    const started = createAmqpQueue({ url: 'amqp://gw:secret@127.0.0.1:1', partners: ['alpha'], connectTimeoutMs: 500 });
    await expect(started).rejects.toThrow(/RabbitMQ at amqp:\/\/gw:\*\*\*@127\.0\.0\.1:1 not ready within 500 ms: .*ECONNREFUSED/);
  });
});
