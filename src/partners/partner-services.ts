// Runs what adapters add beyond deliveries: their own API routes and their scheduled jobs, with the dependencies they are given.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import type { LookupTranslator } from '../pipeline/lookup-translator.js';
import type { ProblemList } from '../setup/problem-list.js';
import type { MessageStore } from '../store/message-store.js';
import type { PartnerRecordStore } from '../store/partner-record-store.js';
import type { AttemptResult, OutboundMessage, PartnerRecords, PartnerRoute, PartnerRouteDeps } from './partner-definition.js';
import type { Partner, PartnerRegistry } from './partner-registry.js';
import type { PartnerRuntime } from './partner-runtime.js';
import { holdScheduleLease, releaseScheduleLease } from './schedule-lease.js';

/** What the services of all partners need from the gateway. */
export interface PartnerServiceDeps {
  partners: PartnerRegistry;
  runtime: PartnerRuntime;
  store: MessageStore;
  /** Maps CAIS records for look-ups (PartnerRouteDeps.translate). */
  lookups: LookupTranslator;
  logger: Logger;
  /** Multiplies every schedule's interval (and so its lease); default 1. */
  scheduleScale?: number;
  /** Called after each run of a schedule, which may have made messages due (a partner asking for one again). */
  wake?(): void;
}

/** The routes adapters declared, and their schedules, ready to start. */
export interface PartnerServices {
  routes: PartnerRoute[];
  /** Starts every schedule (first run after one interval); returns a function that stops them and waits for runs in progress. */
  startSchedules(): () => Promise<void>;
  /** Runs the partner's {@link PartnerDefinition.delivered} hook for an attempt it took, if it has one; its error is logged, never thrown. */
  delivered(partner: string, message: OutboundMessage, result: AttemptResult): Promise<void>;
}

/** Routes by `METHOD path`, with the partner that declared each. */
type RouteTable = Map<string, { partner: string; route: PartnerRoute }>;

/** Adds a partner's route to the table. @throws GatewayError GW_ERR_ADAPTER_INVALID for a path outside /v1/ or one already taken. */
function addRoute(table: RouteTable, partner: Partner, spec: PartnerRoute): void {
  if (!spec.path.startsWith('/v1/')) throw new GatewayError('GW_ERR_ADAPTER_INVALID', `adapter ${partner.adapter}: route ${spec.path} must start with /v1/`);
  const key = `${spec.method} ${spec.path}`;
  const taken = table.get(key);
  if (taken) {
    throw new GatewayError('GW_ERR_ADAPTER_INVALID', `partner ${partner.id}: route ${key} is already taken by partner ${taken.partner} (an adapter with API routes serves one partner instance)`);
  }
  table.set(key, { partner: partner.id, route: spec });
}

/** Dependencies that only record routes: anything else an adapter touches while declaring them is an error. */
function declaringDeps(partner: Partner, table: RouteTable): PartnerRouteDeps {
  const unavailable = (): never => {
    throw new GatewayError('GW_ERR_ADAPTER_INVALID', `adapter ${partner.adapter}: routes() may only declare routes; the partner is not reachable while they are checked`);
  };
  const refuse = new Proxy({}, { get: unavailable }) as never;
  return { route: (spec) => addRoute(table, partner, spec), send: unavailable, context: unavailable, store: refuse, records: refuse, partner: partner.id, translate: unavailable };
}

/**
 * Declares every partner's routes without running anything, and adds a problem for each path outside
 * `/v1/` or taken twice (two instances of an adapter that has routes), so `gateway check` finds them.
 */
export function checkPartnerRoutes(partners: PartnerRegistry, problems: ProblemList): void {
  const table: RouteTable = new Map();
  for (const partner of partners.partners) problems.capture(() => partner.routes?.(declaringDeps(partner, table)));
}

function depsFor(partner: Partner, deps: PartnerServiceDeps, table: RouteTable): PartnerRouteDeps {
  return {
    route: (spec) => addRoute(table, partner, spec),
    send: (request) => deps.runtime.send(partner.id, request),
    context: () => deps.runtime.context(partner.id),
    store: deps.store,
    records: partnerRecordsOf(deps.store, partner.id),
    partner: partner.id,
    translate: (value) => deps.lookups.translate(partner.id, value),
  };
}

