// What the gateway translates with now: the setup, the mapping texts it was compiled from, the record and look-up translators; an activation replaces one mapping in all of them at once.
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import type { Mapping } from '../mapping/mapping.js';
import { mappingSetOf } from '../mapping/mapping-set.js';
import type { Setup } from '../setup/load-setup.js';
import { createLookupTranslator, type LookupTranslator } from './lookup-translator.js';
import { SwitchableTranslator, type ClosableTranslator } from './switchable-translator.js';

/** Builds a record translator for a setup compiled from `files` (mapping file path → text). */
export type TranslatorBuilder = (setup: Setup, files: ReadonlyMap<string, string>) => ClosableTranslator;

/** How long a new translator may take to be ready (its threads loading) before an activation gives up. */
const WARM_MS = 60_000;

/**
 * The translation a running gateway does. {@link install} swaps one mapping: the new translator is
 * built and warmed first (a failure changes nothing), then records and look-ups go to it together.
 */
export class RunningTranslation {
  /** Translates records with the current version of every mapping. */
  readonly translator: SwitchableTranslator;
  /** Translates look-ups with the current version of every mapping. */
  readonly lookups: LookupTranslator = { translate: (partner, value) => this.currentLookups.translate(partner, value) };
  private currentSetup: Setup;
  private files: ReadonlyMap<string, string>;
  private currentLookups: LookupTranslator;

  constructor(
    setup: Setup,
    files: ReadonlyMap<string, string>,
    private readonly build: TranslatorBuilder,
    logger: Logger,
  ) {
    this.currentSetup = setup;
    this.files = files;
    this.currentLookups = createLookupTranslator(setup);
    this.translator = new SwitchableTranslator(build(setup, files), (err) => logger.warn({ err }, 'a replaced translator did not close cleanly'));
  }

  /** The setup records are translated with now. */
  get setup(): Setup {
    return this.currentSetup;
  }

  /** The text the running version of `mapping` was compiled from. */
  textOf(mapping: Mapping): string | undefined {
    return this.files.get(mapping.source);
  }

  /**
   * Translates with `mapping` (compiled from `text`) in place of the version of the same id, or beside
   * the others when it is new; resolves once new records and look-ups use it.
   * @throws GatewayError GW_ERR_INTERNAL when the new translator cannot be made ready (nothing changed)
   */
  async install(mapping: Mapping, text: string): Promise<void> {
    const running = this.currentSetup.mappings.mappings;
    const mappings = running.some((m) => m.id === mapping.id) ? running.map((m) => (m.id === mapping.id ? mapping : m)) : [...running, mapping];
    const setup: Setup = { ...this.currentSetup, mappings: mappingSetOf(mappings, this.currentSetup.mappings.inbound, this.currentSetup.partners) };
    const files = new Map(this.files).set(mapping.source, text);
    const next = this.build(setup, files);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        next.warm?.(),
        new Promise((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`not ready after ${WARM_MS / 1000} s`)), WARM_MS))),
      ]);
    } catch (err) {
      await next.close?.().catch(() => undefined);
      throw new GatewayError('GW_ERR_INTERNAL', `the translator with mapping ${mapping.id} v${mapping.version} could not be started: ${(err as Error).message}`, {}, { cause: err });
    } finally {
      clearTimeout(timer);
    }
    this.currentSetup = setup;
    this.files = files;
    this.currentLookups = createLookupTranslator(setup);
    this.translator.swap(next);
  }

  /** Waits for replaced translators, then closes the current one. */
  close(): Promise<void> {
    return this.translator.close();
  }
}
