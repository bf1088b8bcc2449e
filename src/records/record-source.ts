// Where an export command takes its canonical records: JSON files named on the command line, or the gateway's message log (outbound: what CAIS posted; inbound: what partners pushed).
import { existsSync } from 'node:fs';
import type { GatewayConfig } from '../config.js';
import { GatewayError, type ErrorCode } from '../errors.js';
import { openStores, sqliteLogFile } from '../store/open-stores.js';
import { readLoggedRecords } from './logged-records.js';
import { readRecordFiles } from './record-files.js';
import type { CaisRecord } from './record-types.js';
import { createRecordValidator } from './record-validator.js';

/** The records to read: files, or one direction of the log the configuration names. */
export type RecordSource = { files: readonly string[] } | { log: 'outbound' | 'inbound' };

/**
 * The records of the wanted types from the source, the highest version of each.
 * @throws GatewayError `code` for an unreadable file or invalid record, or when the embedded log does not exist
 */
export async function readCanonicalRecords<T extends CaisRecord['type']>(source: RecordSource, config: GatewayConfig, types: readonly T[], code: ErrorCode): Promise<Array<Extract<CaisRecord, { type: T }>>> {
  const records = createRecordValidator(config.schemasDir);
  if ('files' in source) return readRecordFiles(source.files, records, types, code);
  if (config.database === undefined && !existsSync(sqliteLogFile(config.dataDir))) {
    throw new GatewayError(code, `no message log at ${sqliteLogFile(config.dataDir)}: set GATEWAY_DATA_DIR (or GATEWAY_DATABASE_URL) to the gateway's`);
  }
  const stores = await openStores(config.dataDir, config.database);
  try {
    const pages = source.log === 'outbound' ? stores.store.recordsOfType.bind(stores.store) : stores.inbound.inboundRecordsOfType.bind(stores.inbound);
    return await readLoggedRecords(pages, records, types, code);
  } finally {
    await stores.inbound.close();
    await stores.store.close();
  }
}

/**
 * The source a command's options name: `--records FILE...` or `--from-log`, exactly one.
 * @throws GatewayError `code` when neither or both are given
 */
export function recordSourceOf(options: { records?: string[]; fromLog?: boolean }, log: 'outbound' | 'inbound', code: ErrorCode): RecordSource {
  if (options.records && options.fromLog) throw new GatewayError(code, 'give either --records FILE... or --from-log, not both');
  if (options.records) return { files: options.records };
  if (options.fromLog) return { log };
  throw new GatewayError(code, 'give the records with --records FILE... or read them from the message log with --from-log');
}
