// JSON documents: stable UTF-8 output, and input parsing that refuses prototype-polluting keys and oversize bodies.
import { GatewayError } from '../errors.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

/** Renders a value as compact UTF-8 JSON, keys in the order the mapping wrote them. */
export function renderJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/**
 * Parses JSON from outside the gateway.
 * @throws GatewayError GW_ERR_RECORD_UNREADABLE for malformed or oversize input or a forbidden key.
 */
export function parseJson(bytes: Buffer | string, maxBytes = DEFAULT_MAX_BYTES): unknown {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  if (size > maxBytes) throw new GatewayError('GW_ERR_RECORD_UNREADABLE', `${size} bytes exceeds the limit of ${maxBytes}`);
  try {
    return JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'), (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new GatewayError('GW_ERR_RECORD_UNREADABLE', `key "${key}" is not allowed`);
      return value;
    });
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError('GW_ERR_RECORD_UNREADABLE', `not valid JSON: ${(err as Error).message}`, {}, { cause: err });
  }
}
