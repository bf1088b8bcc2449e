// Generated from schemas/cais by `npm run gen:types`; do not edit (a test fails when this file drifts from the schemas).

/**
 * A trader or person: identification number (BIN/IIN in Kazakhstan, TIN elsewhere), name and country.
 */
export interface Party {
  /**
   * Identification number: national business (BIN) or individual (IIN) number, or the foreign TIN/EORI.
   */
  id: string;
  /**
   * Legal name.
   */
  name: string;
  /**
   * ISO 3166-1 alpha-2 country code (KZ, RU, KG, UZ, CN …).
   */
  country: string;
  /**
   * Postal address in one line.
   */
  address?: string;
}

/**
 * Customs offices of a transit movement (NCTS CustomsOfficeOfDeparture, OfDestinationDeclared, OfTransitDeclared, OfExitForTransitDeclared, OfDestinationActual).
 */
export interface TransitOffices {
  /**
   * Office of departure, where the goods were released for transit.
   */
  departure: string;
  /**
   * Declared office of destination.
   */
  destination: string;
  /**
   * Declared offices of transit (border offices of entry en route), in route order; at most 9 as in NCTS. Omitted when there are none.
   *
   * @minItems 1
   * @maxItems 9
   *
   * Items: Office of transit.
   */
  transit?: string[];
  /**
   * Declared office of exit for transit, where the goods leave the customs territory.
   */
  exit?: string;
  /**
   * Office where this event actually happened. Required for border-entry and border-exit; when omitted on departure or arrival, the event happened at the declared office of departure or destination.
   */
  actual?: string;
}

/**
 * Means of transport crossing a border (NCTS DepartureTransportMeans / ActiveBorderTransportMeans).
 */
export interface TransportMeans {
  /**
   * Registration number of the road vehicle (tractor unit), or the wagon or vessel identifier for other modes, as written on the transit declaration (NCTS identificationNumber an..35).
   */
  registrationNumber: string;
  /**
   * Country of registration of the vehicle, ISO alpha-2.
   */
  nationality: string;
  /**
   * Registration numbers of trailers or semi-trailers, if any; omitted when there are none.
   *
   * @minItems 1
   * @maxItems 9
   *
   * Items: Trailer registration number.
   */
  trailerNumbers?: string[];
}

/**
 * Inbound only: advance cargo or transit information a partner administration sent us before the goods reach our border (a WCO Data Model DEC of Uzbekistan's customs), for risk analysis and the border office; made by an inbound mapping, it goes to CAIS through the sink, never to partners.
 */
export interface AdvanceDeclaration {
  /**
   * Record type discriminator.
   */
  type: 'advance.declaration';
  /**
   * Stable per partner declaration reference (a name-based UUID of it).
   */
  recordId: string;
  /**
   * 1 for the original, 2 for an amendment (every amendment: CAIS keeps the latest received).
   */
  version: number;
  /**
   * The administration that sent it.
   */
  reporter: string;
  /**
   * The declaration type as the partner coded it (WCO D013: EXD pre-lodged export, IMD pre-lodged import, TRD transit).
   */
  declarationType: string;
  /**
   * The partner's declaration or transit declaration number (FunctionalReferenceID).
   */
  reference: string;
  /**
   * original (WCO function 9) or amendment (13) of an earlier one with the same reference.
   */
  function: 'original' | 'amendment';
  /**
   * The partner's declaration office.
   */
  office?: string;
  /**
   * The border means of transport.
   */
  vehicle?: {
    /**
     * Free text, no control characters other than tab and newline.
     */
    registrationNumber: string;
    /**
     * ISO 3166-1 alpha-2 country code (KZ, RU, KG, UZ, CN …).
     */
    nationality?: string;
    /**
     * UNECE Recommendation 19 transport mode code.
     */
    mode?: string;
  };
  /**
   * ISO 3166-1 alpha-2 country code (KZ, RU, KG, UZ, CN …).
   */
  exportCountry?: string;
  /**
   * ISO 3166-1 alpha-2 country code (KZ, RU, KG, UZ, CN …).
   */
  destinationCountry?: string;
  /**
   * Countries of routing, in order.
   *
   * @maxItems 99
   *
   * Items: ISO 3166-1 alpha-2 country code (KZ, RU, KG, UZ, CN …).
   */
  itinerary?: string[];
  /**
   * Consignor's name.
   */
  consignor?: string;
  /**
   * Consignee's name.
   */
  consignee?: string;
  /**
   * Goods items.
   *
   * @minItems 1
   * @maxItems 999
   */
  items: {
    sequence: number;
    /**
     * Harmonized System / EAEU TN VED commodity code as digits only (leading zeros matter): 6 digits (HS subheading) up to 10 digits (national subheading).
     */
    commodityCode: string;
    /**
     * Free text, no control characters other than tab and newline.
     */
    description?: string;
    /**
     * Mass in kilograms as a decimal string with at most 6 fraction digits (NCTS n..16,6).
     */
    grossMassKg?: string;
    /**
     * Mass in kilograms as a decimal string with at most 6 fraction digits (NCTS n..16,6).
     */
    netMassKg?: string;
    /**
     * Monetary amount as a decimal string with at most 2 fraction digits, so no binary rounding ever touches it (e.g. "15400.00").
     */
    statisticalValue?: string;
    /**
     * ISO 4217 alphabetic currency code (KZT, RUB, KGS, UZS, CNY, USD, EUR …).
     */
    currency?: string;
    /**
     * ISO 3166-1 alpha-2 country code (KZ, RU, KG, UZ, CN …).
     */
    originCountry?: string;
  }[];
}

