// An adapter's own GW_ERR_* codes: registered into the catalogue when the adapter's module loads, raised by name.
import { GatewayError, registerErrors, type ErrorDetail, type ErrorSpec } from '../errors.js';

/** The codes one adapter registered, and how to raise them. */
export interface ErrorSet<C extends string = string> {
  /** Adapter that owns the codes. */
  readonly owner: string;
  /** Each code with its meaning, HTTP status and retry flag (its README lists them). */
  readonly specs: Readonly<Record<C, ErrorSpec>>;
  /** An error with one of these codes. */
  error(code: C, reason: string, detail?: ErrorDetail, options?: { cause?: unknown }): GatewayError;
}

/**
 * Registers an adapter's error codes in the catalogue (at module load, so they exist before anything
 * throws them) and returns a typed way to raise them.
 * @throws GatewayError GW_ERR_CONFIG_INVALID when a code is malformed or already someone else's.
 */
export function defineErrors<const C extends `GW_ERR_${string}`>(owner: string, specs: Readonly<Record<C, ErrorSpec>>): ErrorSet<C> {
  registerErrors(owner, specs);
  return {
    owner,
    specs,
    error: (code, reason, detail = {}, options) => new GatewayError(code, reason, detail, options),
  };
}
