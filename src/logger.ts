// The gateway's pino logger: JSON lines, secrets and payloads redacted wherever they appear.
import pino, { type Logger } from 'pino';

/** Paths never written to the log: tokens, keys, passwords, adapter options (secret ones among them) and document bytes. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  '*.password',
  '*.options',
  '*.privateKey',
  '*.gatewayPrivateKeyPem',
  '*.payload',
  '*.body',
  'payload',
  'body',
];

/**
 * Creates the root logger at `level`, writing JSON to `destination`; by default to stdout without
 * waiting for each line's write: lines logged while a write is in progress go out together in the
 * next, and what is still buffered is written when the process exits (pino flushes at exit). A
 * SIGKILL or a power cut can lose the last lines; the message log, not this one, is the record.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'customs-gateway' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination ?? pino.destination({ dest: 1, sync: false }));
}