/**
 * A registered EAEU goods declaration (декларация на товары) for import, export or another customs procedure: the parties, the goods items with their TN VED codes, masses and values, and the statistical values that feed trade statistics (Comtrade-like HS4/HS6 records). Comparable to an EDIFACT CUSDEC or a WCO DM DEC. CAIS exports exactly these fields.
 */
export interface CargoDeclaration {
  /**
   * Record type discriminator.
   */
  type: 'declaration.cargo';
  /**
   * CAIS record identifier, unique per record type; stable across versions of the same record. Letters, digits, dot, underscore and hyphen only (it names files and log keys).
   */
  recordId: string;
  /**
   * Record version. A higher version of the same recordId corrects the earlier one.
   */
  version: number;
  /**
   * Registration number of the goods declaration (box A of the EAEU goods declaration).
   */
  declarationNumber: string;
  /**
   * Direction of the trade flow for statistics (Comtrade flowCode M, X, RX, RM; transit for goods declared in transit).
   */
  flow: 'import' | 'export' | 'transit' | 're-export' | 're-import';
  /**
   * Customs procedure, 2-digit code of the EAEU classifier of customs procedures (e.g. 10 export, 31 re-export, 40 release for domestic consumption, 53 temporary import, 60 re-import, 80 customs transit).
   */
  procedureCode: string;
  /**
   * When customs registered the declaration, with UTC offset.
   */
  declaredAt: string;
  /**
   * Customs office that registered the declaration.
   */
  customsOffice: string;
  /**
   * Declarant (box 14): the person who lodged the declaration, possibly through a customs representative.
   */
  declarant: Party;
  /**
   * Consignor or exporter (box 2).
   */
  consignor: Party;
  /**
   * Consignee or importer (box 8).
   */
  consignee: Party;
  /**
   * Country of dispatch (box 15), ISO alpha-2.
   */
  countryOfDispatch: string;
  /**
   * Country of destination (box 17), ISO alpha-2.
   */
  countryOfDestination: string;
  /**
   * Currency of the invoice (box 22).
   */
  currency: string;
  /**
   * Total invoiced amount of the declared goods, in the invoice currency (box 22).
   */
  invoiceAmount: string;
  /**
   * Mode of transport at the border (box 25): EAEU classifier codes 10 sea, 20 rail, 30 road, 40 air, 50 post, 71 pipeline, 80 inland waterway; Comtrade motCode 1 sea, 2 rail, 3 road, 4 air, 5 post, 7 fixed installation, 8 inland waterway.
   */
  transportMode: 'road' | 'rail' | 'sea' | 'air' | 'post' | 'pipeline' | 'inland-waterway';
  /**
   * Goods items of the declaration (box 32 numbering), at most 999.
   *
   * @minItems 1
   * @maxItems 999
   *
   * Items: One goods item.
   */
  items: {
    /**
     * Goods item number (box 32), unique within the declaration, numbered from 1.
     */
    itemNumber: number;
    /**
     * EAEU TN VED commodity code of the item (box 33); its first 4 and 6 digits give the HS4/HS6 aggregation.
     */
    commodityCode: string;
    /**
     * Description of the goods (box 31).
     */
    description: string;
    /**
     * Country of origin (box 34), ISO alpha-2.
     */
    originCountry: string;
    /**
     * Net mass in kilograms (box 38).
     */
    netMassKg: string;
    /**
     * Gross mass in kilograms (box 35).
     */
    grossMassKg: string;
    /**
     * Statistical value (box 46) in US dollars, as the EAEU customs statistics methodology requires: CIF-type value at the border for imports, FOB-type for exports, converted at the rate of the registration date.
     */
    statisticalValue: string;
    /**
     * Customs value (box 45) in tenge (KZT), the national currency. Required when flow is import; otherwise present only when customs determined a customs value.
     */
    customsValue?: string;
    /**
     * Quantity in the supplementary unit of the TN VED code (box 41), when the code has one.
     */
    supplementaryQuantity?: {
      /**
       * Quantity in the supplementary unit.
       */
      quantity: string;
      /**
       * Unit of measure, UN/ECE Recommendation 20 code (e.g. NAR number of articles, LTR litre, MTQ cubic metre, KWH kilowatt-hour).
       */
      unit: string;
    };
    /**
     * Tariff preference claimed for the import duty on this item (box 36); omitted when the standard rate of the Common Customs Tariff applies.
     */
    preference?: {
      /**
       * Basis of the preference: a free-trade agreement of the EAEU or the CIS, the EAEU system of tariff preferences for developing or least-developed countries, or another duty exemption (e.g. a tariff benefit granted by law).
       */
      kind: 'free-trade-agreement' | 'developing-country' | 'least-developed-country' | 'exemption';
      /**
       * Certificate of origin supporting the preference, when one was presented.
       */
      originCertificate?: {
        /**
         * Certificate number.
         */
        number: string;
        /**
         * Date of issue of the certificate.
         */
        date: string;
      };
    };
  }[];
  /**
   * Number of the transport document the goods cross the border under (CMR consignment note, rail waybill, bill of lading; box 44 document codes 02xx), as written on it.
   */
  transportDocument?: string;
  /**
   * The means of transport crossing the border (box 21): for road, the tractor unit's registration.
   */
  borderTransportMeans?: TransportMeans;
  /**
   * The declarant asked that its trade not be shown in statistics (passive confidentiality, IMTS 2010 para 10.3): every statistics cell this declaration contributes to is confidential.
   */
  confidentialStatistics?: boolean;
  /**
   * Sum of the items' statistical values, in US dollars.
   */
  totalStatisticalValueUsd: string;
}

/**
 * A change in the life of a customs guarantee (security for payment of customs duties and taxes): registered (accepted by customs), released, claimed against, or amended. Covers national guarantees and TIR carnets, whose guarantee is the international TIR guarantee chain. CAIS exports exactly these fields.
 */
