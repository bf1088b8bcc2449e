#!/usr/bin/env node
// The `gateway` command: serve, check a setup, translate records, manage mapping files and development certificates, verify the audit trail, mirror and trade statistics.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { parseJson } from './codec/json-codec.js';
import { DEFAULT_DEV_TOKEN, loadConfig, readConfig, type GatewayConfig } from './config.js';
import { createGateway } from './gateway.js';
import { GatewayError } from './errors.js';
import { goldenFolder, listGoldenCases, runGoldenCase } from './mapping/golden-tests.js';
import { listInboundGoldenCases, runInboundGoldenCase } from './mapping/inbound-golden-tests.js';
import { mirrorCompare, mirrorRows, mirrorSettingsOf, type MirrorCompareArgs, type MirrorRowsArgs } from './mirror/mirror-cli.js';
import { translatorOf } from './pipeline/build-translator.js';
import { readCanonicalRecords, recordSourceOf } from './records/record-source.js';
import { readSdmxCsv } from './stats/sdmx-csv.js';
import { observationsOfRecords, statsCompare, statsExport, statsImport, type StatsCompareArgs, type StatsExportArgs } from './stats/stats-cli.js';
import type { TranslationProblem } from './pipeline/translator.js';
import { auditCheckpoint, auditTrail, auditVerify } from './audit/audit-cli.js';
import { MappingHistory } from './mapping/mapping-history.js';
import { openStores } from './store/open-stores.js';
import { initDevCertificates } from './security/dev-certificates.js';
import { checkReport } from './setup/check-report.js';
import { loadSetup, loadSoundSetup } from './setup/load-setup.js';
import { formatProblem, ProblemList, problemsOf } from './setup/problem-list.js';
import type { PartnerSimulator } from './sim/partner-simulator.js';
import { simulatorEnvironment } from './sim/simulator-environment.js';
import { startSimulators } from './sim/start-simulators.js';

/** Exit status when some input was refused (the rest was still processed). */
const EXIT_REFUSED = 1;
/** Exit status when the gateway could not start: configuration, mapping or key problems. */
const EXIT_CONFIG = 2;

