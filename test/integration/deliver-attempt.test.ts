// One delivery attempt against a real HTTP endpoint and a real SQLite log: when the adapter cannot say what to await after the partner took the message, a person must look; the message is not sent again.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverAttempt } from '../../src/delivery/deliver-attempt.js';
import type { Partner } from '../../src/partners/partner-registry.js';
import { createPartnerRuntime } from '../../src/partners/partner-runtime.js';
import { translatorOf } from '../../src/pipeline/build-translator.js';
import { loadSoundSetup } from '../../src/setup/load-setup.js';
import { openSqliteMessageStore } from '../../src/store/sqlite-message-store.js';
import { configWithTempKeys, RECORD_FIXTURES } from '../support/project.js';

const config = configWithTempKeys();
let server: Server;
let posts = 0;

beforeAll(async () => {
  // A member gateway that takes every message (HTTP 202), counting them.
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      posts += 1;
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(config.certsDir, { recursive: true, force: true });
});

describe('a delivery attempt', () => {
  it('records needs-human, not a throw (which would send the message again at every lease), when the acknowledgement plan fails after the partner took it', async () => {
    const setup = await loadSoundSetup(config, { keys: true, urls: false });
    const store = openSqliteMessageStore(':memory:');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const runtime = createPartnerRuntime({ registry: setup.partners, identities: setup.identities, url: () => url });
    try {
      const translation = await translatorOf(setup).translate(JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')));
      if (!translation.ok) throw new Error(JSON.stringify(translation.problems));
      const document = translation.documents.find((d) => d.partner === 'eaeu-ru')!;
      const id = 'attempt-plan-fails';
      await store.accept({ type: 'transit.movement', recordId: 'R-1', version: 1, json: '{}' }, [
        { id, partner: 'eaeu-ru', messageType: document.message, mapping: document.mapping, businessKeys: {}, payload: document.bytes, payloadSha256: document.sha256, extension: 'xml' },
      ], Date.now());
      const [claimed] = await store.claimDue('eaeu-ru', 1, Date.now(), 30_000, 'worker');
      const partner: Partner = {
        ...setup.partners.get('eaeu-ru'),
        acknowledgementPlan: () => {
          throw new Error('transaction template missing');
        },
      };
      const [summary] = await deliverAttempt(partner, [claimed!], 'worker', { store, runtime, retryDelayScale: 0.001, logger: pino({ level: 'silent' }) });
      expect(posts).toBe(1);
      expect(summary).toMatchObject({ outcome: { verdict: 'delivered' }, transition: { status: 'needs-human' }, recorded: true });
      const logged = await store.get(id);
      expect(logged).toMatchObject({ status: 'needs-human', attempts: 1 });
      expect(logged?.history.at(-1)?.reason).toMatch(/partner took the message.*transaction template missing/);
    } finally {
      await runtime.close();
      await store.close();
    }
  });
});