/** One partner's area of the store's partner records, as its adapter sees it. */
export function partnerRecordsOf(store: PartnerRecordStore, partner: string): PartnerRecords {
  return {
    put: (kind, id, key, value, now) => store.putPartnerRecord(partner, kind, id, key, value, now),
    get: (kind, id) => store.getPartnerRecord(partner, kind, id),
    read: (kind, id) => store.readPartnerRecord(partner, kind, id),
    swap: (kind, id, key, value, expectedRevision, now) => store.swapPartnerRecord(partner, kind, id, key, value, expectedRevision, now),
    list: (kind, key) => store.listPartnerRecords(partner, kind, key),
  };
}

/** Missed ticks after which another instance may take a schedule over from its holder. */
const LEASE_TICKS = 3;

/**
 * Collects every adapter's routes and prepares its schedules. Each schedule runs under a lease in the
 * store (schedule-lease.ts): of several gateway instances on one log, only the holder runs it, renewing
 * the lease at every tick; a crashed holder's lease lapses after three intervals, and a stopped one
 * gives it up, so another instance takes over.
 */
export function collectPartnerServices(deps: PartnerServiceDeps): PartnerServices {
  const table: RouteTable = new Map();
  const owner = randomUUID();
  const schedules: Array<{ partner: Partner; everyMs: number; name: string; run: () => Promise<void> }> = [];
  /** The partners with a `delivered` hook, with the dependencies it gets. */
  const hooked = new Map<string, { partner: Partner; deps: PartnerRouteDeps }>();
  for (const partner of deps.partners.partners) {
    const partnerDeps = depsFor(partner, deps, table);
    if (partner.delivered) hooked.set(partner.id, { partner, deps: partnerDeps });
    partner.routes?.(partnerDeps);
    for (const s of partner.schedules ?? []) {
      schedules.push({ partner, name: s.name, everyMs: Math.max(10, Math.round(s.everyMs * (deps.scheduleScale ?? 1))), run: () => s.run(partnerDeps) });
    }
  }
  return {
    routes: [...table.values()].map((r) => r.route),
    async delivered(partnerId, message, result) {
      const hook = hooked.get(partnerId);
      if (!hook?.partner.delivered) return;
      await hook.partner.delivered(message, result, hook.deps).catch((err: unknown) =>
        deps.logger.warn({ err, partner: partnerId, messageId: message.id }, 'the adapter could not note what the partner answered; the delivery stands'),
      );
    },
    startSchedules() {
      const running = new Map<(typeof schedules)[number], Promise<void>>();
      const ticking = new Set<Promise<void>>();
      let stopped = false;
      const tick = async (s: (typeof schedules)[number]): Promise<void> => {
        const held = await holdScheduleLease(deps.store, s.partner.id, s.name, owner, Date.now(), LEASE_TICKS * s.everyMs);
        // One run of a schedule at a time: a slow run is not overlapped by the next tick (which renewed the lease);
        // and none starts once stopping began, even if its lease was taken just before.
        if (!held || stopped || running.has(s)) return;
        const run = s
          .run()
          .catch((err: unknown) => deps.logger.warn({ err, partner: s.partner.id, schedule: s.name }, 'scheduled job failed; it runs again next time'))
          .finally(() => deps.wake?.());
        running.set(s, run);
        void run.finally(() => running.delete(s));
      };
      const timers = schedules.map((s) =>
        setInterval(() => {
          const pending = tick(s).catch((err: unknown) => deps.logger.warn({ err, partner: s.partner.id, schedule: s.name }, 'schedule lease not taken; tried again next time'));
          ticking.add(pending);
          void pending.finally(() => ticking.delete(pending));
        }, s.everyMs),
      );
      return async () => {
        stopped = true;
        for (const t of timers) clearInterval(t);
        await Promise.all(ticking);
        await Promise.all(running.values());
        for (const s of schedules) await releaseScheduleLease(deps.store, s.partner.id, s.name, owner, Date.now()).catch(() => undefined);
      };
    },
  };
}