export interface GuaranteeEvent {
  /**
   * Record type discriminator.
   */
  type: 'guarantee.event';
  /**
   * CAIS record identifier, unique per record type; stable across versions of the same record. Letters, digits, dot, underscore and hyphen only (it names files and log keys).
   */
  recordId: string;
  /**
   * Record version. A higher version of the same recordId corrects the earlier one.
   */
  version: number;
  /**
   * What happened: customs registered (accepted) the guarantee, released it after the secured obligation ended, claimed payment from it, or amended its terms (amount, validity, guarantor).
   */
  event: 'registered' | 'released' | 'claimed' | 'amended';
  /**
   * When customs recorded the event, with UTC offset.
   */
  eventAt: string;
  /**
   * Reference of the guarantee; for a TIR carnet it equals carnetNumber.
   */
  guaranteeReference: string;
  /**
   * Form of security: TIR carnet (TIR guarantee chain), cash deposit with customs, bank guarantee, surety (поручительство), or insurance contract.
   */
  guaranteeType: 'tir-carnet' | 'cash-deposit' | 'bank-guarantee' | 'surety' | 'insurance';
  /**
   * TIR carnet number. Present if and only if guaranteeType is tir-carnet.
   */
  carnetNumber?: string;
  /**
   * Amount secured by the guarantee, in currency. Required for every guarantee type except tir-carnet, whose maximum is set per carnet by the TIR guarantee chain rather than by customs; present for a TIR carnet only when customs recorded that maximum.
   */
  amount?: string;
  /**
   * Currency of amount; present exactly when amount is.
   */
  currency?: string;
  /**
   * Guarantor: the bank, surety or insurer, or for a TIR carnet the national guaranteeing association. Omitted for a cash deposit by the principal.
   */
  guarantor?: Party;
  /**
   * Principal whose obligation is secured (declarant, transit holder or carnet holder).
   */
  principal: Party;
  /**
   * Customs office that recorded the event (office of guarantee, or the office making the claim).
   */
  customsOffice: string;
  /**
   * Declaration the guarantee secures, when it is an individual guarantee for one declaration.
   */
  relatedDeclaration?: {
    /**
     * Kind of declaration: a transit declaration or a goods (cargo) declaration.
     */
    kind: 'transit' | 'cargo';
    /**
     * Registration number of that declaration: EAEU form or NCTS MRN for a transit declaration, EAEU form only for a goods declaration.
     */
    number: string;
  };
  /**
   * Claim made against the guarantee. Present if and only if event is claimed; a corrected claim is sent as a new version of the same record.
   */
  claim?: {
    /**
     * Amount claimed.
     */
    amount: string;
    /**
     * Currency of the claimed amount (the national currency of the claiming customs).
     */
    currency: string;
    /**
     * Why the claim was made (e.g. the transit was not terminated, goods missing at destination), at most 512 characters.
     */
    reason: string;
    /**
     * Date of the claim (notification of the claim to the guarantor).
     */
    claimedAt: string;
  };
}

/**
 * Inbound only: the cargo declarations a partner administration registered, received in one of its declaration batches for mirror comparison with ours (made by an inbound mapping from the partner's batch; it goes to CAIS through the sink, never to partners).
 */
export interface MirrorBatch {
  /**
   * Record type discriminator.
   */
  type: 'mirror.batch';
  /**
   * The partner's batch id.
   */
  recordId: string;
  /**
   * Record version. A higher version of the same recordId corrects the earlier one.
   */
  version: number;
  /**
   * The administration that registered the declarations.
   */
  reporter: string;
  /**
   * The other country of the exchange (KZ).
   */
  partner: string;
  /**
   * The registration date the batch covers.
   */
  period: string;
  /**
   * The declarations of the batch.
   *
   * @minItems 1
   * @maxItems 10000
   *
   * Items: One declaration as the partner registered it.
   */
  declarations: {
    /**
     * The partner's registration number of the declaration.
     */
    declarationId: string;
    /**
     * Flow from the reporter's side: M import, X export, RM re-import, RX re-export.
     */
    flow: 'M' | 'X' | 'RM' | 'RX';
    /**
     * When the partner registered it, with UTC offset.
     */
    registeredAt: string;
    /**
     * The partner's office code, as it writes it.
     */
    customsOffice: string;
    /**
     * ISO 3166-1 alpha-2 country code (KZ, RU, KG, UZ, CN …).
     */
    countryOfDispatch: string;
    /**
     * ISO 3166-1 alpha-2 country code (KZ, RU, KG, UZ, CN …).
     */
    countryOfDestination: string;
    /**
     * Mode of transport at the border.
     */
    transportMode: 'road' | 'rail' | 'sea' | 'air' | 'post' | 'pipeline' | 'inland-waterway';
    /**
     * Transport document number as written on it.
     */
    transportDocument?: string;
    /**
     * The vehicle that crossed the border.
     */
    vehicle?: {
      /**
       * Registration as the partner wrote it.
       */
      registrationNumber: string;
      /**
       * ISO 3166-1 alpha-2 country code (KZ, RU, KG, UZ, CN …).
       */
      nationality: string;
    };
    consignor: Party;
    consignee: Party;
    /**
     * Goods items.
     *
     * @minItems 1
     * @maxItems 999
     *
     * Items: One goods item.
     */
    items: {
      /**
       * Item number.
       */
      itemNumber: number;
      /**
       * The partner's commodity code (its national code; the first six digits are the HS subheading).
       */
      hsCode: string;
      /**
       * Description of the goods.
       */
      description: string;
      /**
       * ISO 3166-1 alpha-2 country code (KZ, RU, KG, UZ, CN …).
       */
      originCountry: string;
      /**
       * Mass in kilograms as a decimal string with at most 6 fraction digits (NCTS n..16,6).
       */
      netMassKg: string;
      /**
       * Mass in kilograms as a decimal string with at most 6 fraction digits (NCTS n..16,6).
       */
      grossMassKg: string;
      /**
       * Statistical value in US dollars (CIF for imports, FOB for exports).
       */
      statisticalValueUsd: string;
      /**
       * Quantity in a supplementary unit.
       */
      supplementaryQuantity?: {
        /**
         * Non-negative decimal number as a string with at most 6 fraction digits, for quantities and rates that are not money or mass (e.g. "40", "12.5").
         */
        quantity: string;
        /**
         * UN/ECE Recommendation 20 code.
         */
        unit: string;
      };
    }[];
  }[];
}

