// Adapters' schedules under a lease in the store: one gateway instance at a time runs each, and a crashed instance's lease lapses.
import type { PartnerRecordStore } from '../store/partner-record-store.js';

/** The partner-records kind of schedule leases (the colon keeps it apart from adapters' own kinds). */
export const SCHEDULE_LEASE_KIND = 'gateway:schedule-lease';

/** Who runs a schedule, until when (epoch ms). */
export interface ScheduleLease {
  owner: string;
  until: number;
}

/**
 * Takes, or renews, the lease of one partner's schedule for `owner` until `now + leaseMs`, by
 * compare-and-set on its record, so that of several gateway instances on one log exactly one holds
 * it. False when another owner's lease is still live, or another instance took it meanwhile.
 */
export async function holdScheduleLease(store: PartnerRecordStore, partner: string, schedule: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
  const current = await store.readPartnerRecord(partner, SCHEDULE_LEASE_KIND, schedule);
  const lease = current?.value as ScheduleLease | undefined;
  if (lease && lease.owner !== owner && lease.until > now) return false;
  const next: ScheduleLease = { owner, until: now + leaseMs };
  return store.swapPartnerRecord(partner, SCHEDULE_LEASE_KIND, schedule, owner, next, current?.revision ?? null, now);
}

/** Gives up `owner`'s lease (a clean shutdown), so another instance takes the schedule at its next tick. */
export async function releaseScheduleLease(store: PartnerRecordStore, partner: string, schedule: string, owner: string, now: number): Promise<void> {
  const current = await store.readPartnerRecord(partner, SCHEDULE_LEASE_KIND, schedule);
  if ((current?.value as ScheduleLease | undefined)?.owner !== owner || !current) return;
  await store.swapPartnerRecord(partner, SCHEDULE_LEASE_KIND, schedule, owner, { owner, until: 0 }, current.revision, now);
}
