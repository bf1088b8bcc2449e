// One partner of the project against its simulator, for an adapter's own tests: fresh documents from a sample record, attempts, what arrived.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { PartnerSimulator } from '../../src/sim/partner-simulator.js';
import { startPartnerHarness, type AttemptOptions, type HarnessAttempt, type PartnerHarness } from './partner-harness.js';
import { RECORD_FIXTURES } from './project.js';

/** The partner, its simulator, and attempts against it. */
export interface PartnerUnderTest {
  harness(): PartnerHarness;
  sim(): PartnerSimulator;
  /** A fresh record (the sample with a new record id and these changes) through the real translator: the partner's document, as logged. */
  documentFor(changes?: Record<string, unknown>): Promise<Buffer>;
  /** One delivery attempt of a payload, as the gateway makes it. */
  attempt(id: string, payload: Buffer, options?: AttemptOptions): Promise<HarnessAttempt>;
  /** The message ids the simulator received, in order. */
  receivedIds(): string[];
}

/**
 * Starts the partner's simulator before the file's tests and stops it after them.
 * @param sample a file of test/fixtures/records whose record the partner's mappings route to it
 */
export function partnerUnderTest(partner: string, sample: string): PartnerUnderTest {
  const record = JSON.parse(readFileSync(join(RECORD_FIXTURES, sample), 'utf8')) as Record<string, unknown>;
  let harness: PartnerHarness | undefined;
  let serial = 0;
  beforeAll(async () => {
    harness = await startPartnerHarness({}, [partner]);
  });
  afterAll(async () => {
    await harness?.close();
  });
  const started = (): PartnerHarness => {
    if (!harness) throw new Error('the partner harness has not started');
    return harness;
  };
  return {
    harness: started,
    sim: () => started().sim(partner),
    async documentFor(changes = {}) {
      const translation = await started().translator.translate({ ...record, recordId: `${String(record.recordId)}-SIM-${partner}-${++serial}`, ...changes });
      if (!translation.ok) throw new Error(JSON.stringify(translation.problems));
      const doc = translation.documents.find((d) => d.partner === partner);
      if (!doc) throw new Error(`no ${partner} document for ${sample}`);
      return doc.bytes;
    },
    attempt: (id, payload, options) => started().attempt(partner, { id, payload }, options),
    receivedIds: () => started().sim(partner).received.map((r) => r.messageId),
  };
}
