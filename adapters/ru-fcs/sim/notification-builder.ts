// Builds the transit notifications FTS pushes to us (unsigned): the bilateral TransitNotification in FTS's routing envelope, with realistic values.
import { randomUUID } from 'node:crypto';
import { nameBasedUuid, renderXml, type XmlContent } from '../../../src/partners/kit.js';
import { APPLICATION_NS, ENVELOPE_NS, HEADER_NS, NOTIFICATION_NS, ROUTING_NS } from '../namespaces.js';

/** Transit events, in CAIS words. */
export type NotificationEvent = 'departure' | 'border-entry' | 'border-exit' | 'arrival';
/** Transit procedures, in CAIS words. */
export type NotificationProcedure = 'national-transit' | 'tir' | 'eaeu-transit';

/** The event and procedure codes of the bilateral notification. */
export const EVENT_CODES: Readonly<Record<NotificationEvent, string>> = { departure: 'DEP', 'border-entry': 'ENT', 'border-exit': 'EXT', arrival: 'ARR' };
const PROCEDURE_CODES: Readonly<Record<NotificationProcedure, string>> = { 'national-transit': 'NT', tir: 'TIR', 'eaeu-transit': 'EAEU' };

/** What a notification says; everything has a realistic default, and the same envelope id always gives the same document. */
export interface NotificationOptions {
  /** `roi:EnvelopeID` (default: a fresh UUID); it seeds every other generated value. */
  envelopeId?: string;
  /** `roi:InitialEnvelopeID`: the EnvelopeID of one of our notifications that this one answers. */
  answers?: string;
  /** `roi:SenderInformation` (default `RU:FCS`). */
  sender?: string;
  /** Default: an EAEU registration number of the office of departure, dated the day of preparation. */
  transitDeclarationNumber?: string;
  /** Default `border-exit`. */
  event?: NotificationEvent;
  /** Default `tir` (with carnet, seals and carnet holder). */
  procedure?: NotificationProcedure;
  /** Goods items, 1 to 3 (default 2). */
  goodsItems?: number;
  /** Offices of transit, 1 or 2 (default 1). */
  transitOffices?: number;
  /** Leave out everything optional: itinerary, vehicle, seals, goods, guarantee, holder, offices of transit and exit. */
  minimal?: boolean;
  /** `roi:PreparationDateTime` (default: now); the event happened 40 minutes earlier. */
  preparedAt?: Date;
}

const OFFICES = { departure: 'RU102161', exit: 'RU105110', transit: ['KZ555030', 'KZ551110'], destination: 'KZ554010' };
/** The 8-digit national code of the office of departure, which opens EAEU registration numbers. */
const REGISTERING_OFFICE = '10216100';

const GOODS = [
  { HSCode: '840991', Description: 'Parts for spark-ignition engines (pistons, cylinder heads), in cartons', PackageCount: 24, PackageKind: 'CT', GrossMassKg: '1840.5', NetMassKg: '1702' },
  { HSCode: '401110', Description: 'New pneumatic tyres of rubber, of a kind used on motor cars', PackageCount: 12, PackageKind: 'PX', GrossMassKg: '3120', NetMassKg: '2988.75' },
  { HSCode: '940330', Description: 'Wooden office furniture, flat-packed', PackageCount: 30, PackageKind: 'CS', GrossMassKg: '2250', NetMassKg: '2040' },
];

/** A number from 0 to `range` − 1 derived from a seed, so generated values repeat with the envelope. */
function seeded(seed: string, range: number): number {
  return parseInt(nameBasedUuid(seed).replace(/-/g, '').slice(0, 12), 16) % range;
}

/** xs:dateTime in Moscow time (UTC+03:00, no daylight saving), as FTS writes it. */
function moscowTime(at: Date): string {
  return `${new Date(at.getTime() + 3 * 3_600_000).toISOString().slice(0, 19)}+03:00`;
}

/** DDMMYY of a date in Moscow time: the date part of an EAEU declaration number. */
function registrationDate(at: Date): string {
  const iso = moscowTime(at);
  return `${iso.slice(8, 10)}${iso.slice(5, 7)}${iso.slice(2, 4)}`;
}

function actualOffice(event: NotificationEvent): string | undefined {
  if (event === 'border-exit') return OFFICES.exit;
  if (event === 'border-entry') return OFFICES.transit[0];
  return undefined;
}

