// An open registry of named plug-ins (codecs, signing profiles, transports): built-ins first, then what adapters bring.
import { GatewayError } from './errors.js';

/** Plug-ins registered by name, each with who registered it. */
export class NamedRegistry<T extends { readonly name: string }> {
  private readonly entries = new Map<string, { item: T; owner: string }>();

  /** @param kind what the registry holds, for messages ("codec", "signing profile", "transport") */
  constructor(
    private readonly kind: string,
    builtins: readonly T[] = [],
  ) {
    for (const item of builtins) this.register(item, 'core');
  }

  /**
   * Adds a plug-in. The same object registered again by the same owner is a no-op.
   * @throws GatewayError GW_ERR_ADAPTER_INVALID when another one already has the name.
   */
  register(item: T, owner: string): void {
    if (!/^[a-z][a-z0-9.-]*$/.test(item.name)) throw new GatewayError('GW_ERR_ADAPTER_INVALID', `${owner}: ${this.kind} name "${item.name}" must be lower-case letters, digits, dots and dashes`, { owner });
    const known = this.entries.get(item.name);
    if (known && (known.item !== item || known.owner !== owner)) {
      throw new GatewayError('GW_ERR_ADAPTER_INVALID', `${owner}: ${this.kind} "${item.name}" is already registered by ${known.owner}`, { owner });
    }
    this.entries.set(item.name, { item, owner });
  }

  /** True when a plug-in has this name. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** @throws GatewayError GW_ERR_CONFIG_INVALID naming the known ones when none has this name. */
  get(name: string): T {
    const entry = this.entries.get(name);
    if (!entry) throw new GatewayError('GW_ERR_CONFIG_INVALID', `no ${this.kind} "${name}" (known: ${this.names().join(', ')})`);
    return entry.item;
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.entries.keys()].sort();
  }
}