/**
 * Inbound only: a partner administration's period manifest, the declaration batches of one registration day it says it delivered to us (the gateway answered the partner which of them it did not hold; made by an inbound mapping from the partner's manifest; it goes to CAIS through the sink, never to partners).
 */
export interface MirrorPeriod {
  /**
   * Record type discriminator.
   */
  type: 'mirror.period';
  /**
   * The partner's manifest id.
   */
  recordId: string;
  /**
   * Record version. A higher version of the same recordId corrects the earlier one.
   */
  version: number;
  /**
   * The administration that sent the batches.
   */
  reporter: string;
  /**
   * The other country of the exchange (KZ).
   */
  partner: string;
  /**
   * The registration date the manifest covers.
   */
  period: string;
  /**
   * The batches the partner lists for the period, in its order (each arrives as a mirror.batch record with this recordId).
   *
   * @maxItems 100000
   *
   * Items: One listed batch.
   */
  batches: {
    /**
     * The partner's batch id.
     */
    batchId: string;
    /**
     * Goods items of the batch.
     */
    itemCount: number;
    /**
     * The batch's items digest, as its own manifest states it (base64 SHA-256).
     */
    itemsDigest: string;
  }[];
}

/**
 * Inbound only: a partner administration's trade statistics of one month and flow with us at HS4/HS6 level, received as SDMX-CSV of our dataflow KZ_CUSTOMS:DF_IMTS_HS(1.0.0), for mirror comparison with ours (made by an inbound mapping; it goes to CAIS through the sink, never to partners).
 */
export interface MirrorStatistics {
  /**
   * Record type discriminator.
   */
  type: 'mirror.statistics';
  /**
   * The partner's file, as the gateway names it: reporter, partner, flow, period and a digest of the file.
   */
  recordId: string;
  /**
   * Record version. A higher version of the same recordId corrects the earlier one.
   */
  version: number;
  /**
   * The reporting administration (REF_AREA).
   */
  reporter: string;
  /**
   * Its partner country (COUNTERPART_AREA): us.
   */
  partner: string;
  /**
   * Flow from the reporter's side: X export, M import, RX re-export, RM re-import.
   */
  flow: 'X' | 'M' | 'RX' | 'RM';
  /**
   * The month, YYYY-MM.
   */
  period: string;
  /**
   * The file's observations in its order: the flow's TOTAL and one per commodity code.
   *
   * @minItems 1
   * @maxItems 20000
   *
   * Items: One observation.
   */
  observations: {
    /**
     * TOTAL, or an HS chapter, heading or subheading.
     */
    commodityCode: string;
    /**
     * Commodity level (CMD_LEVEL).
     */
    level: 'TOTAL' | 'HS2' | 'HS4' | 'HS6';
    /**
     * SDMX confidentiality status (CONF_STATUS): F free; C primary, D secondary confidential (no figures).
     */
    confidentiality: string;
    /**
     * Statistical value (TRADE_VALUE), absent when confidential.
     */
    value?: string;
    /**
     * ISO 4217 alphabetic currency code (KZT, RUB, KGS, UZS, CNY, USD, EUR …).
     */
    currency: string;
    /**
     * FOB or CIF.
     */
    valuation: 'FOB' | 'CIF';
    /**
     * Net mass (NET_MASS), absent when confidential.
     */
    netMassKg?: string;
    /**
     * Quantity in the supplementary unit (SUPP_QTY).
     */
    supplementaryQuantity?: string;
    /**
     * Supplementary unit code (SUPP_UNIT).
     */
    supplementaryUnit?: string;
  }[];
}

/**
 * An official document between a customs body and another state agency through the unified document system (ЕСЭДО): a letter, notification, request or answer customs registered in CAIS and sends, or one an agency sends customs (handed to CAIS). The document itself and its attachments travel as files; the file marked main (or the first file) is the document that is signed.
 */
