// Partner instances from the partners file and GATEWAY_PARTNER_<ID>_<SETTING>: overrides applied, every mistake reported with its place.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PartnerDefinition } from '../../src/partners/partner-definition.js';
import { resolvePartnerSettings, type PartnerSettings } from '../../src/partners/partner-settings.js';
import { ProblemList, type Problem } from '../../src/setup/problem-list.js';
import { ROOT } from '../support/project.js';

/** An adapter as far as settings look at it. */
const adapter = {
  id: 'demo',
  transport: { kind: 'http' },
  profiles: { fast: { transport: { kind: 'as2' } } },
  participants: { sender: 'our code', recipient: 'its code' },
  options: { subscriberId: { description: 'who we are', required: true }, mode: { description: 'how', default: 'live', values: ['live', 'test'] }, password: { description: 'secret', secret: true } },
  services: { query: 'the look-up service' },
} as unknown as PartnerDefinition;

function resolve(yaml: string, env: Record<string, string> = {}): { settings: PartnerSettings[]; problems: readonly Problem[] } {
  const problems = new ProblemList();
  const settings = resolvePartnerSettings(
    {
      file: { path: '/etc/gateway/partners.yaml', text: yaml },
      env,
      cwd: '/srv',
      schemasDir: join(ROOT, 'schemas'),
      adapters: new Map([['demo', adapter]]),
      transportParticipants: (kind) => (kind === 'as2' ? ['as2From', 'as2To'] : []),
    },
    problems,
  );
  return { settings, problems: problems.list };
}

const ONE = `partners:
  - id: demo-kg
    adapter: demo
    participants: { sender: KZ, recipient: KG }
    options: { subscriberId: KZ-CUSTOMS }
    keys: { partnerCerts: [kg.pem], signingKey: /keys/kz-for-kg.key.pem, retiredKeys: [{ key: old/kz.key.pem, cert: old/kz.cert.pem }] }
`;

