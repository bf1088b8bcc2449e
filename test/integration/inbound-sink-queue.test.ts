// The queue CAIS sink on the real RabbitMQ: accepted pushes are published, persistent and broker-confirmed, to the inbound quorum queue, and never marked handed over when the broker dropped them.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import amqplib, { type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushAccepted } from '../support/eaeu-push.js';
import { inboundClient, type InboundClient } from '../support/inbound-client.js';
import { PROJECT_PARTNERS, tempDevCertificates } from '../support/project.js';
import { deleteTopology, rabbitmqUrl, skipWithoutRabbitmq } from '../support/rabbitmq.js';
import { startTestGateway, type RunningGateway } from '../support/running-gateway.js';

const skip = await skipWithoutRabbitmq('inbound CAIS sink on RabbitMQ');
const prefix = `gwsink-${randomUUID().slice(0, 8)}`;
const inboundQueue = `${prefix}.cais.inbound`;
const caisQueue = `${prefix}.cais.records`;
const PARTNERS = PROJECT_PARTNERS;

let certsDir: string | undefined;
let gw: RunningGateway | undefined;
let client: InboundClient | undefined;
let connection: ChannelModel | undefined;
let channel: Channel;
/** Messages taken off the inbound queue so far, by message id (a repeat would add a second entry). */
const taken = new Map<string, GetMessage[]>();

beforeAll(async () => {
  if (skip) return;
  certsDir = tempDevCertificates(PARTNERS);
  // No GATEWAY_CAIS_SINK and no webhook URL: AMQP being configured makes the queue the sink.
  gw = await startTestGateway({
    GATEWAY_CERTS_DIR: certsDir,
    GATEWAY_AMQP_URL: rabbitmqUrl,
    GATEWAY_AMQP_PREFIX: prefix,
    GATEWAY_AMQP_CAIS_QUEUE: caisQueue,
    GATEWAY_AMQP_CAIS_INBOUND_QUEUE: inboundQueue,
  });
  const url = gw.gateway.inboundUrl();
  if (!url) throw new Error('the inbound listener is not running');
  client = inboundClient(url, certsDir);
  connection = await amqplib.connect(rabbitmqUrl);
  channel = await connection.createChannel();
  channel.on('error', (err: Error) => console.warn(`test channel closed: ${err.message}`));
}, 60_000);

afterAll(async () => {
  await client?.close();
  await gw?.stop();
  await connection?.close();
  if (!skip) {
    await deleteTopology({ prefix, partners: PARTNERS });
    const admin = await amqplib.connect(rabbitmqUrl);
    const cleanup = await admin.createChannel();
    for (const queue of [inboundQueue, caisQueue, `${caisQueue}.invalid`]) await cleanup.deleteQueue(queue);
    await admin.close();
  }
  if (certsDir) rmSync(certsDir, { recursive: true, force: true });
});

/** The log's view of an inbound message once it is handed over. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the detail is checked field by field
function handedOver(id: string): Promise<any> {
  return gw!.waitFor(async () => {
    const detail = await gw!.api('GET', `/v1/messages/${id}`);
    return detail.body.status === 'handed-over' ? detail.body : undefined;
  });
}

/** Takes messages off the inbound queue (acking them) until one with each of `ids` arrived; resolves with those. */
async function takeFromQueue(ids: readonly string[]): Promise<GetMessage[]> {
  await gw!.waitFor(async () => {
    const message = await channel.get(inboundQueue, { noAck: false });
    if (message !== false) {
      const id = String(message.properties.messageId);
      taken.set(id, [...(taken.get(id) ?? []), message]);
      channel.ack(message);
    }
    return ids.every((id) => taken.has(id)) ? true : undefined;
  });
  return ids.map((id) => taken.get(id)![0]!);
}

/** Resolves with the error a passive or redeclaration on a throwaway channel fails with (undefined when it succeeds). */
async function declarationError(declare: (ch: Channel) => Promise<unknown>): Promise<Error | undefined> {
  const throwaway = await connection!.createChannel();
  throwaway.on('error', () => undefined);
  try {
    await declare(throwaway);
    await throwaway.close();
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

describe.skipIf(skip)('the queue CAIS sink on RabbitMQ', () => {
  it('publishes each accepted record once, persistent, with the inbound id as message id and the x-gateway-* headers; the log shows it handed over via queue', async () => {
    const tdns = ['10216100/011226/0000701', '10216100/011226/0000702', '10216100/011226/0000703'];
    const ids = await Promise.all(tdns.map((tdn) => pushAccepted(client!, gw!.api, certsDir!, { transitDeclarationNumber: tdn, event: 'border-entry' })));
    const details = await Promise.all(ids.map(handedOver));
    const messages = await takeFromQueue(ids);

    ids.forEach((id, i) => {
      const message = messages[i]!;
      const detail = details[i];
      expect(message.properties).toMatchObject({
        messageId: id,
        deliveryMode: 2,
        contentType: 'application/json',
        type: 'transit.notice',
        headers: { 'x-gateway-inbound-id': id, 'x-gateway-partner': 'eaeu-ru', 'x-gateway-message-type': 'p-cp-01-msg-010', 'x-gateway-record-type': 'transit.notice' },
      });
      expect(detail.record.value).toMatchObject({ type: 'transit.notice', transitDeclarationNumber: tdns[i] });
      expect(JSON.parse(message.content.toString('utf8'))).toEqual(detail.record.value);
      expect(detail.handover).toMatchObject({ via: 'queue', attempts: 1, lastError: null, nextAttemptAt: null });
      expect(detail.lineage.at(-1)).toMatchObject({ step: 'cais-handover', status: 'done', via: 'queue', attempts: 1 });
    });
    expect(ids.map((id) => taken.get(id)?.length)).toEqual(ids.map(() => 1));
    expect((await channel.checkQueue(inboundQueue)).messageCount).toBe(0);
    // The gateway declared a durable quorum queue: redeclaring it as a classic queue is refused.
    expect((await declarationError((ch) => ch.assertQueue(inboundQueue, { durable: true, arguments: { 'x-queue-type': 'classic' } })))?.message).toMatch(/PRECONDITION_FAILED.*x-queue-type/);
  });

  it('with the queue deleted, a record the broker cannot route is not handed over: the attempt fails and the next one (queue declared again) delivers it', async () => {
    await channel.deleteQueue(inboundQueue);
    expect(await declarationError((ch) => ch.checkQueue(inboundQueue))).toBeDefined();
    const id = await pushAccepted(client!, gw!.api, certsDir!, { transitDeclarationNumber: '10216100/011226/0000704' });
    const detail = await handedOver(id);
    // The first attempt was returned as unroutable, so it counted as failed; the second declared the queue again.
    expect(detail.handover).toMatchObject({ via: 'queue', attempts: 2, lastError: null });
    expect(detail.history.map((h: { status: string }) => h.status)).toEqual(['accepted', 'handed-over']);
    expect(await declarationError((ch) => ch.assertQueue(inboundQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } }))).toBeUndefined();

    const [message] = await takeFromQueue([id]);
    expect(message?.properties.messageId).toBe(id);
    expect(JSON.parse(message?.content.toString('utf8') ?? 'null')).toEqual(detail.record.value);
    expect(taken.get(id)).toHaveLength(1);
  });
});
