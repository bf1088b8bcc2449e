// China's own batches as the simulator sends them: built from a plain description, manifest computed (or falsified on request), in canonical form for signing.
import { renderXml, type XmlContent } from '../../../src/partners/kit.js';
import { BATCH_NS, countBatch } from '../batch-manifest.js';

/** One declaration China registered, as a test describes it. */
export interface ChinaDeclaration {
  declarationId: string;
  flow: 'X' | 'M';
  registeredAt: string;
  transportDocument?: string;
  vehicle?: string;
  items: Array<{ hsCode: string; netMassKg: string; valueUsd: string }>;
}

/** A batch to push: its id, declarations, and what the manifest should falsely state, if anything. */
export interface ChinaBatchCommand {
  batchId: string;
  period: string;
  declarations: ChinaDeclaration[];
  /** Make the manifest state another item count (a batch cut on China's side). */
  statedItems?: number;
  /** China counts the batch as sent (its period manifest lists it) but the push never reaches the gateway. */
  lostInTransit?: boolean;
}

/** The batch, unsigned, in canonical form. */
export function chinaBatch(command: ChinaBatchCommand): Buffer {
  const declarations: XmlContent[] = command.declarations.map((d) => ({
    DeclarationId: d.declarationId,
    Flow: d.flow,
    RegisteredAt: d.registeredAt,
    CustomsOffice: '6519',
    CountryOfDispatch: d.flow === 'X' ? 'CN' : 'KZ',
    CountryOfDestination: d.flow === 'X' ? 'KZ' : 'CN',
    TransportMode: 'road',
    ...(d.transportDocument ? { TransportDocument: d.transportDocument } : {}),
    ...(d.vehicle ? { Vehicle: { '@nationality': 'CN', '#text': d.vehicle } } : {}),
    Consignor: { '@taxId': '6501960123', '@name': 'Xinjiang Auto Trading Co., Ltd.', '@country': d.flow === 'X' ? 'CN' : 'KZ' },
    Consignee: { '@taxId': '100140012345', '@name': 'Auto Import Almaty LLP', '@country': d.flow === 'X' ? 'KZ' : 'CN' },
    Item: d.items.map((item, i) => ({
      ItemNumber: String(i + 1),
      HsCode: item.hsCode,
      Description: `goods ${item.hsCode}`,
      OriginCountry: d.flow === 'X' ? 'CN' : 'KZ',
      NetMassKg: item.netMassKg,
      GrossMassKg: item.netMassKg,
      StatisticalValueUsd: item.valueUsd,
    })),
  }));
  const counts = countBatch({ Declaration: declarations });
  return renderXml({
    'cnb:DeclarationBatch': {
      '@xmlns:cnb': BATCH_NS,
      '@version': '1',
      Manifest: {
        BatchId: command.batchId,
        Reporter: 'CN',
        Partner: 'KZ',
        Period: command.period,
        DeclarationCount: String(counts.declarations),
        ItemCount: String(command.statedItems ?? counts.items),
        ItemsDigest: counts.digest,
      },
      Declaration: declarations,
    },
  });
}
