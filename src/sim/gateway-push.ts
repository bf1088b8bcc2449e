// How a simulator pushes documents to the gateway as its partner: mutual TLS with the partner's client certificate to the inbound listener.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '../errors.js';
import { createPartnerHttpClient } from '../transport/http-client.js';
import type { GatewayAnswer, GatewayPush } from './simulator-definition.js';

/** Where the gateway takes pushes, known once its inbound listener runs. */
export interface GatewayInbound {
  /** Base URL of the inbound listener (`https://host:port`), or undefined while it is not running. */
  url(): string | undefined;
  /** Trust anchors (PEM) for the gateway's TLS server certificate: the development CA that issued it. */
  trust: readonly string[];
}

/** A simulator's push function with the pool it opened. */
export interface GatewayPusher {
  push(request: GatewayPush): Promise<GatewayAnswer>;
  close(): Promise<void>;
}

/**
 * What simulators trust the gateway's server certificate by: the development CA of the certificates
 * folder when there is one, else the server certificate itself (self-signed).
 */
export function simulatorTrust(certsDir: string, serverCertificate: string): string[] {
  const ca = join(certsDir, 'ca.cert.pem');
  return [existsSync(ca) ? readFileSync(ca, 'utf8') : serverCertificate];
}

const PUSH_TIMEOUT_MS = 30_000;
const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * Pushes as `partner` with its client key and certificate (PEM files), trusting the gateway's server
 * certificate only through the given anchors. A push that gets no answer
 * rejects with the transport's reason.
 */
export function createGatewayPusher(partner: string, keyFile: string, certFile: string, inbound: GatewayInbound | undefined): GatewayPusher {
  let client: ReturnType<typeof createPartnerHttpClient> | undefined;
  return {
    async push(request) {
      const base = inbound?.url();
      if (!inbound || !base) throw new GatewayError('GW_ERR_CONFIG_INVALID', `the gateway's inbound listener is not running: ${partner}'s simulator cannot push`);
      client ??= createPartnerHttpClient({
        connections: 8,
        tls: { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), ca: inbound.trust },
      });
      const result = await client.send(
        base,
        { method: 'POST', path: `/v1/inbound/${partner}${request.path ?? ''}`, headers: { ...request.headers, 'content-type': request.contentType }, body: request.body },
        PUSH_TIMEOUT_MS,
        MAX_ANSWER_BYTES,
      );
      if (result.kind === 'error') throw new GatewayError('GW_ERR_CONFIG_INVALID', `push to the gateway failed (${result.error}): ${result.message}`);
      return { status: result.status, headers: result.headers, body: result.body };
    },
    async close() {
      await client?.close();
    },
  };
}
