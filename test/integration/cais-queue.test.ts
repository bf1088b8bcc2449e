// CAIS over AMQP: records on the CAIS queue are committed before their ack; invalid ones go to `.invalid` with their violations.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import amqplib from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_PARTNERS, RECORD_FIXTURES } from '../support/project.js';
import { deleteTopology, rabbitmqUrl, skipWithoutRabbitmq } from '../support/rabbitmq.js';
import { startTestGateway, type RunningGateway } from '../support/running-gateway.js';
import { within } from '../support/wait.js';

const skip = await skipWithoutRabbitmq('CAIS over AMQP');
const prefix = `gwcais-${randomUUID().slice(0, 8)}`;
const caisQueue = `${prefix}.cais.records`;
const movement = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;
let gw: RunningGateway | undefined;

afterAll(async () => {
  await within('the gateway stop', 25_000, gw?.stop() ?? Promise.resolve());
  if (skip) return;
  await within("deleting the partners' topology", 15_000, deleteTopology({ prefix, partners: PROJECT_PARTNERS }));
  const connection = await within('connecting to delete the CAIS queues', 10_000, amqplib.connect(rabbitmqUrl));
  const channel = await connection.createChannel();
  for (const q of [caisQueue, `${caisQueue}.invalid`]) await channel.deleteQueue(q);
  await connection.close();
  // Draining the gateway and deleting every partner's queues can outlast the default 10 s on a loaded two-core machine.
}, 60_000);

describe.skipIf(skip)('CAIS over AMQP', () => {
  it('commits valid records and sends invalid ones to the .invalid queue with their violations', async () => {
    gw = await startTestGateway({ GATEWAY_AMQP_URL: rabbitmqUrl, GATEWAY_AMQP_PREFIX: prefix, GATEWAY_AMQP_CAIS_QUEUE: caisQueue });
    const connection = await amqplib.connect(rabbitmqUrl);
    try {
      const channel = await connection.createConfirmChannel();
      const good: Record<string, unknown> = { ...movement, recordId: `AMQP-GOOD-${Date.now()}` };
      const bad: Record<string, unknown> = { ...movement, recordId: `AMQP-BAD-${Date.now()}`, goods: [] };
      for (const [id, body] of [['m-good', JSON.stringify(good)], ['m-bad', JSON.stringify(bad)], ['m-garbage', '{"type": ']] as const) {
        channel.sendToQueue(caisQueue, Buffer.from(body), { persistent: true, messageId: id, contentType: 'application/json' });
      }
      await channel.waitForConfirms();
      const delivered = await gw.waitFor(async () => {
        const res = await gw!.api('GET', `/v1/messages?key=${good.transitDeclarationNumber as string}&status=delivered&partner=eaeu-ru`);
        return res.body.items.find((m: { recordId: string }) => m.recordId === good.recordId);
      });
      expect(delivered.partner).toBe('eaeu-ru');
      const invalid = new Map<string, Record<string, unknown>>();
      await gw.waitFor(async () => {
        const msg = await channel.get(`${caisQueue}.invalid`, { noAck: true });
        if (msg) invalid.set(String(msg.properties.messageId), msg.properties.headers ?? {});
        return invalid.size === 2 ? true : undefined;
      });
      const badViolations = JSON.parse(String(invalid.get('m-bad')?.['x-violations'])) as Array<{ recordId: string; violations: Array<{ pointer: string; code: string }> }>;
      expect(badViolations[0]?.recordId).toBe(bad.recordId);
      expect(badViolations[0]?.violations).toContainEqual(expect.objectContaining({ pointer: '/goods', code: 'GW_ERR_RECORD_INVALID' }));
      expect(String(invalid.get('m-garbage')?.['x-violations'])).toContain('GW_ERR_RECORD_UNREADABLE');
      expect((await channel.checkQueue(caisQueue)).messageCount).toBe(0);
      const logged = await gw.api('GET', `/v1/messages?key=${bad.transitDeclarationNumber as string}`);
      expect(logged.body.items.filter((m: { recordId: string }) => m.recordId === bad.recordId)).toEqual([]);
    } finally {
      await connection.close();
    }
  });
});
