// Uzbekistan's own DECs as the simulator sends them: advance transit or cargo information built from a plain description, as the WCO schema orders it.
import { renderXml, type XmlContent } from '../../../src/partners/kit.js';
import { WCO } from '../wco-response.js';

/** A DEC to push, as a test describes it. */
export interface UzbekDecCommand {
  reference: string;
  typeCode: string;
  /** 9 original (default) or 13 amendment. */
  functionCode?: string;
  /** The responsible country the MetaData names (default UZ: another is a sender mismatch). */
  responsibleCountry?: string;
  itinerary?: string[];
  vehicle?: string;
  items: Array<{ hsCode: string; description: string; grossMassKg: string; netMassKg: string }>;
  /** Make GoodsItemQuantity disagree with the items (a DEC our schema check would not catch). */
  statedItems?: number;
}

/** The DEC in its MetaData, unsigned, in canonical form. */
export function uzbekDec(c: UzbekDecCommand): Buffer {
  const declaration: XmlContent = {
    '@xmlns': WCO.dec,
    FunctionCode: c.functionCode ?? '9',
    FunctionalReferenceID: c.reference,
    TypeCode: c.typeCode,
    GoodsItemQuantity: String(c.statedItems ?? c.items.length),
    DeclarationOfficeID: 'UZ170500',
    ...(c.vehicle ? { BorderTransportMeans: { ID: c.vehicle, RegistrationNationalityCode: 'UZ', ModeCode: '3' } } : {}),
    ...(c.itinerary ? { Consignment: { Itinerary: c.itinerary.map((country, i) => ({ SequenceNumeric: String(i + 1), RoutingCountryCode: country })) } } : {}),
    GoodsShipment: {
      GovernmentAgencyGoodsItem: c.items.map((item, i) => ({
        SequenceNumeric: String(i + 1),
        Commodity: {
          Description: item.description,
          Classification: { ID: item.hsCode, IdentificationTypeCode: 'TSP' },
          GoodsMeasure: { GrossMassMeasure: { '@unitCode': 'KGM', '#text': item.grossMassKg }, NetNetWeightMeasure: { '@unitCode': 'KGM', '#text': item.netMassKg } },
        },
      })),
    },
  };
  return renderXml({
    'md:MetaData': {
      '@xmlns:md': WCO.metaData,
      'md:WCODataModelVersionCode': '3.6',
      'md:WCOTypeName': 'DEC',
      'md:ResponsibleCountryCode': c.responsibleCountry ?? 'UZ',
      'md:ResponsibleAgencyName': 'State Customs Committee, Republic of Uzbekistan',
      Declaration: declaration,
    },
  });
}
