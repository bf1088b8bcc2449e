// China's customs as the gateway meets it: verifies each batch's signature with our pinned certificate, checks it against its manifest, keeps it, answers a signed receipt; checks our period manifests against what it holds; pushes its own batches and period manifests.
import { buildCmsSignedData, createXmlSigner, createXmlVerifier, defineSimulator, GatewayError, parseCsv, parseXml, renderCsv, SDMX_CSV_COLUMNS, SDMX_DATAFLOW_ID, startSimulatorServer, verifyCmsSignedData, type HandledRequest, type InjectedFault, type SimulatorRequest } from '../../../src/partners/kit.js';
import { batchRoot, countBatch, manifestOf, partiality } from '../batch-manifest.js';
import { renderReceipt, type BatchReceipt } from '../batch-receipt.js';
import { judgePeriod, periodManifestRoot, readPeriodManifest, renderPeriodManifest, renderPeriodReceipt, type ListedBatch, type PeriodReceipt } from '../period-manifest.js';
import { statisticsProblem } from '../statistics-file.js';
import { chinaBatch, type ChinaBatchCommand } from './china-batch.js';

/** What the simulated receiver keeps: batch id → the digest of the batch it accepted. */
export interface CnSimState {
  batches: Map<string, string>;
  /** Statistics files taken: `<reporter>-<partner>-<flow>-<period>` → the SDMX-CSV text. */
  statistics: Map<string, string>;
  /** Answer the next batch with an unsigned receipt (a receiver that lost its key). */
  unsignedNext: number;
  /** Answer the next period manifest with the receipt of an earlier one (a receiver mixing up its answers). */
  staleNext: number;
  /** Our period manifests as China answered them: manifest id → its receipt. */
  periods: Map<string, PeriodReceipt>;
  /** China's own batches it counts as sent, by period: what its period manifests list. */
  sent: Map<string, ListedBatch[]>;
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
    const state: CnSimState = { batches: new Map(), statistics: new Map(), unsignedNext: 0, staleNext: 0, periods: new Map(), sent: new Map() };
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

    /** Our period manifest: verified, read, and answered with the listed batches China does not hold. */
    function handlePeriod(request: SimulatorRequest): HandledRequest {
      const receivedAt = new Date().toISOString();
      const messageId = String(request.headers['x-message-id'] ?? '');
      let receipt: PeriodReceipt;
      let document = '';
      try {
        const root = periodManifestRoot(parseXml(verifier.verify(request.body, context.partner).xml));
        document = request.body.toString('utf8');
        if (!root) throw new GatewayError('GW_ERR_XML_MALFORMED', 'not a PeriodManifest');
        const manifest = readPeriodManifest(root);
        const earlier = state.staleNext > 0 ? [...state.periods.values()].at(-1) : undefined;
        if (earlier) state.staleNext--;
        receipt = earlier ?? judgePeriod({ manifestId: manifest.manifestId, period: manifest.period, batchIds: manifest.batches.map((b) => b.batchId) }, new Set(state.batches.keys()), receivedAt);
        if (!earlier) state.periods.set(manifest.manifestId, receipt);
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        const code = err.code.startsWith('GW_ERR_SIGNATURE') ? 'CNB-SIGNATURE' : 'CNB-SCHEMA';
        receipt = { manifestId: 'unknown', receivedAt, status: 'REJECTED', held: 0, missing: [], errors: [{ code, text: err.message }] };
      }
      return {
        received: { messageId, valid: receipt.status !== 'REJECTED', problems: receipt.errors.map((e) => `${e.code}: ${e.text}`), document },
        response: { status: 200, headers: { 'content-type': 'application/xml; charset=utf-8' }, body: signer.sign(renderPeriodReceipt(receipt)) },
      };
    }

    function handle(request: SimulatorRequest, fault: InjectedFault | undefined): HandledRequest {
      if (request.path === '/periods') return handlePeriod(request);
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
          staleReceipt: () => void state.staleNext++,
          // China sends us one of its batches, signed with its key: the gateway's answer as it came.
          // China loses a batch it had accepted from us (a receiver's fault it does not tell): our next period manifest finds it.
          loseBatch: (command: unknown) => void state.batches.delete(String((command as { batchId?: unknown }).batchId)),
          pushBatch: async (command: unknown) => {
            const batch = chinaBatch(command as ChinaBatchCommand);
            const { batchId, period, items, digest } = manifestOf(batchRoot(parseXml(batch)));
            state.sent.set(period, [...(state.sent.get(period) ?? []).filter((b) => b.batchId !== batchId), { batchId, items, digest }]);
            if ((command as ChinaBatchCommand).lostInTransit) return { status: 0, body: '', receiptSigned: false, gatewayCertificate: '' };
            return answered(await context.pushToGateway({ contentType: 'application/xml', body: signer.sign(batch) }));
          },
          // China's statistics of a month and flow, SDMX-CSV of our dataflow (one object of components per row) in CMS signed with its key;
          // `tamper` changes a figure after signing; `cms` (base64) pushes a test's own CMS instead (another signer).
          pushStatistics: async (command: unknown) => {
            const { observations = [], tamper, cms } = command as { observations?: Array<Record<string, string>>; tamper?: boolean; cms?: string };
            const csv = renderCsv({ rows: observations.map((o) => ({ STRUCTURE: 'dataflow', STRUCTURE_ID: SDMX_DATAFLOW_ID, ACTION: 'I', ...o })) }, { columns: SDMX_CSV_COLUMNS });
            const signed = cms === undefined ? buildCmsSignedData(csv, context.identity, { detached: false }) : Buffer.from(cms, 'base64');
            const at = signed.indexOf(Buffer.from(',TOTAL,'));
            if (tamper && at >= 0) signed[at + 1] = 'X'.charCodeAt(0);
            return answered(await context.pushToGateway({ contentType: 'application/pkcs7-mime; smime-type=signed-data', body: signed }));
          },
          // China's manifest of a period: every batch it counts as sent for the period.
          pushPeriod: async (command: unknown) => {
            const { manifestId, period, statedBatches } = command as { manifestId: string; period: string; statedBatches?: number };
            const manifest = renderPeriodManifest({ manifestId, reporter: 'CN', partner: 'KZ', period, batches: state.sent.get(period) ?? [] });
            // A manifest whose count disagrees with its list, when asked (a sender's bug).
            const stated = statedBatches === undefined ? manifest : Buffer.from(manifest.toString('utf8').replace(/<BatchCount>[0-9]+<\/BatchCount>/, `<BatchCount>${statedBatches}</BatchCount>`));
            return answered(await context.pushToGateway({ contentType: 'application/xml', body: signer.sign(stated) }));
          },
        },
      },
      context.listen,
    );
    /** The gateway's answer as it came, whether it verifies with the key China pinned for us, and that certificate (for an independent check). */
    function answered(answer: { status: number; body: Buffer }): { status: number; body: string; receiptSigned: boolean; gatewayCertificate: string } {
      let receiptSigned = true;
      try {
        verifier.verify(answer.body, context.partner);
      } catch {
        receiptSigned = false;
      }
      return { status: answer.status, body: answer.body.toString('utf8'), receiptSigned, gatewayCertificate: context.gatewayCertificates[0]?.toString() ?? '' };
    }
    return server.then((sim) => Object.assign(sim, { state }));
  },
});
