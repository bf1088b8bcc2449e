// `gateway mirror compare`: settings from the command line, a progress bar on a terminal, the summary on stdout.
import { writeFileSync } from 'node:fs';
import { GatewayError } from '../errors.js';
import type { CargoDeclaration, MirrorBatch } from '../records/record-types.js';
import { compareMirror } from './mirror-compare.js';
import { DEFAULT_MIRROR_SETTINGS, type MirrorSettings } from './mirror-pair.js';
import { mirrorCsv, rowsOfBatch, rowsOfDeclaration } from './mirror-rows.js';

/** The command's options as commander gives them. */
export interface MirrorCompareArgs {
  ours: string;
  theirs: string;
  out: string;
  factor?: string;
  valueTolerance?: string;
  massTolerance?: string;
  windowDays?: string;
}

/** A number option within bounds, or its default. @throws GatewayError GW_ERR_CONFIG_INVALID otherwise. */
function numberOption(name: string, text: string | undefined, fallback: number, min: number, max: number, integer = false): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** The comparison settings the arguments give (defaults: factor 1.06, value 5 %, mass 2 %, ±3 days). */
export function mirrorSettingsOf(args: MirrorCompareArgs): MirrorSettings {
  const d = DEFAULT_MIRROR_SETTINGS;
  return {
    cifFobFactor: numberOption('factor', args.factor, d.cifFobFactor, 1, 2),
    valueTolerance: numberOption('value-tolerance', args.valueTolerance, d.valueTolerance, 0, 1),
    massTolerance: numberOption('mass-tolerance', args.massTolerance, d.massTolerance, 0, 1),
    windowDays: numberOption('window-days', args.windowDays, d.windowDays, 0, 366, true),
  };
}

/** A one-line bar redrawn at most ten times a second, on a terminal only. */
function progressBar(stream: NodeJS.WriteStream): { update(read: number, total: number): void; done(): void } {
  let last = 0;
  let drawn = false;
  return {
    update(read, total) {
      if (!stream.isTTY) return;
      const now = Date.now();
      if (now - last < 100 && read < total) return;
      last = now;
      const share = total > 0 ? Math.min(1, read / total) : 1;
      const width = 30;
      const filled = Math.round(share * width);
      stream.write(`\rreading [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)} % ${(read / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}

/** Runs the comparison and prints what it found; exit status 0 (discrepancies are findings, not failures). */
export async function mirrorCompare(args: MirrorCompareArgs): Promise<number> {
  const settings = mirrorSettingsOf(args);
  const bar = progressBar(process.stderr);
  let result;
  try {
    result = await compareMirror({ ours: args.ours, theirs: args.theirs, out: args.out, settings, progress: (read, total) => bar.update(read, total) });
  } finally {
    bar.done();
  }
  const { summary } = result;
  const d = summary.discrepancies;
  process.stdout.write(
    `ours ${summary.ours.rows} rows, theirs ${summary.theirs.rows} rows; matched ${summary.matched['transport-document']} by transport document, ${summary.matched.vehicle} by vehicle (${summary.agreeing} agreeing)\n` +
      `discrepancies ${d.total}: missing-theirs ${d['missing-theirs']}, missing-ours ${d['missing-ours']}, value ${d.value}, mass ${d.mass}, hs ${d.hs}\n` +
      `written to ${args.out}: discrepancies.json, discrepancies.csv, mirror-hs6.csv, mirror-trade.csv, report.html\n`,
  );
  for (const side of ['ours', 'theirs'] as const) {
    if (summary[side].ignoredColumns.length > 0) process.stderr.write(`note: ${summary[side].file}: columns ignored: ${summary[side].ignoredColumns.join(', ')}\n`);
  }
  return 0;
}

/** The rows command's options as commander gives them. */
export interface MirrorRowsArgs {
  out: string;
  reporter?: string;
  /** Only rows with this partner (ours) or reporter (theirs). */
  partner?: string;
}

/**
 * Writes the input rows of a comparison from canonical records: our `declaration.cargo` records (reporter
 * `--reporter`, default KZ) and the partner's declarations of `mirror.batch` records, one row per item;
 * with `--partner`, only our rows with that partner and their rows with that reporter.
 */
export function mirrorRows(args: MirrorRowsArgs, found: ReadonlyArray<CargoDeclaration | MirrorBatch>): number {
  const reporter = args.reporter ?? 'KZ';
  for (const [name, code] of [['reporter', reporter], ['partner', args.partner ?? 'XX']] as const) {
    if (!/^[A-Z]{2}$/.test(code)) throw new GatewayError('GW_ERR_MIRROR_INPUT_INVALID', `--${name} must be an ISO 3166 alpha-2 code, got "${code}"`);
  }
  const rows = found.flatMap((r) => (r.type === 'declaration.cargo' ? rowsOfDeclaration(r, reporter).filter((row) => !args.partner || row.partner === args.partner) : r.reporter === (args.partner ?? r.reporter) ? rowsOfBatch(r) : []));
  writeFileSync(args.out, mirrorCsv(rows));
  process.stdout.write(`${rows.length} rows from ${found.length} records written to ${args.out}\n`);
  return 0;
}
