// SDMX-CSV 2.0 data messages of our dataflow: written from observations, and read back (partners' files included) with every layout mistake named.
import { csvField } from '../codec/csv-codec.js';
import { readCsvRows } from '../codec/csv-stream.js';
import { GatewayError } from '../errors.js';
import { COMPONENTS, DATAFLOW_ID, SDMX_CSV_COLUMNS, type Component, type Observation } from './sdmx-structure.js';

/** The observations as an SDMX-CSV 2.0 file: STRUCTURE, STRUCTURE_ID, ACTION, then every component; action I (information). */
export function writeSdmxCsv(observations: readonly Observation[]): string {
  const header = SDMX_CSV_COLUMNS.join(',');
  const lines = observations.map((o) => ['dataflow', DATAFLOW_ID, 'I', ...COMPONENTS.map((c) => csvField(o[c] ?? '', ',', c))].join(','));
  return `${[header, ...lines].join('\r\n')}\r\n`;
}

/** The separator is the character after STRUCTURE (or after its sub-field declaration `STRUCTURE[;]`); `,` when there is none. */
function separatorAfterStructure(firstLine: string): string {
  const m = /^\uFEFF?STRUCTURE(?:\[.\])?([,;])/.exec(firstLine);
  return m?.[1] ?? ',';
}

/** The actions an imported file may carry: information, append, replace (delete is refused: statistics are not withdrawn by a file). */
const ACTIONS = new Set(['I', 'A', 'R']);

/**
 * Reads an SDMX-CSV 2.0 (or 1.0-style) data message of our dataflow: columns in any order, the
 * separator the character after STRUCTURE (`,` or `;`), every component column present.
 * @throws GatewayError GW_ERR_STATS_INPUT_INVALID naming the file, line and column: every missing
 *   column at once, another dataflow, an unknown action, a bad component value.
 */
export async function readSdmxCsv(file: string): Promise<Observation[]> {
  const fail = (line: number, column: number, reason: string): never => {
    throw new GatewayError('GW_ERR_STATS_INPUT_INVALID', `${file}:${line}:${column}: ${reason}`, { file, line, column });
  };
  let at: Map<string, number> | undefined;
  const out: Observation[] = [];
  for await (const row of readCsvRows(file, { code: 'GW_ERR_STATS_INPUT_INVALID', separator: separatorAfterStructure })) {
    if (!at) {
      // A multi-valued component declares its sub-field separator in brackets (`STRUCTURE[;]`, `ATTR_1[]`).
      const names = row.fields.map((f) => f.trim().replace(/\[.?\]$/, ''));
      if (names[0] !== 'STRUCTURE') fail(row.line, 1, 'an SDMX-CSV file starts with the column STRUCTURE');
      at = new Map(names.map((n, i) => [n, i]));
      const missing = ['STRUCTURE_ID', 'ACTION', ...COMPONENTS.filter((c) => c !== 'SUPP_QTY' && c !== 'SUPP_UNIT')].filter((c) => !at!.has(c));
      if (missing.length > 0) fail(row.line, 1, `missing columns: ${missing.join(', ')}`);
      continue;
    }
    const cell = (name: string): { value: string; column: number } => {
      const i = at!.get(name);
      return { value: i === undefined ? '' : (row.fields[i] ?? '').trim(), column: i === undefined ? 1 : (row.columns[i] ?? 1) };
    };
    const structure = cell('STRUCTURE');
    if (structure.value !== 'dataflow') fail(row.line, structure.column, `STRUCTURE "${structure.value}" is not dataflow`);
    const id = cell('STRUCTURE_ID');
    if (id.value !== DATAFLOW_ID) fail(row.line, id.column, `STRUCTURE_ID "${id.value}" is not ${DATAFLOW_ID}`);
    const action = cell('ACTION');
    if (!ACTIONS.has(action.value)) fail(row.line, action.column, `ACTION "${action.value}" is not I, A or R`);
    const observation: Observation = {};
    for (const c of COMPONENTS) {
      const { value, column } = cell(c);
      const problem = value === '' ? undefined : componentProblem(c, value);
      if (problem) fail(row.line, column, `${c} "${value}" ${problem}`);
      if (value !== '') observation[c] = value;
    }
    for (const c of ['FREQ', 'REF_AREA', 'COUNTERPART_AREA', 'TRADE_FLOW', 'CMD_CODE', 'TIME_PERIOD', 'CURRENCY', 'VALUATION', 'CMD_LEVEL', 'CONF_STATUS'] as const) {
      if (observation[c] === undefined) fail(row.line, cell(c).column, `${c} is empty`);
    }
    out.push(observation);
  }
  if (!at) fail(1, 1, 'the file is empty');
  return out;
}

const RULES: Partial<Record<Component, [RegExp, string]>> = {
  FREQ: [/^[MA]$/, 'is not M or A'],
  REF_AREA: [/^[A-Z]{2}$/, 'is not an ISO 3166 alpha-2 code'],
  COUNTERPART_AREA: [/^([A-Z]{2}|W00)$/, 'is not an ISO 3166 alpha-2 code or W00'],
  TRADE_FLOW: [/^(M|X|RM|RX)$/, 'is not M, X, RM or RX'],
  CMD_CODE: [/^([0-9]{2}([0-9]{2}){0,2}|TOTAL)$/, 'is not an HS code of 2, 4 or 6 digits or TOTAL'],
  TIME_PERIOD: [/^[0-9]{4}(-(0[1-9]|1[0-2]))?$/, 'is not YYYY or YYYY-MM'],
  TRADE_VALUE: [/^[0-9]+(\.[0-9]+)?$/, 'is not a non-negative decimal'],
  NET_MASS: [/^[0-9]+(\.[0-9]+)?$/, 'is not a non-negative decimal'],
  SUPP_QTY: [/^[0-9]+(\.[0-9]+)?$/, 'is not a non-negative decimal'],
  CURRENCY: [/^(USD|KZT)$/, 'is not USD or KZT'],
  VALUATION: [/^(CIF|FOB)$/, 'is not CIF or FOB'],
  CMD_LEVEL: [/^(HS6|HS4|HS2|TOTAL)$/, 'is not HS6, HS4, HS2 or TOTAL'],
  SUPP_UNIT: [/^[A-Z0-9]{3}$/, 'is not a UN/ECE Recommendation 20 code'],
  CONF_STATUS: [/^[FCDNA]$/, 'is not a confidentiality status of the code list (F, C, D, N, A)'],
};

function componentProblem(component: Component, value: string): string | undefined {
  const rule = RULES[component];
  return rule && !rule[0].test(value) ? rule[1] : undefined;
}
