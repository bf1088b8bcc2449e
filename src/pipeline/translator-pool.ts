// Translates records in worker threads, so validation, mapping, rendering and signing run beside the server's thread: a pool started on first use.
import type { GatewayConfig } from '../config.js';
import { GatewayError } from '../errors.js';
import { asBuffer, MODULE_EXT, ownBytes } from '../worker-module.js';
import { createWorkerPool } from '../worker-pool.js';
import type { Translation, Translator } from './translator.js';

/** A translation thread's question: the document logged for the version before this record's. */
export interface PreviousPayloadQuestion {
  type: string;
  recordId: string;
  version: number;
  partner: string;
  message: string;
}

/** What a translation thread is given: the gateway's configuration and the text of the mapping files the server's thread compiled. */
export interface TranslatorWorkerData {
  config: GatewayConfig;
  /** Mapping file path → text (from `readMappingFiles`): a thread compiles these, never what the folder holds when it starts. */
  mappingFiles: ReadonlyMap<string, string>;
}

/** A translator whose threads can be stopped. */
export interface PooledTranslator extends Translator {
  /** Starts every thread and resolves once each loaded the setup. */
  warm(): Promise<void>;
  /** Stops the threads; idempotent. */
  close(): Promise<void>;
}

/**
 * A translator over `size` worker threads, each loading the setup of `config` itself (record schemas,
 * adapters, keys: what the server's thread loaded, from the same files) and compiling the mapping texts
 * of `mappingFiles`, so every thread, whenever it starts, runs the versions the server's thread runs. A record goes to
 * the thread with the fewest waiting; the previous document a superseding partner needs is looked up
 * by `previousPayload` on this thread. A thread that fails or dies fails its records with
 * GW_ERR_INTERNAL (nothing of them was stored; the caller may send them again) and is replaced; a
 * GatewayError thrown in a thread keeps its code.
 */
export function createTranslatorPool(
  config: GatewayConfig,
  mappingFiles: ReadonlyMap<string, string>,
  size: number,
  previousPayload: (question: PreviousPayloadQuestion) => Promise<Buffer | undefined>,
): PooledTranslator {
  const pool = createWorkerPool<unknown, Translation>({
    url: new URL(`./translator-worker${MODULE_EXT}`, import.meta.url),
    workerData: { config, mappingFiles } satisfies TranslatorWorkerData,
    size,
    name: 'translation',
    answer: async (question) => {
      const payload = await previousPayload(question as PreviousPayloadQuestion);
      return payload === undefined ? undefined : ownBytes(payload);
    },
  });
  return {
    async translate(value) {
      let translation: Translation;
      try {
        translation = await pool.run(value);
      } catch (error) {
        if (error instanceof GatewayError) throw error;
        throw new GatewayError('GW_ERR_INTERNAL', `the record could not be translated: ${(error as Error).message}`, {}, { cause: error });
      }
      // Bytes come back as Uint8Array views: make them Buffers again.
      if (translation.ok) for (const document of translation.documents) document.bytes = asBuffer(document.bytes);
      return translation;
    },
    warm: () => pool.warm(),
    close: () => pool.close(),
  };
}
