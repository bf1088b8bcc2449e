// Pushes to a gateway's inbound listener as any TLS identity (a partner's, another partner's, none), for tests of identity binding.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';

/** The gateway's answer to a push. */
export interface PushResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** A push: whose TLS certificate (a partner id under `<certs>/partners/`, or `none`), to which partner's path, what. */
export interface TestPush {
  tlsAs: string;
  partner: string;
  body: Buffer;
  contentType?: string;
  path?: string;
  /** More request headers (e.g. AS2's). */
  headers?: Record<string, string>;
}

/** A client holding one pool per TLS identity; close it after the test. */
export interface InboundClient {
  push(push: TestPush): Promise<PushResult>;
  close(): Promise<void>;
}

/**
 * A client of the listener at `url`, trusting the development CA of the certificates folder (its
 * `gateway.cert.pem` serves the listener by default).
 */
export function inboundClient(url: string, certsDir: string): InboundClient {
  const ca = readFileSync(join(certsDir, 'ca.cert.pem'), 'utf8');
  const agents = new Map<string, Agent>();
  const agentFor = (tlsAs: string): Agent => {
    let agent = agents.get(tlsAs);
    if (!agent) {
      const own = tlsAs === 'none' ? {} : { cert: readFileSync(join(certsDir, 'partners', `${tlsAs}.cert.pem`), 'utf8'), key: readFileSync(join(certsDir, 'partners', `${tlsAs}.key.pem`), 'utf8') };
      agent = new Agent({ connect: { ca, ...own } });
      agents.set(tlsAs, agent);
    }
    return agent;
  };
  return {
    async push({ tlsAs, partner, body, contentType = 'application/xml', path = '', headers: extra = {} }) {
      const res = await request(`${url}/v1/inbound/${partner}${path}`, { method: 'POST', dispatcher: agentFor(tlsAs), headers: { ...extra, 'content-type': contentType }, body });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      return { status: res.statusCode, headers, body: Buffer.from(await res.body.arrayBuffer()) };
    },
    async close() {
      await Promise.all([...agents.values()].map((a) => a.close()));
    },
  };
}
