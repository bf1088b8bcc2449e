// RabbitMQ for tests: whether a suite runs (skip with a reason locally, fail in CI), and removing a test's topology afterwards.
import { connect } from 'amqplib';
import { amqpTopology, type TopologyOptions } from '../../src/queue/amqp-topology.js';

/** Broker the tests use: RABBITMQ_URL, or the local default broker with the guest account. */
export const rabbitmqUrl = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

const PROBE_TIMEOUT_MS = 2_000;

/** The URL without its credentials, for messages. */
function shown(url: string): string {
  try {
    const { protocol, host, pathname } = new URL(url);
    return `${protocol}//${host}${pathname === '/' ? '' : pathname}`;
  } catch {
    return '(unparseable RABBITMQ_URL)';
  }
}

/** Resolves whether an AMQP connection to `url` opens within the probe timeout (and closes it again). */
async function reachable(url: string): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const attempt = connect(url, { timeout: PROBE_TIMEOUT_MS });
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  try {
    const connection = await Promise.race([attempt, timeout]);
    if (connection === false) {
      attempt.then((late) => late.close(), () => undefined).catch(() => undefined);
      return false;
    }
    await connection.close();
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Returns true when `suite` must be skipped because RabbitMQ does not answer at {@link rabbitmqUrl} within 2 s,
 * and says so. In CI (`CI=true`) nothing may be skipped: an unreachable broker throws, failing the suite.
 */
export async function skipWithoutRabbitmq(suite: string): Promise<boolean> {
  if (await reachable(rabbitmqUrl)) return false;
  const reason = `${suite}: RabbitMQ not reachable at ${shown(rabbitmqUrl)}`;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI must run every test; start the broker first)`);
  console.warn(`SKIPPED ${reason}`);
  return true;
}

/** Deletes every queue and both exchanges of a test's topology (prefix and partners), so runs leave nothing behind. */
export async function deleteTopology(options: TopologyOptions & { prefix: string }): Promise<void> {
  const topology = amqpTopology(options);
  const connection = await connect(rabbitmqUrl);
  try {
    const channel = await connection.createChannel();
    for (const queue of topology.queues) await channel.deleteQueue(queue.name);
    await channel.deleteExchange(topology.deliveryExchange);
    await channel.deleteExchange(topology.deadExchange);
  } finally {
    await connection.close();
  }
}
