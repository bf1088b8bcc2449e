// The manifest of a declaration batch: how many declarations and items it holds and the digest of its items, so the receiver can tell a partial batch.
import { createHash } from 'node:crypto';
import { childElement, childElements, childText, GatewayError, parseXml, type XmlContent } from '../../src/partners/kit.js';

/** Namespace of the batch and its receipt (schemas/partners/cn-customs/declaration-batch.xsd). */
export const BATCH_NS = 'urn:kz:customs:gateway:cn-customs:declaration-batch:1';

/** What a batch's items add up to, as its manifest states it. */
export interface BatchCounts {
  declarations: number;
  items: number;
  /** base64 SHA-256 over one line per item: DeclarationId|ItemNumber|HsCode|NetMassKg|StatisticalValueUsd and a line feed. */
  digest: string;
}

function text(element: XmlContent, name: string): string {
  return childText(element, '', name)?.trim() ?? '';
}

/** The declarations of a parsed batch document (its root's content). */
export function batchRoot(document: XmlContent): XmlContent {
  const root = childElement(document, BATCH_NS, 'DeclarationBatch');
  if (!root) throw new GatewayError('GW_ERR_XML_MALFORMED', `not a DeclarationBatch of ${BATCH_NS}`);
  return root;
}

/** Counts and digest of what the batch actually holds (not what its manifest says). */
export function countBatch(root: XmlContent): BatchCounts {
  const hash = createHash('sha256');
  let items = 0;
  const declarations = childElements(root, '', 'Declaration');
  for (const declaration of declarations) {
    const id = text(declaration, 'DeclarationId');
    for (const item of childElements(declaration, '', 'Item')) {
      items++;
      hash.update(`${id}|${text(item, 'ItemNumber')}|${text(item, 'HsCode')}|${text(item, 'NetMassKg')}|${text(item, 'StatisticalValueUsd')}\n`, 'utf8');
    }
  }
  return { declarations: declarations.length, items, digest: hash.digest('base64') };
}

/** What the manifest states. */
export function manifestOf(root: XmlContent): BatchCounts & { batchId: string; reporter: string; partner: string; period: string } {
  const manifest = childElement(root, '', 'Manifest');
  if (!manifest) throw new GatewayError('GW_ERR_XML_MALFORMED', 'the batch has no Manifest');
  return { batchId: text(manifest, 'BatchId'), reporter: text(manifest, 'Reporter'), partner: text(manifest, 'Partner'), period: text(manifest, 'Period'), declarations: Number(text(manifest, 'DeclarationCount')), items: Number(text(manifest, 'ItemCount')), digest: text(manifest, 'ItemsDigest') };
}

/** How a batch differs from its manifest, or undefined when it holds exactly what the manifest says. */
export function partiality(root: XmlContent): string | undefined {
  const stated = manifestOf(root);
  const held = countBatch(root);
  if (stated.declarations !== held.declarations) return `the manifest states ${stated.declarations} declarations, the batch holds ${held.declarations}`;
  if (stated.items !== held.items) return `the manifest states ${stated.items} items, the batch holds ${held.items}`;
  if (stated.digest !== held.digest) return 'the items do not match the manifest\'s digest';
  return undefined;
}

/**
 * Writes the items' digest into the rendered batch's empty `ItemsDigest` (the mapping cannot hash), before
 * it is signed: the batch's canonical bytes with the placeholder replaced.
 * @throws GatewayError GW_ERR_DOCUMENT_INVALID when the rendered batch has no empty ItemsDigest.
 */
export function completeManifest(rendered: Buffer): Buffer {
  const xml = rendered.toString('utf8');
  const placeholder = '<ItemsDigest></ItemsDigest>';
  const at = xml.indexOf(placeholder);
  if (at < 0 || xml.indexOf(placeholder, at + 1) >= 0) throw new GatewayError('GW_ERR_DOCUMENT_INVALID', 'the batch mapping must write one empty ItemsDigest in its Manifest (the adapter fills it)');
  const { digest } = countBatch(batchRoot(parseXml(rendered)));
  return Buffer.from(`${xml.slice(0, at)}<ItemsDigest>${digest}</ItemsDigest>${xml.slice(at + placeholder.length)}`, 'utf8');
}
