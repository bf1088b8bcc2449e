// Hands inbound records to CAIS by HTTP: one POST per record to GATEWAY_CAIS_SINK_URL, its inbound id as the idempotency key.
import { Agent, request } from 'undici';
import type { Handover } from '../store/inbound-store.js';
import { handoverHeaders, type HandoverTarget } from './handover-target.js';

/** Longest wait for CAIS to answer one hand-over. */
const TIMEOUT_MS = 10_000;
/** Answers are not used beyond their status; a little is read for the log. */
const MAX_ERROR_TEXT = 300;

/**
 * POSTs the record (JSON) with `Idempotency-Key: <inbound id>` and the `x-gateway-*` headers; any 2xx
 * means CAIS holds it, anything else (or no answer) is a failed attempt to repeat later.
 */
export function createWebhookTarget(url: string): HandoverTarget {
  const agent = new Agent({ connections: 8, keepAliveTimeout: 30_000 });
  return {
    via: 'webhook',
    async deliver(handover: Handover) {
      const response = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', 'idempotency-key': handover.id, ...handoverHeaders(handover) },
        body: handover.recordJson,
        headersTimeout: TIMEOUT_MS,
        bodyTimeout: TIMEOUT_MS,
      });
      const text = (await response.body.text()).slice(0, MAX_ERROR_TEXT);
      if (response.statusCode < 200 || response.statusCode > 299) throw new Error(`CAIS answered HTTP ${response.statusCode}${text ? `: ${text}` : ''}`);
    },
    close: () => agent.close(),
  };
}
