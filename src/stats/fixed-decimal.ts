// Exact sums of decimal strings (money, masses, quantities) as integers of millionths, so no binary rounding touches a statistic.
import { GatewayError, type ErrorCode } from '../errors.js';

/** Millionths: the finest fraction a CAIS decimal has (6 digits). */
const SCALE = 1_000_000n;
const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,6}))?$/;

/**
 * A non-negative decimal string as millionths.
 * @throws GatewayError `code` for anything else (a sign, an exponent, more than 6 fraction digits).
 */
export function toMillionths(text: string, code: ErrorCode, where: string): bigint {
  const m = DECIMAL.exec(text);
  if (!m) throw new GatewayError(code, `${where}: "${text}" is not a non-negative decimal with at most 6 fraction digits`);
  return BigInt(m[1]!) * SCALE + BigInt((m[2] ?? '').padEnd(6, '0'));
}

/** Millionths as a decimal string: exactly `fraction` digits when given (rounded half up), else as few as exact. */
export function fromMillionths(value: bigint, fraction?: number): string {
  if (fraction !== undefined) {
    const unit = 10n ** BigInt(6 - fraction);
    const rounded = (value + unit / 2n) / unit;
    const text = rounded.toString().padStart(fraction + 1, '0');
    return fraction === 0 ? text : `${text.slice(0, -fraction)}.${text.slice(-fraction)}`;
  }
  const whole = value / SCALE;
  const part = (value % SCALE).toString().padStart(6, '0').replace(/0+$/, '');
  return part ? `${whole}.${part}` : whole.toString();
}
