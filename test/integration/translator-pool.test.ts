// Records translated in worker threads: the same documents, problems and supersede look-ups as on the server's thread; threads compile the mapping texts they are given.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMappingFiles } from '../../src/mapping/mapping-set.js';
import { translatorOf } from '../../src/pipeline/build-translator.js';
import { createTranslatorPool, type PooledTranslator, type PreviousPayloadQuestion } from '../../src/pipeline/translator-pool.js';
import type { Translation } from '../../src/pipeline/translator.js';
import { createXmlVerifier } from '../../src/security/xml-verifier.js';
import { loadSoundSetup, type Setup } from '../../src/setup/load-setup.js';
import { configWithTempKeys, RECORD_FIXTURES } from '../support/project.js';

const config = configWithTempKeys();
const fixture = (name: string) => JSON.parse(readFileSync(join(RECORD_FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;
/** What a test compares: everything of each document but its bytes, which carry the time of translation (and so their digest). */
const comparable = (t: Translation) => (t.ok ? t.documents.map(({ bytes: _bytes, sha256: _sha256, ...d }) => d) : t.problems);

/** Each document's bytes are a Buffer, match their digest, and carry our signature for its partner. */
function expectSigned(t: Translation): void {
  if (!t.ok) throw new Error(JSON.stringify(t.problems));
  for (const d of t.documents) {
    expect(Buffer.isBuffer(d.bytes)).toBe(true);
    expect(createHash('sha256').update(d.bytes).digest('hex')).toBe(d.sha256);
    if (!d.signed) continue;
    const profile = setup.partners.signingProfiles.get(setup.partners.get(d.partner).messages[d.message]!.signing);
    const verifier = createXmlVerifier(() => [setup.identities.get(d.partner)!.identity.certificate.publicKey], undefined, () => profile.placement ?? 'root');
    expect(() => verifier.verify(d.bytes, d.partner)).not.toThrow();
  }
}

let setup!: Setup;
let pool!: PooledTranslator;
const asked: PreviousPayloadQuestion[] = [];
/** The document logged for version 1 of the corrected termination (set before the tests). */
let PREVIOUS!: Buffer;

beforeAll(async () => {
  setup = await loadSoundSetup(config, { keys: true, urls: false });
  const first = await translatorOf(setup).translate(fixture('tir.termination'));
  if (!first.ok) throw new Error(JSON.stringify(first.problems));
  PREVIOUS = first.documents.find((d) => d.partner === 'iru-safetir')!.bytes;
  pool = createTranslatorPool(config, readMappingFiles(config.mappingsDir), 2, async (question) => {
    asked.push(question);
    return question.partner === 'iru-safetir' ? PREVIOUS : undefined;
  });
});
afterAll(async () => {
  await pool.close();
  rmSync(config.certsDir, { recursive: true, force: true });
});

describe('translation threads', () => {
  it("produce the server's thread's documents, as signed Buffers", async () => {
    const here = translatorOf(setup);
    for (const name of ['transit.movement', 'tir.termination']) {
      const [inThread, onThread] = await Promise.all([pool.translate(fixture(name)), here.translate(fixture(name))]);
      expect(inThread.ok, JSON.stringify(comparable(inThread))).toBe(true);
      expect(comparable(inThread)).toEqual(comparable(onThread));
      expectSigned(inThread);
    }
  });

  it("report a bad record's problems as the server's thread does", async () => {
    const bad = { ...fixture('transit.movement'), recordId: 7 };
    const [inThread, onThread] = await Promise.all([pool.translate(bad), translatorOf(setup).translate(bad)]);
    expect(inThread.ok).toBe(false);
    expect(inThread).toEqual(onThread);
  });

  it("ask the server's thread for a superseding partner's previous document", async () => {
    const corrected: Record<string, unknown> = { ...fixture('tir.termination'), version: 2 };
    asked.length = 0;
    const inThread = await pool.translate(corrected);
    const onThread = await translatorOf(setup, async (_record, partner) => (partner === 'iru-safetir' ? PREVIOUS : undefined)).translate(corrected);
    expect(asked).toContainEqual(expect.objectContaining({ type: 'tir.termination', recordId: corrected.recordId, version: 2, partner: 'iru-safetir' }));
    expect(comparable(inThread)).toEqual(comparable(onThread));
    expectSigned(inThread);
  });

  it('compile the mapping texts they are given, never the folder as it is when they start', async () => {
    const files = readMappingFiles(config.mappingsDir);
    const [file, text] = [...files].find(([path]) => path.endsWith('iru-safetir/safetir-upload.yaml'))!;
    const given = new Map(files).set(file, text.replace('"@RND": certificate.reference', `"@RND": "'GIVEN-' & certificate.reference"`));
    const threads = createTranslatorPool(config, given, 1, async () => undefined);
    try {
      await threads.warm();
      const translated = await threads.translate(fixture('tir.termination'));
      expect(translated.ok, JSON.stringify(comparable(translated))).toBe(true);
      const upload = translated.ok ? translated.documents.find((d) => d.partner === 'iru-safetir')! : undefined;
      expect(upload?.bytes.toString('utf8')).toContain('RND="GIVEN-');
      expect(upload?.mapping.sha256).toBe(createHash('sha256').update(given.get(file)!, 'utf8').digest('hex'));
    } finally {
      await threads.close();
    }
  });
});
