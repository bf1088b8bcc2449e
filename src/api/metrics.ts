// Prometheus metrics: messages by partner and status, attempt latency, queue depth, the age of the oldest pending message, and partner pushes.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { InboundStore } from '../store/inbound-store.js';
import type { MessageStore } from '../store/message-store.js';

/** The gateway's metrics and the hooks that feed them. */
export interface GatewayMetrics {
  registry: Registry;
  /** Reads the store's figures and renders the Prometheus text format. */
  render(): Promise<string>;
  /** Called after each delivery attempt. */
  observeAttempt(partner: string, verdict: string, durationMs: number, status: string): void;
  /** Called per ingested record. */
  countRecord(status: 'accepted' | 'duplicate' | 'rejected'): void;
  /** Called per partner push with how it ended, and the code of a refusal. */
  countPush(partner: string, outcome: 'accepted' | 'duplicate' | 'refused', code?: string): void;
}

/** Creates a registry whose store-backed gauges are read from the store at scrape time. */
export function createMetrics(store: MessageStore, inFlight: () => number, inbound?: InboundStore): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gateway_process_' });
  const messages = new Gauge({ name: 'gateway_messages', help: 'Messages in the log by partner and status', labelNames: ['partner', 'status'], registers: [registry] });
  const due = new Gauge({ name: 'gateway_queue_depth', help: 'Pending messages due for an attempt now', registers: [registry] });
  const oldest = new Gauge({ name: 'gateway_oldest_pending_age_seconds', help: 'Age of the oldest pending message', registers: [registry] });
  new Gauge({ name: 'gateway_attempts_in_flight', help: 'Delivery attempts running now', registers: [registry], collect() { this.set(inFlight()); } });
  const latency = new Histogram({
    name: 'gateway_attempt_duration_seconds',
    help: 'Delivery attempt latency by partner and verdict',
    labelNames: ['partner', 'verdict'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const deadLettered = new Counter({ name: 'gateway_dead_lettered_total', help: 'Messages dead-lettered after their last attempt', labelNames: ['partner'], registers: [registry] });
  const records = new Counter({ name: 'gateway_records_total', help: 'CAIS records received by outcome', labelNames: ['status'], registers: [registry] });
  const pushes = new Counter({ name: 'gateway_inbound_pushes_total', help: 'Partner pushes by partner and outcome', labelNames: ['partner', 'outcome'], registers: [registry] });
  const refusals = new Counter({ name: 'gateway_inbound_refused_total', help: 'Refused partner pushes by partner and error code', labelNames: ['partner', 'code'], registers: [registry] });
  const handovers = new Gauge({ name: 'gateway_inbound_handover_pending', help: 'Accepted inbound records not yet handed over to CAIS', registers: [registry] });
  const refresh = async (): Promise<void> => {
    const now = Date.now();
    const stats = await store.stats(now);
    messages.reset();
    for (const c of stats.counts) messages.set({ partner: c.partner, status: c.status }, c.count);
    due.set(stats.due);
    oldest.set(stats.oldestPendingCreatedAt === null ? 0 : (now - stats.oldestPendingCreatedAt) / 1000);
    if (inbound) handovers.set(await inbound.pendingHandovers());
  };
  return {
    registry,
    async render() {
      await refresh();
      return registry.metrics();
    },
    observeAttempt(partner, verdict, durationMs, status) {
      latency.observe({ partner, verdict }, durationMs / 1000);
      if (status === 'dead-lettered') deadLettered.inc({ partner });
    },
    countRecord(status) {
      records.inc({ status });
    },
    countPush(partner, outcome, code) {
      pushes.inc({ partner, outcome });
      if (code !== undefined) refusals.inc({ partner, code });
    },
  };
}
