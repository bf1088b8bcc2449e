// The environment variables that point a gateway running elsewhere at running simulators: each partner's URL and its services' own.
import { partnerEnvPrefix } from '../partners/partner-settings.js';
import type { PartnerSimulator } from './partner-simulator.js';

/** Where a simulator serves one of its partner's services: at its own path when it has one, else where it serves the default one. */
export function simulatedServiceUrl(sim: PartnerSimulator, service: string): string {
  return sim.serviceUrls?.[service] ?? sim.serviceUrls?.default ?? sim.url;
}

/**
 * `GATEWAY_PARTNER_<ID>_URL` (the default service) and `GATEWAY_PARTNER_<ID>_URL_<SERVICE>` for each
 * service a simulator serves at a path of its own, as the partner does (its `serviceUrls`).
 */
export function simulatorEnvironment(simulators: Iterable<PartnerSimulator>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const sim of simulators) {
    const prefix = partnerEnvPrefix(sim.partner);
    env[`${prefix}URL`] = simulatedServiceUrl(sim, 'default');
    for (const [service, url] of Object.entries(sim.serviceUrls ?? {})) {
      if (service !== 'default') env[`${prefix}URL_${service.toUpperCase().replace(/-/g, '_')}`] = url;
    }
  }
  return env;
}