export interface OfficialLetter {
  /**
   * Record type discriminator.
   */
  type: 'official.letter';
  /**
   * CAIS record identifier, unique per record type; stable across versions of the same record. Letters, digits, dot, underscore and hyphen only (it names files and log keys).
   */
  recordId: string;
  /**
   * Record version. A higher version of the same recordId corrects the earlier one.
   */
  version: number;
  /**
   * Outgoing registration number as CAIS registered it (e.g. 18-04/1234).
   */
  documentNumber: string;
  /**
   * Registration date of the document.
   */
  documentDate: string;
  /**
   * Kind of document: a letter, a notification, a request for information, or an answer to an agency's request.
   */
  documentKind: 'letter' | 'notification' | 'request' | 'answer';
  /**
   * Language of the document: Russian or Kazakh.
   */
  language: 'ru' | 'kk';
  /**
   * Short content of the document (its subject line).
   */
  subject: string;
  /**
   * The organisation that sends it: customs (with its office) or, for a document customs receives, the agency.
   */
  sender: {
    /**
     * The sending organisation's code in the unified document system.
     */
    organisationCode: string;
    /**
     * The customs office of the sender, when customs sends it.
     */
    customsOffice?: string;
  };
  /**
   * The receiving agency.
   */
  recipient: {
    /**
     * The receiving organisation's code in the unified document system.
     */
    agencyCode: string;
    /**
     * Its name in Russian.
     */
    nameRu: string;
    /**
     * Its name in Kazakh.
     */
    nameKk?: string;
  };
  /**
   * The official who signed the document.
   */
  signer: {
    /**
     * Name in Russian.
     */
    nameRu: string;
    /**
     * Name in Kazakh.
     */
    nameKk?: string;
  };
  /**
   * The officer who prepared it, to be contacted about it.
   */
  executor: {
    /**
     * Name.
     */
    name: string;
    /**
     * Telephone number.
     */
    phone: string;
  };
  /**
   * Sheets of the document on paper, if it has a paper original.
   */
  sheetCount?: number;
  /**
   * The e-government gateway's correlation id of the agency request this document answers (an answer continues that chain).
   */
  answersCorrelationId?: string;
  /**
   * The document and its attachments, at most 20 files.
   *
   * @minItems 1
   * @maxItems 20
   *
   * Items: One file.
   */
  files: {
    /**
     * File name.
     */
    name: string;
    /**
     * Media type, e.g. application/pdf.
     */
    mediaType: string;
    /**
     * True for the document itself (it is signed); at most one file.
     */
    main?: boolean;
    /**
     * The file's bytes, base64 (at most about 5 MB).
     */
    content: string;
  }[];
}

/**
 * A customs receipt (таможенный приходный ордер): customs duties, taxes, fees and other payments collected by a customs office from one payer, exchanged as an inter-agency document. CAIS exports exactly these fields.
 */
export interface PaymentReceipt {
  /**
   * Record type discriminator.
   */
  type: 'payment.receipt';
  /**
   * CAIS record identifier, unique per record type; stable across versions of the same record. Letters, digits, dot, underscore and hyphen only (it names files and log keys).
   */
  recordId: string;
  /**
   * Record version. A higher version of the same recordId corrects the earlier one.
   */
  version: number;
  /**
   * Number of the receipt as issued by the customs office: Latin capital letters, digits, slash and hyphen, at most 50 characters.
   */
  receiptNumber: string;
  /**
   * When the receipt was issued, with UTC offset.
   */
  issuedAt: string;
  /**
   * Customs office that issued the receipt.
   */
  customsOffice: string;
  /**
   * Person who paid (declarant, carrier, or the individual moving goods for personal use).
   */
  payer: Party;
  /**
   * Registration number of the goods declaration the payments relate to, when there is one.
   */
  declarationNumber?: string;
  /**
   * The individual payments on the receipt, one per payment type, at most 99.
   *
   * @minItems 1
   * @maxItems 99
   *
   * Items: One payment.
   */
  payments: {
    /**
     * Kind of payment: customs duty (import, export, special, anti-dumping or countervailing), VAT on import, excise, customs fee (for customs operations, escort, storage), penalty (late-payment interest), or another payment collected by customs.
     */
    kind: 'customs-duty' | 'vat' | 'excise' | 'customs-fee' | 'penalty' | 'other';
    /**
     * Payment type, 4-digit code of the EAEU classifier of types of taxes, fees and other payments collected by customs (CCU Decision No. 378 of 20.09.2010, Appendix 9), e.g. 1010 customs fees for customs operations, 1020 customs escort fees, 2010 import customs duty, 5010 VAT.
     */
    code: string;
    /**
     * Tax base in the payment currency (e.g. customs value for duty; customs value plus duty and excise for VAT); omitted for fixed fees and specific rates.
     */
    base?: string;
    /**
     * Rate applied: a percentage for ad valorem rates (e.g. "16" for VAT 16%), otherwise the amount per unit of the specific base; omitted for fixed amounts.
     */
    rate?: string;
    /**
     * Amount paid.
     */
    amount: string;
    /**
     * Currency of the payment; normally the receipt currency.
     */
    currency: string;
  }[];
  /**
   * Total paid on the receipt, the sum of the payments, in the receipt currency.
   */
  total: string;
  /**
   * Currency of the receipt total (KZT for payments to Kazakhstan's budget).
   */
  currency: string;
  /**
   * How the payment was made: cash at the office, bank transfer by payment order, payment card, or offset against advance payments held on the payer's customs account.
   */
  paymentMethod: 'cash' | 'bank-transfer' | 'card' | 'advance-offset';
  /**
   * Document proving the payment (payment order, card slip). Required when paymentMethod is bank-transfer.
   */
  paymentDocument?: {
    /**
     * Payment document number.
     */
    number: string;
    /**
     * Payment document date.
     */
    date: string;
  };
}

/**
 * A customs officer's question to the agency that issued a permit, certificate or licence: is this document valid for these goods. Asked at once (a look-up, not a delivery) through an agency partner's permit-check route; CAIS sends exactly these fields.
 */
