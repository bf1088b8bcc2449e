// The `gateway audit` commands: verify the trail and its checkpoints, sign a checkpoint now, print one subject's trail.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { GatewayConfig } from '../config.js';
import { loadKeyCapabilities } from '../security/key-capabilities.js';
import { openStores, type Stores } from '../store/open-stores.js';
import { AuditCheckpointer } from './audit-checkpoint.js';
import { verifyAuditTrail } from './audit-verify.js';
import { readPublishedCheckpoints } from './checkpoint-file.js';

async function withStores(config: GatewayConfig, work: (stores: Stores) => Promise<number>): Promise<number> {
  const stores = await openStores(config.dataDir, config.database);
  try {
    return await work(stores);
  } finally {
    await stores.inbound.close();
    await stores.store.close();
  }
}

/**
 * `gateway audit verify`: recomputes the chain and checks every checkpoint, the store's and those
 * published in `checkpointsFile` (default `GATEWAY_AUDIT_CHECKPOINT_FILE`; a copy kept elsewhere may be
 * named), against the gateway certificate (`GATEWAY_SIGNING_CERT_FILE`); prints the first broken or
 * missing event and every problem. Exit 0 when sound, 2 otherwise.
 */
export function auditVerify(config: GatewayConfig, checkpointsFile = config.auditCheckpointFile): Promise<number> {
  const published = readPublishedCheckpoints(checkpointsFile);
  return withStores(config, async ({ store, where }) => {
    const certificate = new X509Certificate(readFileSync(config.signingCertFile));
    const result = await verifyAuditTrail(store.audit, certificate, published);
    const out = process.stdout;
    out.write(`audit trail of ${where}: ${result.events} events, ${result.checkpoints} checkpoints (${published.length} published in ${checkpointsFile}), last event ${result.last.seq} ${result.last.hash}\n`);
    if (result.ok) {
      out.write('verified: every event chains to the one before it and every checkpoint is signed and matches\n');
      return 0;
    }
    const [first] = result.problems;
    out.write(`NOT VERIFIED: first broken or missing event ${first?.seq}: ${first?.problem}\n`);
    for (const p of result.problems.slice(1)) out.write(`  also event ${p.seq}: ${p.problem}\n`);
    return 2;
  });
}

/** `gateway audit checkpoint`: signs the trail's head now with the gateway key (the running gateway does so periodically). */
export function auditCheckpoint(config: GatewayConfig): Promise<number> {
  return withStores(config, async ({ store }) => {
    const key = loadKeyCapabilities(config.signingKeyFile, config.signingCertFile, config.signingKeyPassphrase);
    await new AuditCheckpointer(store.audit, key, { intervalMs: 0, publishTo: config.auditCheckpointFile }).checkpoint();
    const head = await store.audit.auditHead();
    process.stdout.write(`checkpoint of event ${head.seq} ${head.hash}\n`);
    return 0;
  });
}

/** `gateway audit trail <subject>`: the events of one subject (`message:<id>`, `record:<type>/<id>/<version>` …) as JSON lines. */
export function auditTrail(subject: string, config: GatewayConfig): Promise<number> {
  return withStores(config, async ({ store }) => {
    for (const e of await store.audit.auditTrail(subject, 100_000)) process.stdout.write(`${JSON.stringify({ ...e, at: new Date(e.at).toISOString() })}\n`);
    return 0;
  });
}
