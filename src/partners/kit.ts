// The partner kit: the one module adapters (their definitions, simulators and crypto) may import from src/; a lint rule enforces it.

// The adapter contract.
export { definePartner } from './partner-definition.js';
export { ACKNOWLEDGEMENT_STAGES } from './partner-definition.js';
export type {
  Acknowledgement,
  AcknowledgementCode,
  AcknowledgementPlan,
  AcknowledgementStage,
  As2Request,
  AttemptResult,
  BatchSpec,
  CircuitBreakerPolicy,
  CustomTransportRequest,
  DocumentToWrap,
  HttpRequest,
  InboundAnswer,
  InboundAs2Document,
  InboundEnvelope,
  InboundMessageSpec,
  InboundOutcome,
  InboundRefused,
  InboundReply,
  InboundRequest,
  InboundSpec,
  LookupTranslation,
  MessageSpec,
  OptionSpec,
  OutboundMessage,
  Outcome,
  PartnerContext,
  PartnerInstance,
  PartnerDefinition,
  PartnerProfile,
  PartnerRecords,
  PartnerRoute,
  PartnerRouteDeps,
  RetryPolicy,
  SoapRequest,
  TransportRequest,
  TransportSpec,
  Verdict,
} from './partner-definition.js';
export type { InboundSummary, MessageStatus, MessageStore, MessageSummary, OutboundSummary } from '../store/message-store.js';

// Errors: the catalogue's GatewayError, and an adapter's own codes.
export { GatewayError, type ErrorCode, type ErrorDetail, type ErrorSpec } from '../errors.js';
export { defineErrors, type ErrorSet } from './error-set.js';

// Canonical record rules partners' stand-ins apply too.
export { carnetCheckLettersFit } from '../records/tir-carnet-number.js';

// Codecs and documents.
export { defineCodec, type Codec, type CodecOptions } from '../codec/codec.js';
export type { CsvTable, DocumentTree, EdifactInterchange, EdifactMessage, EdifactSegment, XmlContent, XmlScalar, XmlValue } from '../codec/document-tree.js';
export { renderXml, renderXmlString } from '../codec/xml-render.js';
export { checkWellFormed, parseXml, type XmlParseOptions } from '../codec/xml-parse.js';
export { childElement, childElements, childText, qnameValue } from '../codec/xml-navigate.js';
export { prettyXml } from '../codec/xml-pretty.js';
export {
  buildSoapEnvelope,
  buildSoapFault,
  contextDeclarations,
  ownSoapEnvelopeHead,
  parseSoapEnvelope,
  soapCallOf,
  soapHeaders,
  SOAP11_NS,
  SOAP12_NS,
  type SoapEnvelopeParts,
  type SoapFault,
  type SoapMessage,
  type SoapVersion,
} from '../codec/soap-envelope.js';
export { parseEdifact, renderEdifact } from '../codec/edifact-codec.js';
export { checkGrammar, grammarProblems, readEdifactGrammar, shippedEdifactGrammar, type EdifactGrammar, type GrammarProblem } from '../codec/edifact-grammar.js';
export { parseJson, renderJson } from '../codec/json-codec.js';
export { parseCsv, renderCsv, type CsvOptions } from '../codec/csv-codec.js';
export { nameBasedUuid } from '../codec/name-based-uuid.js';

// Trade statistics: our SDMX dataflow (schemas/sdmx/), for adapters that exchange statistics.
export { DATAFLOW_ID as SDMX_DATAFLOW_ID, SDMX_CSV_COLUMNS } from '../stats/sdmx-structure.js';

// Signing, verification and key capabilities (keys themselves are never handed out).
export { defineSigningProfile, type SigningProfile } from '../security/signing-profile.js';
export { envelopedXmlSigning } from '../security/builtin-signing-profiles.js';
export type { DecryptCapability, KeyCapabilities, KeyTransportPadding, SignatureHash, SigningCapability } from '../security/key-capabilities.js';
export { buildWsSecurityEnvelope, WSA_NS, WSSE_NS, WSU_NS, type WsAddressing, type WsSecurityMessage } from '../security/ws-security.js';
export type { WsSecurityHash } from '../security/xmldsig-algorithms.js';
export { verifyWsSecurity, wsseFaultOf, type WsSecurityPolicy, type WsSecurityVerification, type WsseFault } from '../security/ws-security-verify.js';
export { createXmlVerifier, type PinnedKeys, type PlacementOf, type SignedContent, type Verifier } from '../security/xml-verifier.js';
export type { SignaturePlacement } from '../security/signed-document-reader.js';
export type { SignatureLocation } from '../security/xml-verifier.js';
export { createXmlSigner, type Signer } from '../security/xml-signer.js';
export { buildCmsSignedData, verifyCmsSignedData } from '../security/cms-signed-data.js';

// Transports.
export { defineTransport, type PartnerHttpClient, type Transport, type TransportChannel } from '../transport/transport.js';
export type { As2Receipt } from '../transport/as2-receipt.js';
export { buildAs2Mdn, openAs2Message, readAs2Mdn, type As2Disposition, type As2Message } from '../transport/as2-mdn.js';
export { buildAs2Message, type As2Outgoing } from '../transport/as2-transport.js';

// Simulators: the partner's stand-in each adapter brings in its sim/ folder.
export { defineSimulator, type GatewayAnswer, type GatewayPush, type SimulatorContext, type SimulatorDefinition } from '../sim/simulator-definition.js';
export {
  compileDocumentSchema,
  startSimulatorServer,
  type FaultController,
  type HandledRequest,
  type InjectedFault,
  type ListenOptions,
  type PartnerProtocol,
  type PartnerSimulator,
  type ReceivedMessage,
  type SchemaViolation,
  type SimulatorRequest,
  type SimulatorResponse,
} from '../sim/partner-simulator.js';
