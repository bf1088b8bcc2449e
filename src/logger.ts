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

/** Creates the root logger at `level`, writing JSON to `destination` (stdout by default). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'customs-gateway' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
