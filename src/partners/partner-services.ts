// Runs what adapters add beyond deliveries: their own API routes and their scheduled jobs, with the dependencies they are given.
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import type { MessageStore } from '../store/message-store.js';
import type { PartnerRoute, PartnerRouteDeps } from './partner-definition.js';
import type { Partner, PartnerRegistry } from './partner-registry.js';
import type { PartnerRuntime } from './partner-runtime.js';

/** What the services of all partners need from the gateway. */
export interface PartnerServiceDeps {
  partners: PartnerRegistry;
  runtime: PartnerRuntime;
  store: MessageStore;
  logger: Logger;
}

/** The routes adapters declared, and their schedules, ready to start. */
export interface PartnerServices {
  routes: PartnerRoute[];
  /** Starts every schedule (first run after one interval); returns a function that stops them and waits for runs in progress. */
  startSchedules(): () => Promise<void>;
}

function depsFor(partner: Partner, deps: PartnerServiceDeps, routes: PartnerRoute[]): PartnerRouteDeps {
  return {
    route(spec) {
      if (!spec.path.startsWith('/v1/')) throw new GatewayError('GW_ERR_ADAPTER_INVALID', `adapter ${partner.adapter}: route ${spec.path} must start with /v1/`);
      if (routes.some((r) => r.method === spec.method && r.path === spec.path)) {
        throw new GatewayError('GW_ERR_ADAPTER_INVALID', `partner ${partner.id}: route ${spec.method} ${spec.path} is already taken (two instances of an adapter with routes need paths of their own)`);
      }
      routes.push(spec);
    },
    send: (request) => deps.runtime.send(partner.id, request),
    context: () => deps.runtime.context(partner.id),
    store: deps.store,
    records: {
      put: (kind, id, key, value, now) => deps.store.putPartnerRecord(partner.id, kind, id, key, value, now),
      get: (kind, id) => deps.store.getPartnerRecord(partner.id, kind, id),
      list: (kind, key) => deps.store.listPartnerRecords(partner.id, kind, key),
    },
  };
}

/** Collects every adapter's routes and prepares its schedules. */
export function collectPartnerServices(deps: PartnerServiceDeps): PartnerServices {
  const routes: PartnerRoute[] = [];
  const schedules: Array<{ partner: Partner; everyMs: number; name: string; run: () => Promise<void> }> = [];
  for (const partner of deps.partners.partners) {
    const partnerDeps = depsFor(partner, deps, routes);
    partner.routes?.(partnerDeps);
    for (const s of partner.schedules ?? []) schedules.push({ partner, name: s.name, everyMs: s.everyMs, run: () => s.run(partnerDeps) });
  }
  return {
    routes,
    startSchedules() {
      const running = new Map<(typeof schedules)[number], Promise<void>>();
      const timers = schedules.map((s) =>
        setInterval(() => {
          // One run of a schedule at a time: a slow run is not overlapped by the next tick.
          if (running.has(s)) return;
          const run = s.run().catch((err: unknown) => deps.logger.warn({ err, partner: s.partner.id, schedule: s.name }, 'scheduled job failed; it runs again next time'));
          running.set(s, run);
          void run.finally(() => running.delete(s));
        }, s.everyMs),
      );
      return async () => {
        for (const t of timers) clearInterval(t);
        await Promise.all(running.values());
      };
    },
  };
}
