// The names of our SDMX data structure (schemas/sdmx/KZ_CUSTOMS-DSD_IMTS_HS-1.0.0.xml): dataflow, components, and the observation a statistics row becomes.
import { fromMillionths } from './fixed-decimal.js';
import { cellQuantity } from './trade-cells.js';
import type { StatisticsRow } from './statistics-table.js';

/** The dataflow the data sets belong to. */
export const DATAFLOW_ID = 'KZ_CUSTOMS:DF_IMTS_HS(1.0.0)';
/** The dataflow's URN. */
export const DATAFLOW_URN = 'urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=KZ_CUSTOMS:DF_IMTS_HS(1.0.0)';
/** Namespace of the structure-specific data (every dimension at the observation). */
export const DATA_NAMESPACE = `${DATAFLOW_URN}:ObsLevelDim:AllDimensions`;

/** Dimensions, measures and attributes, in the order SDMX-CSV columns follow. */
export const COMPONENTS = [
  'FREQ', 'REF_AREA', 'COUNTERPART_AREA', 'TRADE_FLOW', 'CMD_CODE', 'TIME_PERIOD',
  'TRADE_VALUE', 'NET_MASS', 'SUPP_QTY',
  'CURRENCY', 'VALUATION', 'CMD_LEVEL', 'SUPP_UNIT', 'CONF_STATUS',
] as const;

/** SDMX-CSV 2.0 columns of the dataflow: STRUCTURE, STRUCTURE_ID, ACTION, then every component. */
export const SDMX_CSV_COLUMNS: readonly string[] = ['STRUCTURE', 'STRUCTURE_ID', 'ACTION', ...COMPONENTS];

/** A component's name. */
export type Component = (typeof COMPONENTS)[number];

/** One observation as component values; absent components are left out. */
export type Observation = Partial<Record<Component, string>>;

/** What the data set is about. */
export interface DataSetContext {
  reporter: string;
  partner: string;
  /** YYYY-MM. */
  period: string;
}

/**
 * A statistics row as an observation: value in USD with cents, net mass in kg and the supplementary
 * quantity (HS6 and HS4 rows whose items all declared one unit) as exact decimals; a suppressed row
 * (C or D) keeps its key and attributes and no measure.
 */
export function observationOf(row: StatisticsRow, context: DataSetContext): Observation {
  const visible = row.status === 'F';
  // Quantities of different goods add up to nothing useful above the heading, even in one unit.
  const quantity = row.level === 'HS6' || row.level === 'HS4' ? cellQuantity(row.cell) : undefined;
  return {
    FREQ: 'M',
    REF_AREA: context.reporter,
    COUNTERPART_AREA: context.partner,
    TRADE_FLOW: row.flow,
    CMD_CODE: row.code,
    TIME_PERIOD: context.period,
    ...(visible ? { TRADE_VALUE: fromMillionths(row.cell.value, 2), NET_MASS: fromMillionths(row.cell.netMass) } : {}),
    ...(visible && quantity ? { SUPP_QTY: fromMillionths(quantity.amount) } : {}),
    CURRENCY: 'USD',
    VALUATION: row.flow === 'M' || row.flow === 'RM' ? 'CIF' : 'FOB',
    CMD_LEVEL: row.level,
    ...(quantity ? { SUPP_UNIT: quantity.unit } : {}),
    CONF_STATUS: row.status,
  };
}
