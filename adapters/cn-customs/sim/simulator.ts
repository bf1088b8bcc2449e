// China's customs as the gateway meets it: verifies each batch's signature with our pinned certificate, checks it against its manifest, keeps it, answers a signed receipt.
import { createXmlSigner, createXmlVerifier, defineSimulator, GatewayError, parseCsv, parseXml, startSimulatorServer, verifyCmsSignedData, type HandledRequest, type InjectedFault, type SimulatorRequest } from '../../../src/partners/kit.js';
import { batchRoot, countBatch, manifestOf, partiality } from '../batch-manifest.js';
import { renderReceipt, type BatchReceipt } from '../batch-receipt.js';
import { statisticsProblem } from './statistics-check.js';
import { chinaBatch, type ChinaBatchCommand } from './china-batch.js';

/** What the simulated receiver keeps: batch id → the digest of the batch it accepted. */
export interface CnSimState {
  batches: Map<string, string>;
  /** Statistics files taken: `<reporter>-<partner>-<flow>-<period>` → the SDMX-CSV text. */
  statistics: Map<string, string>;
  /** Answer the next batch with an unsigned receipt (a receiver that lost its key). */
  unsignedNext: number;
}

/** How the simulated receiver judged a request: its receipt, what it found wrong, what it read. */
interface Judged {
  receipt: BatchReceipt;
  problems: string[];
  document: string;
  messageId: string;
}

/** A REJECTED receipt with one error. */
function rejected(code: string, text: string, at: { now: string; messageId: string; batchId?: string }): Judged {
  return { receipt: { batchId: at.batchId ?? 'unknown', receivedAt: at.now, status: 'REJECTED', itemCount: 0, errors: [{ code, text }] }, problems: [`${code}: ${text}`], document: '', messageId: at.messageId };
}

export default defineSimulator({
  start(context) {
    const state: CnSimState = { batches: new Map(), statistics: new Map(), unsignedNext: 0 };
    const keys = context.gatewayCertificates.map((c) => c.publicKey);
    const verifier = createXmlVerifier(() => keys);
    const signer = createXmlSigner(context.identity);

    /** A statistics file: CMS verified with our pinned certificate, checked, kept by its key. */
    function judgeStatistics(request: SimulatorRequest): Judged {
      const now = new Date().toISOString();
      const messageId = String(request.headers['x-message-id'] ?? '');
      let csv: Buffer;
      try {
        csv = verifyCmsSignedData(request.body, context.gatewayCertificates).content;
      } catch (err) {
        if (err instanceof GatewayError) return rejected('CNB-SIGNATURE', err.message, { now, messageId });
        throw err;
      }
      const problem = statisticsProblem(csv);
      if (problem) return { ...rejected('CNB-SCHEMA', problem, { now, messageId }), document: csv.toString('utf8') };
      const rows = parseCsv(csv).rows as Array<Record<string, string>>;
      const first = rows[0]!;
      const key = `${first.REF_AREA}-${first.COUNTERPART_AREA}-${first.TRADE_FLOW}-${first.TIME_PERIOD}`;
      state.statistics.set(key, csv.toString('utf8'));
      return { receipt: { batchId: key, receivedAt: now, status: 'ACCEPTED', itemCount: rows.length, errors: [] }, problems: [], document: csv.toString('utf8'), messageId };
    }

    function judge(request: SimulatorRequest): Judged {
      if (request.path === '/statistics') return judgeStatistics(request);
      const at = { now: new Date().toISOString(), messageId: String(request.headers['x-message-id'] ?? '') };
      const refuse = (code: string, text: string, batchId?: string): Judged => rejected(code, text, { ...at, ...(batchId ? { batchId } : {}) });
      let xml: string;
      try {
        xml = verifier.verify(request.body, context.partner).xml;
      } catch (err) {
        if (err instanceof GatewayError) return refuse('CNB-SIGNATURE', err.message);
        throw err;
      }
      let root;
      try {
        root = batchRoot(parseXml(xml));
      } catch (err) {
        if (err instanceof GatewayError) return refuse('CNB-SCHEMA', err.message);
        throw err;
      }
      const manifest = manifestOf(root);
      const cut = partiality(root);
      if (cut) return { ...refuse('CNB-PARTIAL', cut, manifest.batchId), document: xml };
      const held = countBatch(root);
      const known = state.batches.get(manifest.batchId);
      if (known === held.digest) return { ...refuse('CNB-DUPLICATE', `batch ${manifest.batchId} is already held`, manifest.batchId), document: xml };
      state.batches.set(manifest.batchId, held.digest);
      return {
        receipt: { batchId: manifest.batchId, receivedAt: at.now, status: 'ACCEPTED', itemCount: held.items, itemsDigest: held.digest, errors: [] },
        problems: [],
        document: xml,
        messageId: at.messageId,
      };
    }

    function handle(request: SimulatorRequest, fault: InjectedFault | undefined): HandledRequest {
      const judged = judge(request);
      const receipt: BatchReceipt =
        fault?.kind === 'partner-error' ? { ...judged.receipt, status: 'REJECTED', errors: [{ code: fault.code, text: `simulated ${fault.code}` }] } : judged.receipt;
      const unsigned = state.unsignedNext > 0;
      if (unsigned) state.unsignedNext--;
      const body = unsigned ? renderReceipt(receipt) : signer.sign(renderReceipt(receipt));
      return {
        received: { messageId: judged.messageId, valid: judged.problems.length === 0, problems: judged.problems, document: judged.document },
        response: { status: 200, headers: { 'content-type': 'application/xml; charset=utf-8' }, body },
      };
    }

    const server = startSimulatorServer(
      {
        partner: context.partner,
        // Batches to /batches, statistics to /statistics.
        path: '/',
        subpaths: true,
        handle,
        controls: {
          unsignedReceipt: () => void state.unsignedNext++,
          // China sends us one of its batches, signed with its key: the gateway's answer as it came.
          pushBatch: async (command: unknown) => {
            const answer = await context.pushToGateway({ contentType: 'application/xml', body: signer.sign(chinaBatch(command as ChinaBatchCommand)) });
            let receiptSigned = true;
            try {
              verifier.verify(answer.body, context.partner);
            } catch {
              receiptSigned = false;
            }
            // The certificate China pinned for us goes back too, for an independent check of the receipt.
            return { status: answer.status, body: answer.body.toString('utf8'), receiptSigned, gatewayCertificate: context.gatewayCertificates[0]?.toString() ?? '' };
          },
        },
      },
      context.listen,
    );
    return server.then((sim) => Object.assign(sim, { state }));
  },
});
