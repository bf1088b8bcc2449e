// Limits of partner pushes the inbound side shares.

/** Largest push a partner may make unless its adapter says otherwise. */
export const DEFAULT_MAX_PUSH_BYTES = 1024 * 1024;