describe('partner settings', () => {
  it('reads an instance: paths against the file folder, option defaults, no problem', () => {
    const { settings, problems } = resolve(ONE);
    expect(problems).toEqual([]);
    expect(settings[0]).toMatchObject({
      id: 'demo-kg',
      participants: { sender: 'KZ', recipient: 'KG' },
      options: { subscriberId: 'KZ-CUSTOMS', mode: 'live' },
      keys: { partnerCerts: ['/etc/gateway/kg.pem'], signingKey: '/keys/kz-for-kg.key.pem', retiredKeys: [{ key: '/etc/gateway/old/kz.key.pem', cert: '/etc/gateway/old/kz.cert.pem' }] },
      source: { file: '/etc/gateway/partners.yaml', pointer: '/partners/0' },
    });
  });

  it('applies GATEWAY_PARTNER_<ID>_<SETTING>, paths against the working folder, options and participants by name without case', () => {
    const { settings, problems } = resolve(ONE, {
      GATEWAY_PARTNER_DEMO_KG_URL: 'https://kg.example/gw/',
      GATEWAY_PARTNER_DEMO_KG_URL_QUERY: 'https://kg.example/query',
      GATEWAY_PARTNER_DEMO_KG_PROFILE: 'fast',
      GATEWAY_PARTNER_DEMO_KG_SIGNING_CERTS: 'a.pem, b.pem',
      GATEWAY_PARTNER_DEMO_KG_TIMEOUT_MS: '2500',
      GATEWAY_PARTNER_DEMO_KG_MAX_ATTEMPTS: '3',
      GATEWAY_PARTNER_DEMO_KG_OPTION_PASSWORD: 's3cret',
      GATEWAY_PARTNER_DEMO_KG_OPTION_SUBSCRIBER_ID: 'KZ-2',
      GATEWAY_PARTNER_DEMO_KG_PARTICIPANT_RECIPIENT: 'KG-2',
      GATEWAY_PARTNER_DEMO_KG_SIMULATOR: 'off',
    });
    expect(problems).toEqual([]);
    expect(settings[0]).toMatchObject({
      endpoints: { default: 'https://kg.example/gw', query: 'https://kg.example/query' },
      profile: 'fast',
      simulator: false,
      keys: { partnerCerts: ['/srv/a.pem', '/srv/b.pem'] },
      policy: { timeoutMs: 2500, retry: { maxAttempts: 3 } },
      options: { password: 's3cret', subscriberId: 'KZ-2' },
      participants: { recipient: 'KG-2' },
    });
  });

  it('reports every mistake at once, each with its place: the file pointer, or the variable that set the value', () => {
    const yaml = `partners:
  - id: demo-kg
    adapter: demo
    participants: { sender: KZ, colour: red }
    options: { mode: maybe, colour: red, subscriberId: '', password: in-the-file }
    endpoints: { archive: https://kg.example/archive }
  - id: demo-kg
    adapter: ghost
`;
    const { problems } = resolve(yaml, {
      GATEWAY_PARTNER_DEMO_KZ_URL: 'https://x',
      GATEWAY_PARTNER_DEMO_KG_TIMEOUT_MS: 'soon',
      GATEWAY_PARTNER_DEMO_KG_COLOR: 'red',
      GATEWAY_PARTNER_DEMO_KG_PROFILE: 'slow',
      GATEWAY_PARTNER_DEMO_KG_URL_REPORTS: 'https://kg.example/reports',
    });
    const at = (pointer: string, message: RegExp): unknown => expect.objectContaining({ code: 'GW_ERR_CONFIG_INVALID', file: '/etc/gateway/partners.yaml', pointer, message: expect.stringMatching(message) });
    const named = (variable: string, message: RegExp): unknown => expect.objectContaining({ code: 'GW_ERR_CONFIG_INVALID', variable, message: expect.stringMatching(message) });
    expect(problems).toEqual(
      expect.arrayContaining([
        at('/partners/1/id', /partner id "demo-kg" appears twice/),
        { code: 'GW_ERR_ADAPTER_UNKNOWN', file: '/etc/gateway/partners.yaml', pointer: '/partners/1/adapter', message: expect.stringMatching(/partner demo-kg: no adapter "ghost"/) },
        at('/partners/0/participants', /needs participant code "recipient"/),
        at('/partners/0/participants/colour', /takes no participant code "colour" \(known: sender, recipient, as2From, as2To\)/),
        at('/partners/0/options', /needs option "subscriberId"/),
        at('/partners/0/options/mode', /must be one of live, test/),
        at('/partners/0/options/colour', /has no option "colour"/),
        at('/partners/0/options/password', /is a secret: give it by GATEWAY_PARTNER_<ID>_OPTION_<NAME>/),
        at('/partners/0/endpoints/archive', /has no service "archive" \(known: default, query\)/),
        named('GATEWAY_PARTNER_DEMO_KG_PROFILE', /no profile "slow" \(known: default, fast\)/),
        named('GATEWAY_PARTNER_DEMO_KG_URL_REPORTS', /no service "reports"/),
        named('GATEWAY_PARTNER_DEMO_KZ_URL', /names no partner/),
        named('GATEWAY_PARTNER_DEMO_KG_TIMEOUT_MS', /must be a whole number/),
        named('GATEWAY_PARTNER_DEMO_KG_COLOR', /unknown setting/),
      ]),
    );
  });

  it('holds environment values to the schema bounds, naming the variable', () => {
    const { problems } = resolve(ONE, { GATEWAY_PARTNER_DEMO_KG_TIMEOUT_MS: '3000000000', GATEWAY_PARTNER_DEMO_KG_SIGNING_CERTS: ' , ', GATEWAY_PARTNER_DEMO_KG_URL: 'ftp://kg.example' });
    expect(problems.map((p) => p.variable).sort()).toEqual(['GATEWAY_PARTNER_DEMO_KG_SIGNING_CERTS', 'GATEWAY_PARTNER_DEMO_KG_TIMEOUT_MS', 'GATEWAY_PARTNER_DEMO_KG_URL']);
  });

  it('takes the participant codes the transports of its profiles need by environment, keeps secrets out of the file, freezes what it resolved', () => {
    const { settings, problems } = resolve(ONE, { GATEWAY_PARTNER_DEMO_KG_PARTICIPANT_AS2_FROM: 'KZCUSTOMS', GATEWAY_PARTNER_DEMO_KG_SIGNING_KEY_PASSPHRASE: 'pass', GATEWAY_PARTNER_DEMO_KG_TLS_KEY_PASSPHRASE: 'tls-pass' });
    expect(problems).toEqual([]);
    expect(settings[0]?.participants).toMatchObject({ as2From: 'KZCUSTOMS' });
    expect(settings[0]?.keys).toMatchObject({ signingKeyPassphrase: 'pass', tlsKeyPassphrase: 'tls-pass' });
    expect(Object.isFrozen(settings[0]) && Object.isFrozen(settings[0]?.participants) && Object.isFrozen(settings[0]?.options)).toBe(true);
  });

  it('refuses partner ids whose variables could be mistaken for each other', () => {
    const { problems } = resolve(`partners:\n  - id: demo\n    adapter: demo\n    participants: { sender: KZ, recipient: KG }\n    options: { subscriberId: X }\n  - id: demo-url\n    adapter: demo\n    participants: { sender: KZ, recipient: KG }\n    options: { subscriberId: X }\n`);
    expect(problems).toEqual([expect.objectContaining({ pointer: '/partners/1/id', message: expect.stringMatching(/"demo" and "demo-url" make GATEWAY_PARTNER_ variables ambiguous/) })]);
  });

  it('refuses YAML that is not a partners file: duplicate keys, unknown fields, plain-http-less URLs', () => {
    expect(resolve('partners:\n  - id: a\n    id: b\n    adapter: demo\n').problems[0]?.message).toMatch(/not valid YAML/);
    expect(resolve('partners:\n  - id: demo-a\n    adapter: demo\n    colour: red\n').problems[0]).toMatchObject({ pointer: '/partners/0', message: expect.stringMatching(/colour/) });
    expect(resolve('partners:\n  - id: demo-a\n    adapter: demo\n    endpoints: { default: ftp://x }\n').problems[0]).toMatchObject({ pointer: '/partners/0/endpoints/default' });
  });
});
