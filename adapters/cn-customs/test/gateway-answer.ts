// What China's simulator reports of the gateway's answer to one of its pushes, and the independent check that our key signed it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { xmlsec1Verify } from '../../../test/support/xmlsec1.js';

/** The gateway's answer as China's simulator got it (its pushBatch and pushPeriod controls). */
export interface GatewayAnswer {
  status: number;
  body: string;
  /** Whether it verified with the certificate China pinned for us. */
  receiptSigned: boolean;
  /** That certificate, PEM. */
  gatewayCertificate: string;
}

/** Asserts that the answer is signed by our key: China's verifier said so, and xmlsec1 agrees with the certificate China pinned for us. */
export function expectSignedByGateway({ body, receiptSigned, gatewayCertificate }: GatewayAnswer): void {
  expect(receiptSigned).toBe(true);
  const dir = mkdtempSync(join(tmpdir(), 'gw-cn-answer-'));
  try {
    const cert = join(dir, 'gateway.pem');
    writeFileSync(cert, gatewayCertificate);
    const verified = xmlsec1Verify(Buffer.from(body), cert);
    expect(verified.status, verified.output).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
