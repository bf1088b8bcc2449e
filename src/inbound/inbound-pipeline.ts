// One push from a partner, from its bytes to the signed answer: identity binding, reading (in a worker), durable accept, receipt.
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { errorSpec, GatewayError, type ErrorCode } from '../errors.js';
import type { InboundEnvelope, InboundOutcome, InboundReply, InboundRequest } from '../partners/partner-definition.js';
import type { InboundStore, StoredReceipt } from '../store/inbound-store.js';
import type { AcknowledgeResult, IncomingAcknowledgement } from '../store/message-store.js';
import type { InboundDirectory, InboundPartner } from './inbound-directory.js';
import { as2Answer, claimedAs2Facts, isAs2Push, type As2Facts } from './as2-push.js';
import { reasonOf, Refusal } from './refusal.js';
import { DEFAULT_MAX_PUSH_BYTES } from './inbound-limits.js';
import { mediaTypeOf, type PushReader, type PushReading } from './push-reader.js';

/** A push as the listener hands it over. */
export interface Push {
  /** Partner id from the path. */
  partner: string;
  request: InboundRequest;
  body: Buffer;
  /** SHA-256 fingerprint (hex) of the TLS client certificate, when one was presented. */
  clientCertificate: string | undefined;
}

/** What goes back to the pusher. */
export type PushAnswer = StoredReceipt;

/** How a push ended, for metrics. */
export type PushOutcome = 'accepted' | 'duplicate' | 'refused';

/** What the pipeline works with. */
export interface InboundPipelineParts {
  directory: InboundDirectory;
  /** Verifies, reads and maps pushes (on this thread, or in reader workers). */
  reader: PushReader;
  store: InboundStore;
  logger: Logger;
  /** Called for every push with how it ended (and the code of a refusal). */
  observe(partner: string, outcome: PushOutcome, code?: string): void;
  /** A record was accepted: the hand-over to CAIS has work. */
  accepted(): void;
  /** Records an acknowledgement a partner pushed for one of our messages (the message log's). */
  acknowledge(incoming: IncomingAcknowledgement, now: number): Promise<AcknowledgeResult>;
  /** Signs, logs and queues the adapter's replies to an accepted push, once per push (idempotent). */
  sendReplies(partner: string, inboundId: string, replies: InboundReply[], now: number): Promise<void>;
}

/** Handles pushes; never throws: every failure is an answer. */
export interface InboundPipeline {
  handle(push: Push): Promise<PushAnswer>;
}

/** Refusals of a push whose TLS certificate is not the addressed partner's: nothing signed answers them. */
const UNIDENTIFIED: ReadonlySet<string> = new Set(['GW_ERR_INBOUND_CLIENT_CERT', 'GW_ERR_INBOUND_TLS_MISMATCH']);

/** A GatewayError becomes a refusal with its own code; anything else is an internal error. */
function asRefusal(err: unknown, envelope?: Partial<InboundEnvelope>): Refusal {
  if (err instanceof Refusal) return err;
  if (err instanceof GatewayError) return new Refusal(err.code, reasonOf(err), envelope);
  return new Refusal('GW_ERR_INTERNAL', 'the push could not be processed', envelope);
}

function json(status: number, code: ErrorCode, reason: string): PushAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ error: { code, message: reason, retryable: errorSpec(code)?.retryable ?? false } })),
  };
}

