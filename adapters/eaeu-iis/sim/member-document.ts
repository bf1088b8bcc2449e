// The P.CP.01.MSG.010 a member's customs sends us: R.010 carrying R.CA.CP.01.001 about goods moving from the member towards Kazakhstan, with realistic values.
import { randomUUID } from 'node:crypto';
import type { XmlContent } from '../../../src/partners/kit.js';
import { CCDO_NS, CSDO_NS } from '../namespaces.js';
import type { ProcessTable } from '../process-table.js';

const CACDO = 'urn:EEC:M:CA:ComplexDataObjects:v1.8.1';
const CASDO = 'urn:EEC:M:CA:SimpleDataObjects:v1.8.1';

/** The member's customs offices and registration numbers, per member segment. */
const RUSSIA = { departure: '10216100', declaration: '10216100/261126/5006775' };
const MEMBER_OFFICES: Readonly<Record<string, { departure: string; declaration: string }>> = {
  RU: RUSSIA,
  KG: { departure: '41701000', declaration: '41701000/261126/0003112' },
};

/** Operation codes of the events, as the mapping files' code lists have them. */
export const MEMBER_EVENTS = { departure: '10', 'border-entry': '21', 'border-exit': '22', arrival: '30' } as const;

/** What a member's message says; everything has a default. */
export interface MemberDocumentOptions {
  member: string;
  event?: keyof typeof MEMBER_EVENTS;
  /** A TIR carnet (series and number), when the transit is under TIR. */
  carnet?: string;
  transitDeclarationNumber?: string;
  at?: Date;
  /** Goods items (default 1), each a consignment item of its own. */
  goodsItems?: number;
}

/** Goods a declaration's items carry in turn: HS subheading and description. */
const GOODS = [
  ['847130', 'Portable computers, in cartons'],
  ['847150', 'Processing units for computers, in cartons'],
  ['847330', 'Parts and accessories of computers, in cartons'],
  ['852352', 'Solid-state storage devices, in cartons'],
] as const;

/** One goods item of the transit declaration. */
function goodsItem(ordinal: number): XmlContent {
  const [hs, description] = GOODS[(ordinal - 1) % GOODS.length]!;
  return {
    'casdo:ConsignmentItemOrdinal': String(ordinal),
    'csdo:CommodityCode': hs,
    'casdo:GoodsDescriptionText': description,
    'csdo:UnifiedGrossMassMeasure': { '@measurementUnitCode': '166', '@measurementUnitCodeListId': '2016', '#text': (1250.5 + ordinal * 10).toFixed(1) },
    'cacdo:CargoPackagePalletDetails': { 'cacdo:PackagePalletDetails': { 'csdo:PackageKindCode': coded('2016', 'CT'), 'csdo:PackageQuantity': String(120 + ordinal) } },
  };
}

const coded = (listId: string, text: string): XmlContent => ({ '@codeListId': listId, '#text': text });

/** The R.010 document (unsigned body) in the version the process files name. */
export function memberTransitDocument(table: ProcessTable, options: MemberDocumentOptions): XmlContent {
  const route = table.route('P.CP.01.MSG.010');
  const container = route.structure;
  const carried = route.carries;
  if (!carried) throw new Error('P.CP.01.MSG.010 carries no domain structure in the process file');
  const offices = MEMBER_OFFICES[options.member] ?? RUSSIA;
  const [office = '', date = '', number = ''] = (options.transitDeclarationNumber ?? offices.declaration).split('/');
  const at = (options.at ?? new Date()).toISOString();
  const header = (code: string): XmlContent => ({ 'csdo:InfEnvelopeCode': 'P.CP.01.MSG.010', 'csdo:EDocCode': code, 'csdo:EDocId': randomUUID(), 'csdo:EDocDateTime': at });
  const carnet = options.carnet;
  const items = options.goodsItems ?? 1;
  return {
    [`gen:${container.root}`]: {
      '@xmlns:gen': container.namespace,
      '@xmlns:ccdo': CCDO_NS,
      '@xmlns:csdo': CSDO_NS,
      'ccdo:EDocHeader': header('R.010'),
      [`tod:${carried.root}`]: {
        '@xmlns:tod': carried.namespace,
        '@xmlns:cacdo': CACDO,
        '@xmlns:casdo': CASDO,
        'ccdo:EDocHeader': header('R.CA.CP.01.001'),
        'cacdo:TransitDeclarationIdDetails': {
          'csdo:CustomsOfficeCode': office,
          'csdo:DocCreationDate': `20${date.slice(4, 6)}-${date.slice(2, 4)}-${date.slice(0, 2)}`,
          'casdo:CustomsDocumentId': number,
        },
        'casdo:TransitProcedureCode': coded('2016', carnet ? 'TR' : 'TT'),
        ...(carnet ? { 'cacdo:TIRCarnetIdDetails': { 'casdo:TIRSeriesId': carnet.slice(0, 2), 'casdo:TIRId': carnet.slice(2) } } : {}),
        'cacdo:DepartureCustomsOfficeDetails': { 'csdo:CustomsOfficeCode': offices.departure, 'csdo:UnifiedCountryCode': coded('2021', options.member) },
        'cacdo:DestinationCustomsOfficeDetails': { 'csdo:CustomsOfficeCode': '55401000', 'csdo:UnifiedCountryCode': coded('2021', 'KZ') },
        'casdo:DepartureCountryCode': coded('2021', options.member),
        'casdo:DestinationCountryCode': coded('2021', 'KZ'),
        'cacdo:ItineraryPointDetails': [
          { 'csdo:UnifiedCountryCode': coded('2021', options.member), 'csdo:ObjectOrdinal': '1' },
          { 'csdo:UnifiedCountryCode': coded('2021', 'KZ'), 'csdo:ObjectOrdinal': '2' },
        ],
        'cacdo:TransportMeansItemDetails': { 'csdo:ObjectOrdinal': '1', 'casdo:RegistrationNationalityCode': coded('2021', options.member), 'csdo:TransportMeansRegId': 'A123BC77' },
        'casdo:GoodsQuantity': String(items),
        'cacdo:TDExchGoodsItemDetails': items === 1 ? goodsItem(1) : Array.from({ length: items }, (_, i) => goodsItem(i + 1)),
        'cacdo:TDMovementOperationDetails': {
          'casdo:CustomsOperationCode': MEMBER_EVENTS[options.event ?? 'departure'],
          'csdo:CustomsOfficeCode': offices.departure,
          'casdo:OperationDateTime': at,
        },
      },
    },
  };
}
