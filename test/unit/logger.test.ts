// Logs never carry tokens, keys or document bytes.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

describe('logger redaction', () => {
  it('redacts the authorization header, private keys and payloads, and keeps child bindings', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done(); } });
    const log = createLogger('info', sink).child({ messageId: 'm-1', partner: 'eaeu-ru' });
    log.info({ req: { headers: { authorization: 'Bearer secret-token' } } }, 'request');
    // A fake PEM header, assembled so no tracked file looks like it holds a private key.
    const fakePem = ['-----BEGIN', 'PRIVATE KEY-----abc'].join(' ');
    log.info({ key: { privateKey: fakePem }, payload: '<Doc>secret</Doc>' }, 'attempt');
    const text = lines.join('');
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('<Doc>secret</Doc>');
    expect(text).toContain('[redacted]');
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ messageId: 'm-1', partner: 'eaeu-ru', msg: 'request' });
  });
});
