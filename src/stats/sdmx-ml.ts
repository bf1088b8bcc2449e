// SDMX-ML 3.0 structure-specific data messages of our dataflow, every dimension at the observation (schemas/sdmx/KZ_CUSTOMS-DF_IMTS_HS-1.0.0-AllDimensions.xsd).
import type { XmlContent } from '../codec/document-tree.js';
import { renderXmlString } from '../codec/xml-render.js';
import { contextDeclarations } from '../codec/soap-envelope.js';
import { COMPONENTS, DATA_NAMESPACE, DATAFLOW_URN, type Observation } from './sdmx-structure.js';

const MESSAGE_NS = 'http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message';
const COMMON_NS = 'http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common';
const SS_NS = 'http://www.sdmx.org/resources/sdmxml/schemas/v3_0/data/structurespecific';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** The message header's facts. */
export interface SdmxHeader {
  /** Message id (IDType: letters, digits, `_`, `@`, `$`, `-`). */
  id: string;
  prepared: Date;
  /** Sender organisation id. */
  sender: string;
}

/** The observations as a StructureSpecificData message with one data set (action Information). */
export function writeSdmxMl(observations: readonly Observation[], header: SdmxHeader): string {
  const obs = observations.map((o) => Object.fromEntries(COMPONENTS.filter((c) => o[c] !== undefined).map((c) => [`@${c}`, o[c]!])));
  const message: XmlContent = {
    'message:StructureSpecificData': {
      '@xmlns:message': MESSAGE_NS,
      '@xmlns:common': COMMON_NS,
      '@xmlns:ss': SS_NS,
      '@xmlns:xsi': XSI_NS,
      'message:Header': {
        'message:ID': header.id,
        'message:Test': 'false',
        'message:Prepared': header.prepared.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        'message:Sender': { '@id': header.sender },
        'message:Structure': {
          '@structureID': 'DF_IMTS_HS',
          '@namespace': DATA_NAMESPACE,
          '@dimensionAtObservation': 'AllDimensions',
          'common:StructureUsage': DATAFLOW_URN,
        },
      },
      'message:DataSet': { '@xsi:type': 'df:DataSetType', '@ss:structureRef': 'DF_IMTS_HS', '@ss:action': 'Information', ...(obs.length > 0 ? { Obs: obs } : {}) },
    },
  };
  // The canonical rendering declares a namespace only where a name uses it; xsi:type's `df:` is a value, so its declaration goes on the root by hand.
  const head = `<message:StructureSpecificData xmlns:message="${MESSAGE_NS}"`;
  const xml = renderXmlString(message);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}${contextDeclarations({ df: DATA_NAMESPACE })}${xml.slice(head.length)}\n`;
}