export interface PermitQuery {
  /**
   * Record type discriminator.
   */
  type: 'permit.query';
  /**
   * CAIS record identifier, unique per record type; stable across versions of the same record. Letters, digits, dot, underscore and hyphen only (it names files and log keys).
   */
  recordId: string;
  /**
   * Record version. A higher version of the same recordId corrects the earlier one.
   */
  version: number;
  /**
   * What the document is: a permit (e.g. for goods under import or export restrictions), a certificate (conformity, origin, phytosanitary, veterinary) or a licence.
   */
  documentKind: 'permit' | 'certificate' | 'licence';
  /**
   * The document's number as the agency issued it: printable ASCII, single spaces between parts, at most 64 characters.
   */
  documentNumber: string;
  /**
   * The goods the document must cover, as declared; an empty list asks only whether the document is valid.
   *
   * @maxItems 99
   *
   * Items: One declared goods item.
   */
  goods: {
    /**
     * Item number on the declaration.
     */
    itemNumber?: number;
    /**
     * Commodity code of the item.
     */
    hsCode: string;
  }[];
  /**
   * The declarant, when the document is personal to a holder (its identification number is compared with the holder's).
   */
  declarant?: Party;
  /**
   * The declaration the goods are on, when there is one (kept in the look-up log).
   */
  declarationNumber?: string;
  /**
   * The customs office asking.
   */
  customsOffice?: string;
}

/**
 * A TIR operation ended (terminated) at a customs office of this country: the data a TIR termination is reported with (TIR Convention, Annex 10). CAIS exports exactly these fields.
 */
export interface TirTermination {
  /**
   * Record type discriminator.
   */
  type: 'tir.termination';
  /**
   * CAIS record identifier, unique per record type; stable across versions of the same record. Letters, digits, dot, underscore and hyphen only (it names files and log keys).
   */
  recordId: string;
  /**
   * Record version. A higher version of the same recordId corrects the earlier one.
   */
  version: number;
  /**
   * TIR carnet number as the TIR guarantee chain numbers carnets and EU NCTS rule R0990 enforces: two check letters, one of them X, then 8 digits of at least 25000000 or 9 digits; the check letters must be the pair the numbering rule computes from the number modulo 23 (e.g. DX25123456, AX66950772).
   */
  carnetNumber: string;
  /**
   * Page number of the volet used for the termination: an even number from 2 to 20.
   */
  voletPage: number;
  /**
   * Country of termination, ISO alpha-3.
   */
  country: string;
  /**
   * Customs office that terminated the TIR operation.
   */
  customsOffice: string;
  /**
   * What kind of termination: final or partial discharge at destination, exit en route, or a before-load message.
   */
  operation: 'final' | 'partial' | 'exit' | 'before-load';
  /**
   * When the termination was certified, with UTC offset.
   */
  terminatedAt: string;
  /**
   * Entry in the customs ledger of terminations.
   */
  ledger?: {
    /**
     * Ledger record number.
     */
    reference: string;
    /**
     * Calendar date, ISO 8601 (YYYY-MM-DD).
     */
    date: string;
  };
  /**
   * Certificate of termination (reference and date of discharge).
   */
  certificate?: {
    /**
     * Certificate reference number.
     */
    reference: string;
    /**
     * Calendar date, ISO 8601 (YYYY-MM-DD).
     */
    date: string;
  };
  /**
   * True when the termination was certified with a reservation, false without.
   */
  withReservation: boolean;
  /**
   * Officer's remarks, at most 126 characters.
   */
  remarks?: string;
  /**
   * Whether customs retained the carnet or the volet.
   */
  retention?: 'carnet-retained' | 'carnet-not-retained' | 'volet-retained' | 'volet-not-retained';
  /**
   * Number of packages terminated.
   */
  packages?: number;
  /**
   * Country where the TIR transport started, ISO alpha-3; routes a notification to that country's customs.
   */
  departureCountry?: string;
}

/**
 * Foreign trade statistics of one month, one partner country and one flow at HS 4- or 6-digit level, as CAIS compiles them from goods declarations for another state agency (the statistics bureau). Cells with too few declarations, or flagged, are confidential: the agency receives them suppressed.
 */
export interface TradeStatistics {
  /**
   * Record type discriminator.
   */
  type: 'trade.statistics';
  /**
   * CAIS record identifier, unique per record type; stable across versions of the same record. Letters, digits, dot, underscore and hyphen only (it names files and log keys).
   */
  recordId: string;
  /**
   * Record version. A higher version of the same recordId corrects the earlier one.
   */
  version: number;
  /**
   * The month the statistics cover, YYYY-MM.
   */
  period: string;
  /**
   * Commodity level of the rows: HS 4 digits (heading) or 6 digits (subheading).
   */
  level: 'hs4' | 'hs6';
  /**
   * The reporting country (KZ).
   */
  reporter: string;
  /**
   * The partner country (country of origin for imports, of destination for exports).
   */
  partner: string;
  /**
   * X export, M import.
   */
  flow: 'X' | 'M';
  /**
   * Currency of the statistical values (USD).
   */
  currency: string;
  /**
   * One row per commodity code, at most 6000.
   *
   * @minItems 1
   * @maxItems 6000
   *
   * Items: One commodity code of the period.
   */
  rows: {
    /**
     * HS heading (4 digits) or subheading (6 digits), as the level says.
     */
    commodityCode: string;
    /**
     * Statistical value (FOB for exports, CIF for imports).
     */
    statisticalValue: string;
    /**
     * Net mass.
     */
    netMassKg: string;
    /**
     * Quantity in the supplementary unit, when the code has one.
     */
    supplementaryQuantity?: string;
    /**
     * Supplementary unit code (EAEU classifier of units, e.g. 796 pieces).
     */
    supplementaryUnit?: string;
    /**
     * Goods declarations the row sums.
     */
    declarations: number;
    /**
     * True when the cell is confidential (too few declarations, or flagged): sent suppressed.
     */
    confidential: boolean;
  }[];
  /**
   * Totals of every row, confidential ones included, so the agency's sums add up.
   */
  totals: {
    /**
     * Total statistical value.
     */
    statisticalValue: string;
    /**
     * Total net mass.
     */
    netMassKg: string;
  };
}