/** Creates the pipeline. */
export function createInboundPipeline(parts: InboundPipelineParts): InboundPipeline {
  const { directory, reader, store, logger } = parts;

  function identify(partner: InboundPartner, push: Push): void {
    if (push.clientCertificate === undefined) throw new Refusal('GW_ERR_INBOUND_CLIENT_CERT', 'the push came without a TLS client certificate');
    const owner = directory.clientOwner(push.clientCertificate);
    if (owner === undefined) throw new Refusal('GW_ERR_INBOUND_CLIENT_CERT', 'the TLS client certificate is pinned for no partner');
    if (owner !== partner.id) throw new Refusal('GW_ERR_INBOUND_TLS_MISMATCH', `the TLS client certificate is pinned for partner ${owner}, not ${partner.id}`);
  }

  function checkMediaType(partner: InboundPartner, push: Push): void {
    // An AS2 message's media type is S/MIME's; opening it checks that.
    if (isAs2Push(partner.spec, push.request)) return;
    const contentType = mediaTypeOf(push.request);
    const accepted = [...(partner.spec.mediaTypes ?? ['application/xml', 'text/xml']), ...(partner.spec.cms?.mediaTypes ?? [])];
    if (!accepted.includes(contentType)) {
      throw new Refusal('GW_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type "${contentType}" is not one partner ${partner.id} pushes (${accepted.join(', ')})`);
    }
  }

  /**
   * The adapter's receipt or refusal, signed; an empty one (a protocol that answers some pushes with
   * nothing) is 202 without a body. An AS2 push is answered by our MDN instead.
   */
  async function answer(partner: InboundPartner, outcome: InboundOutcome, as2: As2Facts | undefined): Promise<PushAnswer> {
    if (as2) return as2Answer(partner.context, as2, outcome.accepted ? undefined : outcome);
    const written = partner.spec.receipt(outcome, partner.context);
    if (written.body.length === 0 && outcome.accepted) return { status: 202, headers: {}, body: written.body };
    const status = outcome.accepted ? 200 : outcome.status;
    return { status, headers: { 'content-type': written.contentType }, body: await partner.signReceipt(written.body) };
  }

  async function refuse(partner: InboundPartner | undefined, push: Push, refusal: Refusal, digest: Buffer, receivedAt: Date, as2?: As2Facts): Promise<PushAnswer> {
    const status = errorSpec(refusal.code)?.httpStatus ?? 500;
    parts.observe(partner?.id ?? '?', 'refused', refusal.code);
    logger.warn({ partner: push.partner, code: refusal.code, clientCertificate: push.clientCertificate, messageId: refusal.envelope?.messageId }, `inbound push refused: ${refusal.reason}`);
    await store
      .logRefusal({
        partner: partner?.id ?? '?',
        code: refusal.code,
        reason: refusal.reason,
        payloadSha256: digest.toString('hex'),
        size: push.body.length,
        clientCertificate: push.clientCertificate ?? null,
        receivedAt: receivedAt.getTime(),
        ...(partner?.spec.headerErrors?.includes(refusal.code) ? { headerError: true } : {}),
      })
      .catch((err: unknown) => logger.error({ err }, 'could not log an inbound refusal'));
    if (!partner) return json(status, refusal.code, refusal.reason);
    if (isAs2Push(partner.spec, push.request)) {
      // Nothing signed for a push whose TLS certificate is not the partner's, or that names no message to answer;
      // one the partner should repeat gets its HTTP status, so its AS2 system sends the message again.
      if (!as2 || UNIDENTIFIED.has(refusal.code) || errorSpec(refusal.code)?.retryable) return json(status, refusal.code, refusal.reason);
      // What identifies the push: its bytes, or an AS2 push's signed document.
      const reported = await refusalReplies(partner, refusal, as2.contentSha256 ? Buffer.from(as2.contentSha256, 'hex') : digest, receivedAt);
      return as2Answer(partner.context, as2, { code: refusal.code, reason: refusal.reason, reported });
    }
    await refusalReplies(partner, refusal, digest, receivedAt);
    try {
      return await answer(partner, { accepted: false, code: refusal.code, reason: refusal.reason, status, ...(refusal.envelope ? { envelope: refusal.envelope } : {}), receivedAt, payloadDigest: digest }, undefined);
    } catch (err) {
      logger.error({ err, partner: partner.id }, 'could not write a signed refusal');
      return json(status, refusal.code, refusal.reason);
    }
  }

  /**
   * The adapter's replies to a push refused after its envelope was read (so after its signature verified),
   * unless the partner is to repeat it: logged and queued once per refused push (by its identity); a
   * failure is logged. True when replies were logged.
   */
  async function refusalReplies(partner: InboundPartner, refusal: Refusal, identity: Buffer, receivedAt: Date): Promise<boolean> {
    if (!partner.spec.refusalReplies || !refusal.envelope || errorSpec(refusal.code)?.retryable) return false;
    try {
      const replies = partner.spec.refusalReplies({ code: refusal.code, reason: refusal.reason, envelope: refusal.envelope, receivedAt, identity }, partner.context);
      if (replies.length === 0) return false;
      await parts.sendReplies(partner.id, `refused:${identity.toString('hex')}`, replies, receivedAt.getTime());
      return true;
    } catch (err) {
      logger.error({ err, partner: partner.id }, 'could not write the replies to a refused push');
      return false;
    }
  }

  async function accept(partner: InboundPartner, push: Push, digest: Buffer, receivedAt: Date, as2: { facts?: As2Facts }): Promise<PushAnswer> {
    const limit = partner.spec.maxBytes ?? DEFAULT_MAX_PUSH_BYTES;
    if (push.body.length > limit) throw new Refusal('GW_ERR_REQUEST_TOO_LARGE', `the push has ${push.body.length} bytes; partner ${partner.id} may push ${limit} at most`);
    checkMediaType(partner, push);
    const reading = await reader.read({ partner: partner.id, body: push.body, request: push.request, receivedAt: receivedAt.getTime() });
    if (reading.as2) as2.facts = reading.as2;
    const payloadSha256 = digest.toString('hex');
    // A push is the same as an earlier one when its bytes are, or for AS2 its signed document (a resend is signed anew).
    const identitySha256 = reading.as2?.contentSha256;
    if (!reading.ok) return refusedReading(partner, reading, identitySha256 ?? payloadSha256);
    if (reading.kind === 'acknowledgement') return acknowledged(partner, push, reading, digest, receivedAt, identitySha256);
    const { envelope, signer, mapping, record, businessKeys } = reading;
    const answers = envelope.answers ? await store.findOutbound(partner.id, envelope.answers.key, envelope.answers.value) : undefined;
    const id = randomUUID();
    const held = envelope.inventory ? new Set(await store.heldInbound(partner.id, envelope.inventory.messageType, envelope.inventory.messageIds)) : undefined;
    const receipt = await answer(partner, { accepted: true, id, envelope, receivedAt, payloadDigest: digest, ...(held ? { held } : {}) }, reading.as2);
    const result = await store.acceptInbound(
      {
        id,
        partner: partner.id,
        partnerMessageId: envelope.messageId,
        messageType: envelope.messageType,
        payload: push.body,
        payloadSha256,
        ...(identitySha256 ? { identitySha256 } : {}),
        mapping,
        record,
        businessKeys,
        ...(answers ? { answers } : {}),
        clientCertificate: push.clientCertificate ?? '',
        signerCertificate: signer,
        receipt,
      },
      receivedAt.getTime(),
    );
    if (result.state === 'duplicate') {
      await replied(partner, result.id, envelope, receivedAt);
      return repeat(partner, result.receipt, reading.as2);
    }
    if (result.state === 'conflict') throw conflict(envelope, result.id);
    parts.observe(partner.id, 'accepted');
    parts.accepted();
    await replied(partner, id, envelope, receivedAt);
    return receipt;
  }

  /**
   * The adapter's replies to an accepted push, logged and queued. Writing them is idempotent, so a
   * repeated push makes up for replies a crash lost; a failure is logged and leaves the push accepted.
   */
  async function replied(partner: InboundPartner, inboundId: string, envelope: InboundEnvelope, receivedAt: Date): Promise<void> {
    if (!partner.spec.replies) return;
    try {
      const replies = partner.spec.replies({ id: inboundId, envelope, receivedAt }, partner.context);
      if (replies.length > 0) await parts.sendReplies(partner.id, inboundId, replies, receivedAt.getTime());
    } catch (err) {
      logger.error({ err, partner: partner.id, inboundId }, 'could not write the replies to an accepted push; the partner repeating it makes them again');
    }
  }

  /**
   * A signal or answer to one of our messages: recorded on that message (found by the business key the
   * envelope names), answered as the adapter says, never handed to CAIS.
   */
  async function acknowledged(partner: InboundPartner, push: Push, reading: Extract<PushReading, { kind: 'acknowledgement' }>, digest: Buffer, receivedAt: Date, identitySha256: string | undefined): Promise<PushAnswer> {
    const { envelope, signer } = reading;
    const acknowledgement = envelope.acknowledges;
    if (!acknowledgement || !envelope.answers) throw new Refusal('GW_ERR_INBOUND_UNREADABLE', 'an acknowledgement must name the message it answers', envelope);
    const messageId = await store.findOutbound(partner.id, envelope.answers.key, envelope.answers.value);
    if (!messageId) throw new Refusal('GW_ERR_INBOUND_ANSWERS_UNKNOWN', `the push acknowledges ${envelope.answers.key} ${envelope.answers.value}, which no message of ours to ${partner.id} carries`, envelope);
    const receipt = await answer(partner, { accepted: true, id: randomUUID(), envelope, receivedAt, payloadDigest: digest }, reading.as2);
    const result = await parts.acknowledge(
      {
        messageId,
        partner: partner.id,
        partnerMessageId: envelope.messageId,
        acknowledgement,
        payload: push.body,
        payloadSha256: digest.toString('hex'),
        ...(identitySha256 ? { identitySha256 } : {}),
        clientCertificate: push.clientCertificate ?? '',
        signerCertificate: signer,
        receipt,
      },
      receivedAt.getTime(),
    );
    if (result.state === 'duplicate') return repeat(partner, result.receipt, reading.as2);
    if (result.state === 'conflict') throw conflict(envelope, messageId);
    parts.observe(partner.id, 'accepted');
    return receipt;
  }

  /**
   * A push reading refused; when the envelope was read, the push may repeat an accepted one, which
   * gets its receipt even after the mapping changed (accepting checks repeats itself).
   */
  async function refusedReading(partner: InboundPartner, reading: Extract<PushReading, { ok: false }>, identitySha256: string): Promise<PushAnswer> {
    if (reading.internal) logger.error({ partner: partner.id, err: reading.internal }, 'inbound push could not be read');
    const envelope = reading.envelope;
    if (reading.stage === 'mapping' && envelope?.messageId) {
      const prior = await store.priorPush(partner.id, envelope.messageId, identitySha256);
      if (prior?.state === 'duplicate') return repeat(partner, prior.receipt, reading.as2);
      if (prior?.state === 'conflict') throw conflict(envelope, prior.id);
    }
    throw new Refusal(reading.code as ErrorCode, reading.reason, envelope);
  }

  function conflict(envelope: Partial<InboundEnvelope>, earlier: string): Refusal {
    return new Refusal('GW_ERR_INBOUND_CONFLICT', `message ${envelope.messageId ?? '?'} was accepted before with other content (our id ${earlier})`, envelope);
  }

  /** A repeat gets the first push's answer; an AS2 repeat its own MDN (its Message-ID and MIC), `processed` as the first was taken. */
  function repeat(partner: InboundPartner, receipt: StoredReceipt, as2: As2Facts | undefined): PushAnswer {
    parts.observe(partner.id, 'duplicate');
    return as2 ? as2Answer(partner.context, as2) : receipt;
  }

  return {
    async handle(push) {
      const receivedAt = new Date();
      const digest = createHash('sha256').update(push.body).digest();
      const partner = directory.get(push.partner);
      if (!partner) return refuse(undefined, push, new Refusal('GW_ERR_PARTNER_UNKNOWN', `no partner "${push.partner}" pushes to this gateway`), digest, receivedAt);
      // An AS2 push is answered by an MDN even when refused before it could be opened (what its headers claim, without a MIC).
      const claimed = isAs2Push(partner.spec, push.request) ? claimedAs2Facts(push.request) : undefined;
      const as2: { facts?: As2Facts } = claimed ? { facts: claimed } : {};
      try {
        identify(partner, push);
        return await accept(partner, push, digest, receivedAt, as2);
      } catch (err) {
        if (!(err instanceof Refusal) && !(err instanceof GatewayError)) logger.error({ err, partner: partner.id }, 'inbound push failed');
        return refuse(partner, push, asRefusal(err), digest, receivedAt, as2.facts);
      }
    },
  };
}
