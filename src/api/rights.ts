// API rights and the roles composed of them: who may post records, see metadata or content, export, resend, manage mappings.

/** One thing an API client may do. */
export type Right = 'records' | 'metadata' | 'content' | 'export' | 'resend' | 'mappings';

/** Every right, in the order the README lists them. */
export const RIGHTS: readonly Right[] = ['records', 'metadata', 'content', 'export', 'resend', 'mappings'];

/**
 * The built-in roles: CAIS posts records; auditors read the log, its content and export evidence;
 * admins do everything. Deployments add roles of their own (`GATEWAY_ROLES`), such as a metadata-only
 * reviewer.
 */
export const BUILTIN_ROLES: Readonly<Record<string, readonly Right[]>> = {
  cais: ['records'],
  auditor: ['metadata', 'content', 'export'],
  admin: ['records', 'metadata', 'content', 'export', 'resend', 'mappings'],
};

/** Who a request acts as: a named client, its roles and the rights they give. */
export interface Principal {
  /** The name the audit trail records (the token's name). */
  actor: string;
  roles: readonly string[];
  rights: ReadonlySet<Right>;
}

/** The rights a set of roles gives, by the role table in force. */
export function rightsOf(roles: readonly string[], table: Readonly<Record<string, readonly Right[]>>): Set<Right> {
  return new Set(roles.flatMap((r) => table[r] ?? []));
}