function notification(o: Required<Omit<NotificationOptions, 'answers' | 'preparedAt'>> & { preparedAt: Date }): XmlContent {
  const tir = o.procedure === 'tir';
  const carnet = `XA${25_000_000 + seeded(`carnet:${o.envelopeId}`, 74_999_999)}`;
  const full = !o.minimal;
  return {
    '@xmlns': NOTIFICATION_NS,
    DocumentID: nameBasedUuid(`doc:${o.envelopeId}`),
    SourceRecord: { RecordID: `RU-TN-${o.transitDeclarationNumber.replace(/\//g, '-')}`, Version: 1 },
    Event: EVENT_CODES[o.event],
    EventDateTime: moscowTime(new Date(o.preparedAt.getTime() - 40 * 60_000)),
    TransitDeclarationNumber: o.transitDeclarationNumber,
    Procedure: PROCEDURE_CODES[o.procedure],
    TIRCarnetNumber: tir ? carnet : undefined,
    GuaranteeReference: full ? (tir ? carnet : `${REGISTERING_OFFICE}/GR/${String(seeded(`grn:${o.envelopeId}`, 9_999_999)).padStart(7, '0')}`) : undefined,
    Offices: {
      Departure: OFFICES.departure,
      Destination: OFFICES.destination,
      Transit: full ? OFFICES.transit.slice(0, o.transitOffices) : undefined,
      Exit: full ? OFFICES.exit : undefined,
      Actual: actualOffice(o.event),
    },
    Itinerary: full ? { CountryCode: ['RU', 'KZ'] } : undefined,
    DepartureCountry: 'RUS',
    DestinationCountry: 'KAZ',
    Vehicle: full ? { RegistrationNumber: 'A123BC77', Nationality: 'RU', TrailerNumber: ['AB123477'] } : undefined,
    Seals: full && tir ? { Number: 2, Identifier: ['RU102161-0451', 'RU102161-0452'] } : undefined,
    GoodsItem: full ? GOODS.slice(0, o.goodsItems).map((item, i) => ({ ItemNumber: i + 1, ...item })) : undefined,
    Holder: full ? { ID: 'RUS/041/987', Name: 'TransAvto-Sibir LLC', Country: 'RU' } : undefined,
  };
}

/**
 * Builds a notification as FTS would push it, unsigned, in canonical form ready for the XMLDSig signer:
 * `env:Envelope` with `roi:RoutingInf` (EnvelopeID, InitialEnvelopeID when answering, SenderInformation
 * RU:FCS, ReceiverInformation KZ:CAIS, PreparationDateTime), `aai:ApplicationInf`, `edh:EDHeader`, and the
 * bilateral TransitNotification in the Body.
 */
export function buildNotification(options: NotificationOptions = {}): Buffer {
  const envelopeId = options.envelopeId ?? randomUUID();
  const preparedAt = options.preparedAt ?? new Date();
  const o = {
    envelopeId,
    preparedAt,
    sender: options.sender ?? 'RU:FCS',
    transitDeclarationNumber: options.transitDeclarationNumber ?? `${REGISTERING_OFFICE}/${registrationDate(preparedAt)}/${String(seeded(`tdn:${envelopeId}`, 9_999_999)).padStart(7, '0')}`,
    event: options.event ?? 'border-exit',
    procedure: options.procedure ?? 'tir',
    goodsItems: Math.min(Math.max(options.goodsItems ?? 2, 1), GOODS.length),
    transitOffices: Math.min(Math.max(options.transitOffices ?? 1, 1), OFFICES.transit.length),
    minimal: options.minimal ?? false,
  };
  return renderXml({
    'env:Envelope': {
      '@xmlns:env': ENVELOPE_NS,
      'env:Header': {
        'roi:RoutingInf': {
          '@xmlns:roi': ROUTING_NS,
          'roi:EnvelopeID': envelopeId,
          'roi:InitialEnvelopeID': options.answers,
          'roi:SenderInformation': o.sender,
          'roi:ReceiverInformation': 'KZ:CAIS',
          'roi:PreparationDateTime': moscowTime(preparedAt),
        },
        'aai:ApplicationInf': { '@xmlns:aai': APPLICATION_NS, 'aai:SoftKind': 'EAIS-TO', 'aai:SoftVersion': '2.4', 'aai:MessageKind': 'TransitNotification' },
        'edh:EDHeader': {
          '@xmlns:edh': HEADER_NS,
          'edh:MessageType': 'RU.TRANSIT.NOTIFICATION',
          'edh:ProccessID': nameBasedUuid(`transit:${o.transitDeclarationNumber}`),
          'edh:SenderCustoms': actualOffice(o.event) ?? OFFICES.departure,
          'edh:ReceiverCustoms': OFFICES.destination,
        },
      },
      'env:Body': { TransitNotification: notification(o) },
    },
  });
}
