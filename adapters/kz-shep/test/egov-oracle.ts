// The published SyncChannel/AsyncChannel v10 XSDs as an oracle for a whole signed envelope: its Body's operation element, with the Envelope's context namespaces, through xmllint and egov-driver.xsd.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextDeclarations, parseSoapEnvelope, renderXml, type XmlContent } from '../../../src/partners/kit.js';
import { REFERENCE_DIR } from '../../../test/support/project.js';

/** The driver schema of the published XSDs (see its header comment). */
export const EGOV_DRIVER = join(import.meta.dirname, 'egov-driver.xsd');

/** One file of the published set, to skip the oracle where the shared reference is absent. */
export const EGOV_XSD_SAMPLE = join(REFERENCE_DIR, 'egov-kz', 'wsdl', 'AsyncChannel', 'v10', 'Types', 'IAsyncChannel.xsd');

/**
 * xmllint's verdict on the operation element of a SOAP 1.1 envelope (request, response or the detail
 * of a fault), with the namespaces the Envelope declares for QNames in content (xsi:type) in scope.
 */
export function xmllintOperation(envelope: Buffer): { status: number | null; output: string } {
  const { body, fault, contextNamespaces } = parseSoapEnvelope(envelope, '1.1');
  let operation: XmlContent = body;
  if (fault) {
    const faultElement = Object.entries(body).find(([k]) => k.endsWith(':Fault'))?.[1] as XmlContent;
    operation = (faultElement?.detail ?? {}) as XmlContent;
  }
  const scope = Object.fromEntries(Object.entries(operation).filter(([k]) => k.startsWith('@xmlns')));
  const [name, content] = Object.entries(operation).find(([k]) => !k.startsWith('@') && k !== '#text') ?? [];
  if (!name || typeof content !== 'object' || Array.isArray(content)) return { status: 1, output: 'no operation element in the Body' };
  const element = renderXml({ [name]: { ...scope, ...content } });
  const dir = mkdtempSync(join(tmpdir(), 'gw-egov-xsd-'));
  try {
    const file = join(dir, 'operation.xml');
    // The canonical renderer leaves out declarations only QName values use: the Envelope's go back on the element as text.
    writeFileSync(file, element.toString('utf8').replace(/^<([^\s>]+)/, `<$1${contextDeclarations(contextNamespaces)}`));
    const run = spawnSync('xmllint', ['--noout', '--schema', EGOV_DRIVER, file], { encoding: 'utf8' });
    if (run.error) throw run.error;
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
