// The functions mapping expressions may call besides JSONata's own: code-list lookup and stable UUIDs.
import { nameBasedUuid } from '../codec/name-based-uuid.js';
import { GatewayError } from '../errors.js';

/** Code lists of a mapping file: list name → source value → target code. */
export type CodeLists = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * `$code(list, value)`: the partner code for a value. Nothing in, nothing out; a value missing from
 * its list is an error naming the list, never a silent blank.
 */
export function lookupCode(lists: CodeLists, list: string, value: unknown, pointer: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const table = lists[list];
  if (!table) throw new GatewayError('GW_ERR_MAPPING_EXPRESSION', `${pointer}: no code list named "${list}"`, { pointer });
  const code = Object.prototype.hasOwnProperty.call(table, String(value)) ? table[String(value)] : undefined;
  if (code === undefined) throw new GatewayError('GW_ERR_MAPPING_CODE_UNKNOWN', `${pointer}: "${String(value)}" is not in code list "${list}"`, { pointer, list });
  return code;
}

/** `$uuid(seed)`: a name-based UUID; the same seed always gives the same id. */
export const uuidFrom = nameBasedUuid;