/**
 * One event in a movement of goods under customs transit (national transit, TIR or EAEU customs transit): departure, crossing a border into or out of this country, or arrival at destination. Modelled on the NCTS transit data (IE015/IE029 declaration and release, IE118 crossing frontier, IE007 arrival) and the EAEU transit common process. CAIS exports exactly these fields.
 */
export interface TransitMovement {
  /**
   * Record type discriminator.
   */
  type: 'transit.movement';
  /**
   * CAIS record identifier, unique per record type; stable across versions of the same record. Letters, digits, dot, underscore and hyphen only (it names files and log keys).
   */
  recordId: string;
  /**
   * Record version. A higher version of the same recordId corrects the earlier one.
   */
  version: number;
  /**
   * What happened: release for transit at the office of departure (NCTS IE029), entry into or exit from this country's territory at a border office (NCTS IE118 notification crossing frontier), or arrival at the office of destination (NCTS IE007).
   */
  event: 'departure' | 'border-entry' | 'border-exit' | 'arrival';
  /**
   * When the event was recorded by customs, with UTC offset.
   */
  eventAt: string;
  /**
   * Registration number of the transit declaration (for TIR, of the electronic copy of the transit declaration created from the carnet): EAEU form or NCTS MRN.
   */
  transitDeclarationNumber: string;
  /**
   * Transit regime: national customs transit, TIR under a TIR carnet (NCTS declarationType TIR), or EAEU customs transit across the Union's customs territory.
   */
  procedure: 'national-transit' | 'tir' | 'eaeu-transit';
  /**
   * TIR carnet number. Present if and only if procedure is tir (as NCTS rule C0411 for TIRCarnetNumber).
   */
  carnetNumber?: string;
  /**
   * Customs offices of the movement (NCTS CustomsOfficeOfDeparture, OfDestinationDeclared, OfTransitDeclared, OfExitForTransitDeclared, OfDestinationActual).
   */
  offices: TransitOffices;
  /**
   * Countries of routing in travel order, from the country of departure to the country of destination (NCTS CountryOfRoutingOfConsignment, at most 99).
   *
   * @minItems 1
   * @maxItems 99
   *
   * Items: Country of routing.
   */
  itinerary: string[];
  /**
   * Country where the transit (or the TIR transport) started, ISO alpha-3, as on the carnet cover and voucher boxes.
   */
  departureCountry: string;
  /**
   * Country where the transit (or the TIR transport) ends, ISO alpha-3.
   */
  destinationCountry: string;
  /**
   * Means of transport crossing the border (NCTS DepartureTransportMeans / ActiveBorderTransportMeans).
   */
  vehicle: TransportMeans;
  /**
   * Customs seals affixed to the load compartment (NCTS TransportEquipment numberOfSeals and Seal). Omitted when the goods travel unsealed.
   */
  seals?: {
    /**
     * Number of seals affixed (NCTS numberOfSeals n..4).
     */
    number: number;
    /**
     * Seal identifiers as marked on the seals (at most 99, as NCTS Seal).
     *
     * @minItems 1
     * @maxItems 99
     *
     * Items: Seal identifier (NCTS Seal identifier an..20).
     */
    identifiers: string[];
  };
  /**
   * Goods items carried under the transit declaration (NCTS ConsignmentItem), at most 999.
   *
   * @minItems 1
   * @maxItems 999
   *
   * Items: One goods item.
   */
  goods: {
    /**
     * Goods item number, unique within the record, numbered from 1 (NCTS declarationGoodsItemNumber).
     */
    itemNumber: number;
    /**
     * Commodity code: HS subheading (6 digits, NCTS harmonizedSystemSubHeadingCode) or the longer national TN VED code when known.
     */
    hsCode: string;
    /**
     * Description of the goods in plain language (NCTS descriptionOfGoods an..512).
     */
    description: string;
    /**
     * Packaging of the item (NCTS Packaging).
     */
    packages: {
      /**
       * Number of packages (NCTS numberOfPackages n..8); 0 for bulk or unpacked goods.
       */
      count: number;
      /**
       * Kind of packages, UN/ECE Recommendation 21 two-character code (e.g. PX pallet, CT carton, CS case, VR bulk solid, NE unpacked).
       */
      kind: string;
    };
    /**
     * Gross mass of the item in kilograms, packaging included (NCTS grossMass).
     */
    grossMassKg: string;
    /**
     * Net mass of the item in kilograms, without packaging (NCTS netMass), when declared.
     */
    netMassKg?: string;
  }[];
  /**
   * Reference of the guarantee securing the transit; for a TIR transport, the carnet number.
   */
  guaranteeReference: string;
  /**
   * Holder of the transit procedure (NCTS HolderOfTheTransitProcedure); for TIR the carnet holder, whose id is the TIR holder identification number (e.g. KAZ/015/123).
   */
  holder: Party;
  /**
   * Carrier operating the vehicle, when different from the holder or declared separately.
   */
  carrier?: Party;
}

/**
 * A transit event notified to this country by a partner customs administration: departure, border entry or exit, or arrival of goods under a transit procedure that the partner controls, typically advance information about goods on their way towards or through this country. The gateway builds it from the partner's signed document; the fields that mean the same as in transit.movement have its names and shapes, and the partner's own identifiers are kept so the notice can be traced to the exact document received.
 */
