// The FTS simulator's `POST /_sim/push`: builds, signs and pushes notifications to the gateway, and checks the signed receipts it answers.
import { randomUUID } from 'node:crypto';
import { createXmlSigner, type SimulatorContext } from '../../../src/partners/kit.js';
import { readReceipt } from '../receipt.js';
import { buildNotification, EVENT_CODES, type NotificationEvent, type NotificationOptions, type NotificationProcedure } from './notification-builder.js';

/** What a push command may say (JSON); every field is optional. */
export interface PushCommand {
  transitDeclarationNumber?: string;
  event?: NotificationEvent;
  procedure?: NotificationProcedure;
  /** An EnvelopeID of one of our notifications that this one answers (`roi:InitialEnvelopeID`). */
  answers?: string;
  /** The EnvelopeID to use (default a fresh one per push); with `count`, every push repeats it. */
  envelopeId?: string;
  /** `roi:SenderInformation` (default `RU:FCS`, the code the gateway expects). */
  sender?: string;
  /** `after-signing`: one byte of the signed content changes after signing, so the signature fails. */
  tamper?: 'after-signing';
  /** Pushes in a row, 1 to 100 (default 1); the answer is then a list. */
  count?: number;
}

/** What one push gave: FTS's view of the gateway's answer. */
export interface PushResult {
  envelopeId: string;
  /** HTTP status of the gateway's answer. */
  status: number;
  /** The receipt as received (text). */
  receipt: string;
  /** The receipt says ACCEPTED. */
  accepted: boolean;
  /** The receipt's signature verifies with the gateway certificate FTS pins. */
  receiptVerified: boolean;
}

const PROCEDURES: readonly NotificationProcedure[] = ['national-transit', 'tir', 'eaeu-transit'];
const TEXT_FIELDS = ['transitDeclarationNumber', 'answers', 'envelopeId', 'sender'] as const;
const MAX_COUNT = 100;

/**
 * Checks a push command.
 * @throws Error naming the field (the control answers 400 with it).
 */
function parsePushCommand(command: unknown): PushCommand {
  if (typeof command !== 'object' || command === null || Array.isArray(command)) throw new Error('a push command is a JSON object');
  const c = command as Record<string, unknown>;
  const known = new Set<string>([...TEXT_FIELDS, 'event', 'procedure', 'tamper', 'count']);
  const unknown = Object.keys(c).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new Error(`unknown field(s) ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  for (const field of TEXT_FIELDS) if (c[field] !== undefined && (typeof c[field] !== 'string' || c[field] === '')) throw new Error(`${field} must be non-empty text`);
  if (c.event !== undefined && !Object.hasOwn(EVENT_CODES, String(c.event))) throw new Error(`event must be one of ${Object.keys(EVENT_CODES).join(', ')}`);
  if (c.procedure !== undefined && !PROCEDURES.includes(c.procedure as NotificationProcedure)) throw new Error(`procedure must be one of ${PROCEDURES.join(', ')}`);
  if (c.tamper !== undefined && c.tamper !== 'after-signing') throw new Error('tamper must be "after-signing"');
  if (c.count !== undefined && !(Number.isInteger(c.count) && (c.count as number) >= 1 && (c.count as number) <= MAX_COUNT)) throw new Error(`count must be a whole number from 1 to ${MAX_COUNT}`);
  return c as PushCommand;
}

/** Changes the signed content by one character (a space before the end tag of the preparation time). */
function tamper(signed: Buffer): Buffer {
  return Buffer.from(signed.toString('utf8').replace('</roi:PreparationDateTime>', ' </roi:PreparationDateTime>'));
}

/**
 * The push control: each push builds a notification (see `buildNotification`), signs it with FTS's key,
 * sends it over mutual TLS to the gateway, and reads the answer as FTS would: receipt result, and its
 * signature checked by `verifiesAsGateway`.
 * @param verifiesAsGateway true when a receipt's signature verifies with the gateway certificate FTS pins
 */
export function pushControl(context: SimulatorContext, verifiesAsGateway: (receipt: Buffer) => boolean): (command: unknown) => Promise<PushResult | PushResult[]> {
  const signer = createXmlSigner(context.identity);
  async function pushOne(command: PushCommand): Promise<PushResult> {
    const { tamper: tampering, count: _count, ...fields } = command;
    const envelopeId = fields.envelopeId ?? randomUUID();
    const options: NotificationOptions = { ...fields, envelopeId, sender: fields.sender ?? context.participants.sender };
    const signed = signer.sign(buildNotification(options));
    const body = tampering === 'after-signing' ? tamper(signed) : signed;
    const answer = await context.pushToGateway({ contentType: 'application/xml', body });
    return {
      envelopeId,
      status: answer.status,
      receipt: answer.body.toString('utf8'),
      accepted: readReceipt(answer.body)?.result === 'ACCEPTED',
      receiptVerified: verifiesAsGateway(answer.body),
    };
  }
  return async (raw) => {
    const command = parsePushCommand(raw);
    if (command.count === undefined) return pushOne(command);
    const results: PushResult[] = [];
    for (let i = 0; i < command.count; i++) results.push(await pushOne(command));
    return results;
  };
}
