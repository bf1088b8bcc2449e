// Each partner instance at run time: the context its adapter sees, and its requests sent by the right transport over its own pool.
import { GatewayError } from '../errors.js';
import { createPartnerHttpClient } from '../transport/http-client.js';
import type { PartnerHttpClient, TransportChannel } from '../transport/transport.js';
import type { AttemptResult, PartnerContext, TransportRequest } from './partner-definition.js';
import type { PartnerIdentity } from './partner-identity.js';
import type { Partner, PartnerRegistry } from './partner-registry.js';

/** Answers read at most, unless a partner says otherwise. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** The partner instances, working. */
export interface PartnerRuntime {
  /** What a partner's adapter sees of it. @throws GatewayError GW_ERR_PARTNER_UNKNOWN */
  context(partner: string): PartnerContext;
  /**
   * Sends one request of a partner by the transport it names (`http` when none, or the partner's
   * transport kind), to the URL of its service, over the partner's own pool, within the partner's
   * timeout unless a shorter deadline is given (a look-up someone waits for).
   */
  send(partner: string, request: TransportRequest, options?: { timeoutMs?: number }): Promise<AttemptResult>;
  /** Closes every partner's pool; idempotent. */
  close(): Promise<void>;
}

/** What the runtime is built from. */
export interface RuntimeParts {
  registry: PartnerRegistry;
  /** Keys of every partner instance. */
  identities: ReadonlyMap<string, PartnerIdentity>;
  /** URL of a partner's service (its own, the default one, or its simulator's). */
  url(partner: string, service: string): string;
}

/** Creates the runtime; pools open on first use. */
export function createPartnerRuntime({ registry, identities, url }: RuntimeParts): PartnerRuntime {
  const contexts = new Map<string, PartnerContext>();
  const clients = new Map<string, PartnerHttpClient>();

  const identityOf = (partner: string): PartnerIdentity => {
    const identity = identities.get(partner);
    if (!identity) throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', `partner ${partner} has no keys loaded`);
    return identity;
  };

  const clientOf = (partner: Partner): PartnerHttpClient => {
    let client = clients.get(partner.id);
    if (!client) {
      const tls = identityOf(partner.id).tls;
      client = createPartnerHttpClient({ connections: partner.transport.concurrency, ...(tls ? { tls } : {}) });
      clients.set(partner.id, client);
    }
    return client;
  };

  const context = (id: string): PartnerContext => {
    let found = contexts.get(id);
    if (!found) {
      const partner = registry.get(id);
      const { identity, retiredIdentities, partnerCertificates } = identityOf(id);
      found = Object.freeze({
        partner: partner.id,
        adapter: partner.adapter,
        participants: Object.freeze({ ...partner.settings.participants }),
        options: Object.freeze({ ...partner.settings.options }),
        url: (service = 'default') => url(partner.id, service),
        identity,
        retiredIdentities: Object.freeze([...retiredIdentities]),
        partnerCertificates,
        sign: (profile: string, document: Buffer) => registry.signingProfiles.get(profile).sign(document, identity),
        signAsync: async (profile: string, document: Buffer) => {
          const signing = registry.signingProfiles.get(profile);
          return signing.signAsync ? signing.signAsync(document, identity) : signing.sign(document, identity);
        },
      });
      contexts.set(id, found);
    }
    return found;
  };

  let closing: Promise<void> | undefined;
  return {
    context,
    send(id, request, options = {}) {
      const partner = registry.get(id);
      const transport = registry.transports.get(request.transport ?? partner.transport.kind ?? 'http');
      const { identity, partnerCertificates } = identityOf(id);
      const channel: TransportChannel = {
        partner: id,
        url: url(id, request.service ?? 'default'),
        timeoutMs: options.timeoutMs ?? partner.transport.timeoutMs,
        maxResponseBytes: partner.transport.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        http: clientOf(partner),
        identity,
        partnerCertificates,
        participants: partner.settings.participants,
      };
      return transport.send(request, channel);
    },
    close() {
      closing ??= Promise.all([...clients.values()].map((c) => c.close())).then(() => undefined);
      return closing;
    },
  };
}
