// Renders a DocumentTree with the codec of its kind, and names the file extension of each codec.
import type { DocumentTree } from './document-tree.js';
import { renderEdifact } from './edifact-codec.js';
import { renderJson } from './json-codec.js';
import { renderXml } from './xml-render.js';

/** File extension of each codec's output. */
export const EXTENSIONS = { xml: 'xml', edifact: 'edi', json: 'json' } as const satisfies Record<DocumentTree['kind'], string>;

/** Renders a document to the exact bytes a partner receives (before signing). */
export function renderDocument(doc: DocumentTree): Buffer {
  switch (doc.kind) {
    case 'xml':
      return renderXml(doc.root);
    case 'edifact':
      return renderEdifact(doc.interchange);
    case 'json':
      return renderJson(doc.value);
  }
}
