// What every store's search shares: the page size, the opaque cursor of where a page ended, and business keys grouped by message.
import { GatewayError } from '../errors.js';

/** Largest page `search` returns, whatever the caller asks for. */
export const MAX_SEARCH_LIMIT = 500;

/** Where a page ended: the last row's creation time and id. */
export interface Cursor {
  at: number;
  id: string;
}

/** Encodes where a page ended (its last row) as an opaque token. */
export function encodeCursor(row: { createdAt: number; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt, row.id]), 'utf8').toString('base64url');
}

/** Reads a token made by {@link encodeCursor}; a forged or damaged one is refused with GW_ERR_REQUEST_INVALID. */
export function decodeCursor(token: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !Number.isSafeInteger(parsed[0]) || typeof parsed[1] !== 'string') {
    throw new GatewayError('GW_ERR_REQUEST_INVALID', 'search cursor is not one this message store issued', { field: 'cursor' });
  }
  return { at: parsed[0] as number, id: parsed[1] };
}

/** The page size actually used: at least 1, at most {@link MAX_SEARCH_LIMIT}. */
export function clampLimit(limit: number): number {
  return Math.min(MAX_SEARCH_LIMIT, Math.max(1, Math.floor(limit) || 1));
}

/** Key rows (in any order) as each message's keys by name. */
export function groupKeys(rows: ReadonlyArray<{ messageId: string; name: string; value: string }>): Map<string, Record<string, string>> {
  const byMessage = new Map<string, Record<string, string>>();
  for (const { messageId, name, value } of rows) {
    const keys = byMessage.get(messageId) ?? {};
    keys[name] = value;
    byMessage.set(messageId, keys);
  }
  return byMessage;
}

/**
 * The page of `size` made from up to `size + 1` rows fetched: the extra row only says a next page exists,
 * whose cursor is where this page's last row is.
 */
export function pageFrom<R extends { createdAt: number; id: string }, T>(rows: readonly R[], size: number, shape: (items: R[]) => T[]): { items: T[]; nextCursor?: string } {
  const items = rows.slice(0, size);
  const last = items.at(-1);
  const page: { items: T[]; nextCursor?: string } = { items: shape(items) };
  if (rows.length > size && last !== undefined) page.nextCursor = encodeCursor(last);
  return page;
}