export interface TransitNotice {
  /**
   * Record type discriminator.
   */
  type: 'transit.notice';
  /**
   * Identifier of the notice, derived from the partner's document id so that the same document always gives the same record (e.g. RU-<DocumentID>).
   */
  recordId: string;
  /**
   * Always 1: a partner corrects a notice by sending a new document, which becomes a notice of its own (partnerDocument.sourceRecordVersion tells which is later).
   */
  version: 1;
  /**
   * The customs administration that notified the event.
   */
  notifiedBy: {
    /**
     * Country of the notifying administration, ISO alpha-3.
     */
    country: string;
    /**
     * The sender code the administration declared in its routing envelope: the participant code `sender` of its instance in the partners file.
     */
    sender: string;
  };
  /**
   * The partner's identifiers of the document this notice was read from.
   */
  partnerDocument: {
    /**
     * The partner's id of the notification document (stable per version of the partner's record).
     */
    documentId: string;
    /**
     * The partner's id of the routing envelope that carried it: the key the gateway deduplicates pushes by.
     */
    envelopeId: string;
    /**
     * When the partner prepared the envelope, as it declares.
     */
    preparedAt?: string;
    /**
     * Envelope id of one of our own messages that this document answers (EAEU InitialEnvelopeID), when the partner gives one.
     */
    answersEnvelopeId?: string;
    /**
     * The partner's own record identifier behind the document, when given.
     */
    sourceRecordId?: string;
    /**
     * Version of the partner's own record; a higher one corrects an earlier notice about the same record.
     */
    sourceRecordVersion?: number;
  };
  /**
   * What happened, as in transit.movement: release for transit at the office of departure, entry into or exit from a customs territory at a border office, or arrival at the office of destination.
   */
  event: 'departure' | 'border-entry' | 'border-exit' | 'arrival';
  /**
   * When the partner's customs recorded the event, with UTC offset.
   */
  eventAt: string;
  /**
   * Registration number of the transit declaration in the partner's system (for TIR, of the electronic copy of the transit declaration created from the carnet): EAEU form or NCTS MRN.
   */
  transitDeclarationNumber: string;
  /**
   * Transit regime: national customs transit, TIR under a TIR carnet, or EAEU customs transit across the Union's customs territory.
   */
  procedure: 'national-transit' | 'tir' | 'eaeu-transit';
  /**
   * TIR carnet number. Present if and only if procedure is tir (as NCTS rule C0411 for TIRCarnetNumber).
   */
  carnetNumber?: string;
  /**
   * Customs offices of the movement as the partner declares them (NCTS CustomsOfficeOfDeparture, OfDestinationDeclared, OfTransitDeclared, OfExitForTransitDeclared, OfDestinationActual).
   */
  offices: TransitOffices;
  /**
   * Countries of routing in travel order, from the country of departure to the country of destination (NCTS CountryOfRoutingOfConsignment, at most 99), when the partner gives them.
   *
   * @minItems 1
   * @maxItems 99
   *
   * Items: Country of routing.
   */
  itinerary?: string[];
  /**
   * Country where the transit (or the TIR transport) started, ISO alpha-3.
   */
  departureCountry: string;
  /**
   * Country where the transit (or the TIR transport) ends, ISO alpha-3.
   */
  destinationCountry: string;
  /**
   * Means of transport, when the partner gives it (NCTS DepartureTransportMeans / ActiveBorderTransportMeans).
   */
  vehicle?: TransportMeans;
  /**
   * Customs seals affixed by the partner's customs to the load compartment (NCTS TransportEquipment numberOfSeals and Seal). Omitted when the goods travel unsealed or the partner does not say.
   */
  seals?: {
    /**
     * Number of seals affixed (NCTS numberOfSeals n..4).
     */
    number: number;
    /**
     * Seal identifiers as marked on the seals (at most 99, as NCTS Seal), when the partner lists them.
     *
     * @minItems 1
     * @maxItems 99
     *
     * Items: Seal identifier (NCTS Seal identifier an..20).
     */
    identifiers?: string[];
  };
  /**
   * Goods items carried under the transit declaration (NCTS ConsignmentItem), at most 999, when the partner lists them.
   *
   * @minItems 1
   * @maxItems 999
   *
   * Items: One goods item.
   */
  goods?: {
    /**
     * Goods item number, unique within the notice, numbered from 1 (NCTS declarationGoodsItemNumber).
     */
    itemNumber: number;
    /**
     * Commodity code: at least the HS subheading (6 digits), the level administrations exchange; longer when the partner gives its national code.
     */
    hsCode: string;
    /**
     * Description of the goods in plain language (NCTS descriptionOfGoods an..512).
     */
    description: string;
    /**
     * Packaging of the item (NCTS Packaging), when declared.
     */
    packages?: {
      /**
       * Number of packages (NCTS numberOfPackages n..8); 0 for bulk or unpacked goods.
       */
      count: number;
      /**
       * Kind of packages, UN/ECE Recommendation 21 two-character code (e.g. PX pallet, CT carton, CS case, VR bulk solid, NE unpacked), when declared.
       */
      kind?: string;
    };
    /**
     * Gross mass of the item in kilograms, packaging included (NCTS grossMass).
     */
    grossMassKg: string;
    /**
     * Net mass of the item in kilograms, without packaging (NCTS netMass), when declared.
     */
    netMassKg?: string;
  }[];
  /**
   * Reference of the guarantee securing the transit, when the partner gives it; for a TIR transport, the carnet number.
   */
  guaranteeReference?: string;
  /**
   * Holder of the transit procedure (NCTS HolderOfTheTransitProcedure), when the partner gives it; for TIR the carnet holder, whose id is the TIR holder identification number (e.g. RUS/041/987).
   */
  holder?: Party;
}

/** Any canonical CAIS record, discriminated by `type`. */
export type CaisRecord = AdvanceDeclaration | CargoDeclaration | GuaranteeEvent | MirrorBatch | MirrorPeriod | MirrorStatistics | OfficialLetter | PaymentReceipt | PermitQuery | TirTermination | TradeStatistics | TransitMovement | TransitNotice;
