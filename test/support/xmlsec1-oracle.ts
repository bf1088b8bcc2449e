// xmlsec1 (libxml2) as an independent signer and oracle over many documents: one workspace, batched verification with the PreDigest bytes.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { pool } from './task-pool.js';

/** What xmlsec1 said of one document: exit status (0 verified), the canonical bytes it digested, the first lines it printed. */
export interface Xmlsec1Outcome {
  status: number | null;
  preDigest: Buffer | undefined;
  output: string;
}

/** A document to verify with one pinned certificate; `likelyValid` documents are verified in batches. */
export interface Xmlsec1Item {
  xml: Buffer;
  certFile: string;
  likelyValid: boolean;
}

/** xmlsec1 runs whose files go in one folder. */
export interface Xmlsec1Workspace {
  /** Signs a template with the key in `keyFile`, as a partner running libxmlsec1 would; the output has no XML declaration. */
  sign(template: string, keyFile: string): Promise<string>;
  /** Signs templates in one process (no ids are declared), in order. */
  signAll(templates: readonly string[], keyFile: string): Promise<string[]>;
  /** Verifies each item as security.md §1.11 gives it: pinned certificate, embedded keys ignored, same-document references only. */
  verifyAll(items: readonly Xmlsec1Item[]): Promise<Xmlsec1Outcome[]>;
}

/**
 * xmlsec1 finds #id references only through --id-attr: every Id/ID/id attribute of every element is declared,
 * as the gateway counts them. Each entry is an option and its node name, joined by NUL.
 */
function idAttributes(xml: Buffer): Set<string> {
  const args = new Set<string>();
  try {
    const document = new DOMParser({ errorHandler: { warning: () => undefined, error: () => undefined, fatalError: () => undefined } }).parseFromString(xml.toString('utf8'), 'application/xml');
    const elements = document.getElementsByTagName('*');
    for (let k = 0; k < elements.length; k++) {
      const element = elements.item(k) as Element;
      for (let a = 0; a < element.attributes.length; a++) {
        const local = element.attributes.item(a)?.localName ?? '';
        if (['Id', 'ID', 'id'].includes(local)) args.add(`--id-attr:${local}\u0000${element.namespaceURI ? `${element.namespaceURI}:` : ''}${element.localName}`);
      }
    }
  } catch {
    // Not parseable: xmlsec1 refuses it anyway.
  }
  return args;
}

function idArgs(entries: Iterable<string>): string[] {
  return [...entries].flatMap((a) => a.split('\u0000'));
}

const PRE_DIGEST_START = Buffer.from('== PreDigest data - start buffer:\n');
const PRE_DIGEST_END = Buffer.from('\n== PreDigest data - end buffer');

/** Every PreDigest buffer xmlsec1 printed, in order. */
function preDigests(stdout: Buffer): Buffer[] {
  const found: Buffer[] = [];
  for (let start = stdout.indexOf(PRE_DIGEST_START); start >= 0; start = stdout.indexOf(PRE_DIGEST_START, start + 1)) {
    const end = stdout.indexOf(PRE_DIGEST_END, start);
    if (end < 0) break;
    found.push(stdout.subarray(start + PRE_DIGEST_START.length, end));
  }
  return found;
}

function verifyArgs(certFile: string, documents: readonly Buffer[]): string[] {
  const ids = idArgs(new Set(documents.flatMap((d) => [...idAttributes(d)])));
  return ['--verify', '--pubkey-cert-pem', certFile, '--enabled-key-data', 'key-name', '--enabled-reference-uris', 'empty,same-doc', ...ids, '--store-references'];
}

const BATCH = 25;
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** A workspace in the folder `work` (which must exist); each document is written to a file of its own there. */
export function xmlsec1Workspace(work: string): Xmlsec1Workspace {
  let fileCounter = 0;

  const run = (args: readonly string[], ...documents: Buffer[]): Promise<{ status: number | null; stdout: Buffer; stderr: string }> => {
    const files = documents.map((xml) => {
      const file = join(work, `case-${++fileCounter}.xml`);
      writeFileSync(file, xml);
      return file;
    });
    return new Promise((resolve, reject) => {
      const child = spawn('xmlsec1', [...args, ...files]);
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => stdout.push(d));
      child.stderr.on('data', (d: Buffer) => stderr.push(d));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') }));
    });
  };

  const verify = async (xml: Buffer, certFile: string): Promise<Xmlsec1Outcome> => {
    const done = await run(verifyArgs(certFile, [xml]), xml);
    return { status: done.status, preDigest: preDigests(done.stdout)[0], output: done.stderr.split('\n').filter((l) => l.trim()).slice(0, 4).join(' | ') };
  };

  return {
    async sign(tmpl, keyFile) {
      const input = Buffer.from(tmpl, 'utf8');
      const output = join(work, `signed-${++fileCounter}.xml`);
      const done = await run(['--sign', '--privkey-pem', keyFile, ...idArgs(idAttributes(input)), '--output', output], input);
      if (done.status !== 0) throw new Error(`xmlsec1 --sign failed: ${done.stderr}`);
      return readFileSync(output, 'utf8').replace(/^<\?xml[^>]*\?>\n/, '');
    },

    async signAll(templates, keyFile) {
      // The signed documents come one after the other on stdout, each with its XML declaration.
      const done = await run(['--sign', '--privkey-pem', keyFile], ...templates.map((t) => Buffer.from(`${XML_DECLARATION}${t}`, 'utf8')));
      if (done.status !== 0) throw new Error(`xmlsec1 --sign failed: ${done.stderr}`);
      const signed = done.stdout.toString('utf8').split(XML_DECLARATION).slice(1);
      if (signed.length !== templates.length) throw new Error(`xmlsec1 --sign wrote ${signed.length} documents for ${templates.length} templates`);
      return signed;
    },

    /**
     * xmlsec1 takes several files but stops at the first failure, so documents expected to verify go in
     * batches (one process each); a batch that does not come back whole, one PreDigest per document, is run
     * again one document at a time. A batch declares the ids of all its documents for each: harmless, as a
     * document our verifier accepts repeats no id value.
     */
    async verifyAll(items) {
      const results: Xmlsec1Outcome[] = new Array(items.length);
      const tasks: Array<() => Promise<void>> = [];
      const single = (k: number) => async (): Promise<void> => {
        const item = items[k] as Xmlsec1Item;
        results[k] = await verify(item.xml, item.certFile);
      };
      for (const certFile of new Set(items.map((item) => item.certFile))) {
        const batchable = items.flatMap((item, k) => (item.certFile === certFile && item.likelyValid ? [k] : []));
        for (let from = 0; from < batchable.length; from += BATCH) {
          const chunk = batchable.slice(from, from + BATCH);
          tasks.push(async () => {
            const documents = chunk.map((k) => (items[k] as Xmlsec1Item).xml);
            const done = await run(verifyArgs(certFile, documents), ...documents);
            const buffers = preDigests(done.stdout);
            if (done.status === 0 && buffers.length === chunk.length) chunk.forEach((k, n) => (results[k] = { status: 0, preDigest: buffers[n], output: 'OK (batch)' }));
            else for (const k of chunk) await single(k)();
          });
        }
      }
      items.forEach((item, k) => {
        if (!item.likelyValid) tasks.push(single(k));
      });
      await pool(tasks);
      return results;
    },
  };
}