function show(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

function printProblems(where: string, problems: readonly TranslationProblem[]): void {
  for (const p of problems) {
    const target = p.target ? ` [${p.target}]` : '';
    process.stderr.write(`${where}: ${p.code} ${p.pointer || '/'} ${p.message}${target}\n`);
  }
}

/** Reads every record from the files: a file holds one record or an array of records. */
function readRecords(files: readonly string[]): Array<{ where: string; value: unknown } | { where: string; problem: GatewayError }> {
  const out: Array<{ where: string; value: unknown } | { where: string; problem: GatewayError }> = [];
  for (const file of files) {
    try {
      const parsed = parseJson(readFileSync(file));
      if (Array.isArray(parsed)) parsed.forEach((value, i) => out.push({ where: `${file}#${i}`, value }));
      else out.push({ where: file, value: parsed });
    } catch (err) {
      const problem = err instanceof GatewayError ? err : new GatewayError('GW_ERR_RECORD_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`);
      out.push({ where: file, problem });
    }
  }
  return out;
}

async function translate(files: string[], options: { out: string }, config: GatewayConfig): Promise<number> {
  const translator = translatorOf(await loadSoundSetup(config, { keys: true, urls: false }));
  mkdirSync(options.out, { recursive: true });
  let refused = 0;
  let written = 0;
  for (const item of readRecords(files)) {
    if ('problem' in item) {
      printProblems(item.where, [{ code: item.problem.code, pointer: '', message: item.problem.message.replace(/^GW_ERR_\w+: /, '') }]);
      refused++;
      continue;
    }
    const result = await translator.translate(item.value);
    if (!result.ok) {
      printProblems(result.recordId ? `${item.where} (${result.recordId})` : item.where, result.problems);
      refused++;
      continue;
    }
    for (const doc of result.documents) {
      const path = join(options.out, `${result.record.recordId}.${doc.partner}.${doc.message}.${doc.extension}`);
      writeFileSync(path, doc.bytes);
      written++;
      const signed = doc.signed ? 'signed' : 'unsigned';
      process.stdout.write(`${result.record.recordId} -> ${doc.partner}/${doc.message} ${show(path)} ${signed} sha256=${doc.sha256} mapping=${doc.mapping.id}@${doc.mapping.version}\n`);
    }
  }
  process.stderr.write(`${written} document(s) written, ${refused} record(s) refused\n`);
  return refused > 0 ? EXIT_REFUSED : 0;
}

async function mappingsTest(options: { update?: boolean }, config: GatewayConfig): Promise<number> {
  const { records, partners, mappings, documents } = await loadSoundSetup(config, { keys: false, urls: false });
  const update = options.update === true;
  const outbound = listGoldenCases(mappings.mappings, partners);
  const inbound = listInboundGoldenCases(mappings.inbound);
  const results = [
    ...(await Promise.all(outbound.map((c) => runGoldenCase(c, records, documents, update)))),
    ...(await Promise.all(inbound.map((c) => runInboundGoldenCase(c, records, update)))),
  ];
  let failed = 0;
  for (const result of results) {
    const label = `${result.case.mapping.id} ${result.case.name}`;
    if (result.ok) process.stdout.write(`ok   ${label}${update ? ' (updated)' : ''}\n`);
    else {
      failed++;
      process.stdout.write(`FAIL ${label}: ${result.reason ?? ''}\n`);
    }
  }
  const tested = new Set<string>([...outbound, ...inbound].map((c) => c.mapping.id));
  for (const m of [...mappings.mappings, ...mappings.inbound].filter((m) => !tested.has(m.id))) {
    process.stdout.write(`warn ${m.id} has no golden tests (${show(goldenFolder(m.source))}/)\n`);
  }
  process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
  return failed > 0 ? EXIT_REFUSED : 0;
}

async function mappingsList(config: GatewayConfig): Promise<number> {
  const { mappings } = await loadSoundSetup(config, { keys: false, urls: false });
  const stores = await openStores(config.dataDir, config.database);
  let history: MappingHistory;
  try {
    history = await MappingHistory.read(stores.store.mappingChanges);
  } finally {
    await stores.inbound.close();
    await stores.store.close();
  }
  for (const m of mappings.mappings) {
    const last = history.latest(m.id);
    const activation = last
      ? ` | last ${last.kind} v${last.version} sha256=${last.sha256.slice(0, 16)}… by ${last.by} at ${new Date(last.at).toISOString()}${last.sha256 === m.sha256 ? '' : ' — DIFFERS from the file (edited by hand since: a running gateway keeps the active version; at its next start it records the file as found if the history never saw its text, or puts the active version back in the file if it did)'}`
      : '';
    process.stdout.write(`${m.id}@${m.version} ${m.recordType} -> ${m.target.partner}/${m.target.message} file sha256=${m.sha256.slice(0, 16)}… ${show(m.source)}${activation}\n`);
  }
  for (const m of mappings.inbound) {
    process.stdout.write(`${m.id}@${m.version} ${m.partner}/${m.message} -> ${m.recordType} (in) sha256=${m.sha256.slice(0, 16)}… ${show(m.source)}\n`);
  }
  return 0;
}

async function certsInit(options: { force?: boolean }, config: GatewayConfig): Promise<number> {
  const { partners } = await loadSoundSetup(config, { keys: false, urls: false });
  const result = initDevCertificates(config.certsDir, partners.partners.map((p) => p.id), options.force === true);
  if (result.existed) process.stdout.write(`development certificates already exist in ${show(config.certsDir)} (use --force to replace them)\n`);
  else process.stdout.write(`wrote ${result.written.length} files to ${show(config.certsDir)}: ${result.written.join(', ')}\n`);
  return 0;
}

async function serve(config: GatewayConfig): Promise<number> {
  const gateway = await createGateway(config);
  let url: string;
  try {
    url = await gateway.start();
  } catch (err) {
    await gateway.close();
    throw err;
  }
  const sims = [...gateway.simulators.values()].map((s) => `${s.partner} ${s.url}`).join(', ');
  if (config.tokens.some((t) => t.token === DEFAULT_DEV_TOKEN)) gateway.logger.warn('the documented development token is in use: set GATEWAY_TOKENS for anything but a demo');
  const inbound = gateway.inboundUrl();
  process.stdout.write(
    `gateway ready: api ${url} docs ${url}/docs metrics ${url}/metrics${inbound ? ` inbound ${inbound}` : ''} data ${show(config.dataDir)}${sims ? ` simulators: ${sims}` : ''}\n`,
  );
  if (sims) printSimulatorEnvironment(gateway.simulators.values());
  const signal = await waitForSignal();
  gateway.logger.info({ signal }, 'draining: no new requests, finishing attempts in flight');
  await gateway.close();
  return 0;
}

/** Every problem of the setup (environment included), one line each; exit 0 when there is none. */
async function check(): Promise<number> {
  const { config, problems: environment } = readConfig();
  const problems = new ProblemList();
  for (const problem of environment) problems.add(problem);
  const { setup } = await loadSetup(config, { keys: true, devCertificates: true, urls: true }, problems);
  process.stdout.write(checkReport(setup, problems.list));
  return problems.list.length > 0 ? EXIT_CONFIG : 0;
}

/** Prints the variables that point another gateway at these simulators (README "Two gateway processes"). */
function printSimulatorEnvironment(simulators: Iterable<PartnerSimulator>): void {
  const env = simulatorEnvironment(simulators);
  process.stdout.write(`simulator environment: ${Object.entries(env).map(([name, value]) => `${name}=${value}`).join(' ')}\n`);
}

async function simulate(config: GatewayConfig): Promise<number> {
  const setup = await loadSoundSetup(config, { keys: true, devCertificates: true, urls: false });
  const sims = await startSimulators({
    adaptersDir: config.adaptersDir,
    schemasDir: config.schemasDir,
    certsDir: config.certsDir,
    host: config.host,
    partners: setup.partners.partners.map((partner) => ({ partner, gatewayCertificates: [setup.identities.get(partner.id)!.identity.certificate] })),
  });
  process.stdout.write(`simulators ready: ${[...sims.values()].map((s) => `${s.partner} ${s.url}`).join(', ')}\n`);
  printSimulatorEnvironment(sims.values());
  await waitForSignal();
  await Promise.all([...sims.values()].map((s) => s.close()));
  return 0;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}

/**
 * Runs an action with the configuration. A failure prints one line per problem, each starting with its
 * GW_ERR_* code (never a stack trace), and exits with status 2.
 */
async function run(action: (config: GatewayConfig) => Promise<number>): Promise<void> {
  await exitWith(() => action(loadConfig()));
}

/** Runs a command and sets the exit status; any failure becomes one GW_ERR_* line per problem and status 2. */
async function exitWith(command: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await command();
  } catch (err) {
    const problems = err instanceof GatewayError ? problemsOf(err) : [{ code: 'GW_ERR_INTERNAL' as const, message: (err as Error).message ?? String(err) }];
    for (const problem of problems) process.stderr.write(`${formatProblem(problem).replace(/\s*\n\s*/g, ' ')}\n`);
    process.exitCode = EXIT_CONFIG;
  }
}

const program = new Command('gateway').description('Cross-border customs data exchange gateway');
program.command('simulate').description('run only the partner simulators (development certificates in GATEWAY_CERTS_DIR), for a gateway elsewhere').action(() => run(simulate));
program.command('serve').description('run the gateway: API, message log, delivery, and partner simulators unless partner URLs are set').action(() => run(serve));
program.command('check').description('load everything serve would (configuration, partners file, adapters, mappings, schemas, keys, URLs) and report every problem; exit 0 when all is well, 2 otherwise').action(() => exitWith(check));
program
  .command('translate')
  .description('validate, route, map, render and sign CAIS records into partner documents')
  .argument('<files...>', 'JSON files, each holding one record or an array of records')
  .requiredOption('-o, --out <dir>', 'folder to write <recordId>.<partner>.<message>.<ext> into')
  .action((files: string[], options: { out: string }) => run((config) => translate(files, options, config)));
const mappings = program.command('mappings').description('admin tools for mapping files');
mappings
  .command('test')
  .description('run every golden test beside the mapping files')
  .option('--update', 'rewrite the expected documents from the current output')
  .action((options: { update?: boolean }) => run((config) => mappingsTest(options, config)));
mappings.command('list').description('list mapping files with version and hash, and the last version an admin activated (flagged when the file differs)').action(() => run(mappingsList));
const audit = program.command('audit').description('the tamper-evident audit trail');
audit
  .command('verify')
  .description('recompute the hash chain and check the signed checkpoints (the store\'s and the published ones); exit 0 when sound, 2 naming the first broken or missing event')
  .option('--checkpoints <file>', 'published checkpoints to check against (default GATEWAY_AUDIT_CHECKPOINT_FILE)')
  .action((options: { checkpoints?: string }) => run((config) => auditVerify(config, options.checkpoints === undefined ? undefined : resolve(options.checkpoints))));
audit.command('checkpoint').description('sign a checkpoint of the trail\'s head now with the gateway key').action(() => run(auditCheckpoint));
audit
  .command('trail')
  .description('print the events of one subject as JSON lines')
  .argument('<subject>', 'message:<id>, record:<type>/<id>/<version>, partner:<id> or gateway')
  .action((subject: string) => run((config) => auditTrail(subject, config)));
const mirror = program.command('mirror').description('mirror statistics: our declarations against a partner administration\'s');
mirror
  .command('compare')
  .description('match our exports with their imports and the other way round (by transport document, then vehicle and HS6 in a date window) and report missing rows and value, mass and HS6 gaps')
  .requiredOption('--ours <file>', 'our declarations (CSV with the documented header)')
  .requiredOption('--theirs <file>', "the partner's declarations (same columns)")
  .requiredOption('--out <dir>', 'folder for discrepancies.json, discrepancies.csv, mirror-hs6.csv, mirror-trade.csv and report.html')
  .option('--factor <n>', 'CIF/FOB factor: CIF values are divided by it (default 1.06)')
  .option('--value-tolerance <share>', 'accepted value gap relative to the larger side (default 0.05)')
  .option('--mass-tolerance <share>', 'accepted net mass gap relative to the larger side (default 0.02)')
  .option('--window-days <n>', 'days either side of the crossing date for vehicle matches (default 3)')
  .action((options: MirrorCompareArgs) => exitWith(() => mirrorCompare(options)));
mirror
  .command('rows')
  .description("write the input rows of a comparison from canonical records: our declaration.cargo records, or a partner's mirror.batch records (one row per goods item)")
  .option('--records <files...>', 'JSON files of canonical records (one or an array each)')
  .option('--from-log <side>', "read the records from the gateway's message log instead: ours (the declaration.cargo records CAIS posted) or theirs (the mirror.batch records made from a partner's batches)")
  .requiredOption('--out <file>', 'the CSV file to write')
  .option('--reporter <CC>', 'reporting country of the declaration.cargo records (default KZ)')
  .option('--partner <CC>', 'only our rows with this partner country and their rows reported by it')
  .action((options: MirrorRowsArgs & { records?: string[]; fromLog?: string }) =>
    run(async (config) => {
      if (options.fromLog !== undefined && options.fromLog !== 'ours' && options.fromLog !== 'theirs') throw new GatewayError('GW_ERR_MIRROR_INPUT_INVALID', `--from-log must be ours or theirs, got "${options.fromLog}"`);
      const source = recordSourceOf({ ...options, fromLog: options.fromLog !== undefined }, options.fromLog === 'theirs' ? 'inbound' : 'outbound', 'GW_ERR_MIRROR_INPUT_INVALID');
      const types = options.fromLog === 'ours' ? (['declaration.cargo'] as const) : options.fromLog === 'theirs' ? (['mirror.batch'] as const) : (['declaration.cargo', 'mirror.batch'] as const);
      return mirrorRows(options, await readCanonicalRecords(source, config, types, 'GW_ERR_MIRROR_INPUT_INVALID'));
    }),
  );
const stats = program.command('stats').description('HS4/HS6 trade statistics exchanged with partner administrations (SDMX)');
stats
  .command('export')
  .description('build the statistics of a month and partner from cargo declaration records (flows, HS6 or HS4 with their totals, confidential cells suppressed) as SDMX-CSV 2.0 and SDMX-ML 3.0')
  .requiredOption('--period <YYYY-MM>', 'month of the declarations\' registration')
  .requiredOption('--level <hs4|hs6>', 'commodity level of the detail rows')
  .requiredOption('--partner <CC>', 'partner country (origin of imports, destination of exports)')
  .option('--reporter <CC>', 'reporting country (default KZ)')
  .option('--threshold <n>', 'a cell of fewer declarations is confidential (default 3)')
  .option('--records <files...>', 'JSON files of canonical records (one or an array each); declaration.cargo records are used')
  .option('--from-log', "read the declaration.cargo records from the gateway's message log instead (those CAIS posted and the gateway routed to a partner)")
  .requiredOption('--out <dir>', 'folder for <reporter>-<partner>-<period>-<level>.csv and .xml')
  .option('--as-records', 'also write trade.statistics records (one per flow) to post to /v1/cais/records: the gateway sends them to the partners configured for statistics')
  .action((options: StatsExportArgs & { records?: string[]; fromLog?: boolean }) =>
    run(async (config) => statsExport(options, await readCanonicalRecords(recordSourceOf(options, 'outbound', 'GW_ERR_STATS_INPUT_INVALID'), config, ['declaration.cargo'], 'GW_ERR_STATS_INPUT_INVALID'))),
  );
stats
  .command('compare')
  .description("mirror comparison of statistics: our exports against the partner's imports from us and the other way round, per period and commodity code, values brought to FOB")
  .requiredOption('--ours <file>', 'our statistics (SDMX-CSV of stats export)')
  .option('--theirs <files...>', "the partner's statistics (SDMX-CSV files of our dataflow, e.g. one per flow)")
  .option('--theirs-from-log <CC>', 'instead: the statistics partner CC sent through the gateway (mirror.statistics records of the inbound log; of several files of one month and flow the last received)')
  .requiredOption('--out <dir>', 'folder for statistics-gaps.json and statistics-gaps.csv')
  .option('--factor <n>', 'CIF/FOB factor: CIF values are divided by it (default 1.06)')
  .option('--value-tolerance <share>', 'accepted value gap relative to the larger side (default 0.05)')
  .option('--mass-tolerance <share>', 'accepted net mass gap relative to the larger side (default 0.02)')
  .action((options: StatsCompareArgs & { theirsFromLog?: string }) =>
    run(async (config) => {
      const settings = mirrorSettingsOf({ ...options, theirs: '' });
      if (Boolean(options.theirs) === Boolean(options.theirsFromLog)) throw new GatewayError('GW_ERR_STATS_INPUT_INVALID', 'give the partner side with --theirs FILE or --theirs-from-log CC, one of them');
      if (options.theirsFromLog !== undefined && !/^[A-Z]{2}$/.test(options.theirsFromLog)) throw new GatewayError('GW_ERR_STATS_INPUT_INVALID', `--theirs-from-log must be an ISO 3166 alpha-2 code, got "${options.theirsFromLog}"`);
      const theirs = options.theirs
        ? (await Promise.all(options.theirs.map((file) => readSdmxCsv(file)))).flat()
        : observationsOfRecords((await readCanonicalRecords({ log: 'inbound' }, config, ['mirror.statistics'], 'GW_ERR_STATS_INPUT_INVALID')).filter((r) => r.reporter === options.theirsFromLog));
      return statsCompare(options, theirs, settings);
    }),
  );
stats
  .command('import')
  .description("read a partner's SDMX-CSV statistics file of our dataflow, check it, and print what it holds")
  .argument('<file>', 'SDMX-CSV 2.0 file')
  .option('--json <file>', 'also write its observations as JSON')
  .action((file: string, options: { json?: string }) => exitWith(() => statsImport(file, options)));
const certs = program.command('certs').description('certificates and keys');
certs
  .command('init')
  .description('generate a development CA, gateway and partner certificates in certs/dev')
  .option('--force', 'replace an existing set')
  .action((options: { force?: boolean }) => run((config) => certsInit(options, config)));
await program.parseAsync();
