// The business answer R.006 "notification of the processing result" (ProcessingResultDetails), written and read in the version the process file names.
import { childElement, childText, type XmlContent } from '../../src/partners/kit.js';
import { eaeuErrors } from './errors.js';
import { CCDO_NS as CCDO, CSDO_NS as CSDO } from './namespaces.js';
import type { StructureVersion } from './process-table.js';

/** What an R.006 says. */
export interface ProcessingResult {
  /** Message code it travels as, e.g. P.CP.01.MSG.002. */
  messageCode: string;
  /** Its own EDocId, and the EDocId of the document it answers. */
  edocId: string;
  refEdocId?: string;
  /** When processing ended. */
  at: Date;
  /** csdo:ProcessingResultV2Code (the classifier of the process; 6 = processed in the data model's list). */
  code: string;
  text?: string;
}

/** The Body content of an R.006 in the structure version given. */
export function writeProcessingResult(result: ProcessingResult, structure: StructureVersion): XmlContent {
  const header: XmlContent = {
    'csdo:InfEnvelopeCode': result.messageCode,
    'csdo:EDocCode': 'R.006',
    'csdo:EDocId': result.edocId,
    ...(result.refEdocId ? { 'csdo:EDocRefId': result.refEdocId } : {}),
    'csdo:EDocDateTime': result.at.toISOString(),
  };
  return {
    [`pr:${structure.root}`]: {
      '@xmlns:pr': structure.namespace,
      '@xmlns:ccdo': CCDO,
      '@xmlns:csdo': CSDO,
      'ccdo:EDocHeader': header,
      'csdo:EventDateTime': result.at.toISOString(),
      'csdo:ProcessingResultV2Code': result.code,
      ...(result.text ? { 'csdo:DescriptionText': result.text } : {}),
    },
  };
}

/** Reads an R.006 Body. @throws GatewayError GW_ERR_EAEU_HEADER when the Body holds no such structure or no result code. */
export function readProcessingResult(body: XmlContent, structure: StructureVersion): { code: string; text?: string; refEdocId?: string } {
  const root = childElement(body, structure.namespace, structure.root);
  const code = root && childText(root, CSDO, 'ProcessingResultV2Code')?.trim();
  if (!root || !code) throw eaeuErrors.error('GW_ERR_EAEU_HEADER', `the Body holds no ${structure.root} of ${structure.namespace} with a ProcessingResultV2Code`);
  const header = childElement(root, CCDO, 'EDocHeader');
  const refEdocId = header && childText(header, CSDO, 'EDocRefId')?.trim();
  const text = childText(root, CSDO, 'DescriptionText')?.trim();
  return { code, ...(text ? { text } : {}), ...(refEdocId ? { refEdocId } : {}) };
}
