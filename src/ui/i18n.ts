// The console's languages: one JSON file of messages per language in src/ui/i18n, English the reference every other must match.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { GatewayError } from '../errors.js';

/** Looks up a message in one language, filling `{name}` placeholders. */
export type Translate = (key: string, values?: Record<string, string | number>) => string;

/** The reference language: its file names every key. */
const REFERENCE_LANGUAGE = 'en';

/** Every language the console speaks, by code (`en`, `ru`, and any `<code>.json` added). */
export class Languages {
  private constructor(private readonly messages: ReadonlyMap<string, Readonly<Record<string, string>>>) {}

  /**
   * Reads every `<code>.json` in `dir`.
   * @throws GatewayError GW_ERR_CONFIG_INVALID when a file is not a flat object of strings, or lacks or adds a key against English
   */
  static load(dir: string): Languages {
    const messages = new Map<string, Record<string, string>>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      const parsed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Object.values(parsed).some((v) => typeof v !== 'string')) {
        throw new GatewayError('GW_ERR_CONFIG_INVALID', `console translation ${file} must be one JSON object of strings`, { file });
      }
      messages.set(basename(file, '.json'), parsed as Record<string, string>);
    }
    const reference = messages.get(REFERENCE_LANGUAGE);
    if (!reference) throw new GatewayError('GW_ERR_CONFIG_INVALID', `console translations in ${dir} lack ${REFERENCE_LANGUAGE}.json`, { file: dir });
    for (const [code, table] of messages) {
      const missing = Object.keys(reference).filter((k) => !Object.hasOwn(table, k));
      const extra = Object.keys(table).filter((k) => !Object.hasOwn(reference, k));
      if (missing.length + extra.length > 0) {
        throw new GatewayError('GW_ERR_CONFIG_INVALID', `console translation ${code}.json ${missing.length ? `lacks ${missing.join(', ')}` : ''}${extra.length ? ` has unknown ${extra.join(', ')}` : ''}`, { file: `${code}.json` });
      }
    }
    return new Languages(messages);
  }

  /** Language codes, in file order. */
  codes(): string[] {
    return [...this.messages.keys()];
  }

  /** The language asked for (`lang` parameter or cookie), else the first of Accept-Language the console speaks, else English. */
  choose(asked: string | undefined, acceptLanguage: string | undefined): string {
    if (asked && this.messages.has(asked)) return asked;
    for (const range of (acceptLanguage ?? '').split(',')) {
      const code = range.split(';')[0]?.trim().toLowerCase().split('-')[0];
      if (code && this.messages.has(code)) return code;
    }
    return REFERENCE_LANGUAGE;
  }

  /** The translation function of one language. */
  translate(code: string): Translate {
    const table = this.messages.get(code) ?? this.messages.get(REFERENCE_LANGUAGE)!;
    return (key, values = {}) => (table[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : whole));
  }
}
