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
  profiles: { fast: {} },
  participants: { sender: 'our code', recipient: 'its code' },
  options: { subscriberId: { description: 'who we are', required: true }, mode: { description: 'how', default: 'live', values: ['live', 'test'] }, password: { description: 'secret', secret: true } },
  services: { query: 'the look-up service' },
} as unknown as PartnerDefinition;

function resolve(yaml: string, env: Record<string, string> = {}): { settings: PartnerSettings[]; problems: readonly Problem[] } {
  const problems = new ProblemList();
  const settings = resolvePartnerSettings(
    { file: { path: '/etc/gateway/partners.yaml', text: yaml }, env, cwd: '/srv', schemasDir: join(ROOT, 'schemas'), adapters: new Map([['demo', adapter]]) },
    problems,
  );
  return { settings, problems: problems.list };
}

const ONE = `partners:
  - id: demo-kg
    adapter: demo
    participants: { sender: KZ, recipient: KG }
    options: { subscriberId: KZ-CUSTOMS }
    keys: { partnerCerts: [kg.pem], signingKey: /keys/kz-for-kg.key.pem }
`;

describe('partner settings', () => {
  it('reads an instance: paths against the file folder, option defaults, no problem', () => {
    const { settings, problems } = resolve(ONE);
    expect(problems).toEqual([]);
    expect(settings[0]).toMatchObject({
      id: 'demo-kg',
      participants: { sender: 'KZ', recipient: 'KG' },
      options: { subscriberId: 'KZ-CUSTOMS', mode: 'live' },
      keys: { partnerCerts: ['/etc/gateway/kg.pem'], signingKey: '/keys/kz-for-kg.key.pem' },
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

  it('reports every mistake at once, each with its place', () => {
    const yaml = `partners:
  - id: demo-kg
    adapter: demo
    profile: slow
    participants: { sender: KZ }
    options: { mode: maybe, colour: red }
    endpoints: { archive: https://kg.example/archive }
  - id: demo-kg
    adapter: ghost
  - id: Bad_Id
    adapter: demo
`;
    const { problems } = resolve(yaml, { GATEWAY_PARTNER_DEMO_KZ_URL: 'https://x', GATEWAY_PARTNER_DEMO_KG_TIMEOUT_MS: 'soon', GATEWAY_PARTNER_DEMO_KG_COLOR: 'red' });
    const lines = problems.map((p) => `${p.code} ${p.variable ?? `${p.pointer ?? ''}`} ${p.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GW_ERR_CONFIG_INVALID \/partners\/2\/id /),
      ]),
    );
    const valid = resolve(yaml.replace('Bad_Id', 'demo-uz'), { GATEWAY_PARTNER_DEMO_KZ_URL: 'https://x', GATEWAY_PARTNER_DEMO_KG_TIMEOUT_MS: 'soon', GATEWAY_PARTNER_DEMO_KG_COLOR: 'red' });
    const all = valid.problems.map((p) => `${p.code} ${p.variable ?? p.pointer ?? ''} ${p.message}`);
    expect(all).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GW_ERR_CONFIG_INVALID \/partners\/1\/id partner id "demo-kg" appears twice/),
        expect.stringMatching(/^GW_ERR_ADAPTER_UNKNOWN \/partners\/1\/adapter partner demo-kg: no adapter "ghost"/),
        expect.stringMatching(/^GW_ERR_CONFIG_INVALID \/partners\/0\/profile .*no profile "slow" \(known: default, fast\)/),
        expect.stringMatching(/^GW_ERR_CONFIG_INVALID \/partners\/0\/participants .*needs participant code "recipient"/),
        expect.stringMatching(/^GW_ERR_CONFIG_INVALID \/partners\/0\/options .*needs option "subscriberId"/),
        expect.stringMatching(/^GW_ERR_CONFIG_INVALID \/partners\/0\/options\/mode .*must be one of live, test/),
        expect.stringMatching(/^GW_ERR_CONFIG_INVALID \/partners\/0\/options\/colour .*has no option "colour"/),
        expect.stringMatching(/^GW_ERR_CONFIG_INVALID \/partners\/0\/endpoints\/archive .*has no service "archive" \(known: default, query\)/),
        expect.stringMatching(/^GW_ERR_CONFIG_INVALID GATEWAY_PARTNER_DEMO_KZ_URL names no partner/),
        expect.stringMatching(/^GW_ERR_CONFIG_INVALID GATEWAY_PARTNER_DEMO_KG_TIMEOUT_MS must be a whole number/),
        expect.stringMatching(/^GW_ERR_CONFIG_INVALID GATEWAY_PARTNER_DEMO_KG_COLOR unknown setting/),
      ]),
    );
  });

  it('refuses YAML that is not a partners file: duplicate keys, unknown fields, plain-http-less URLs', () => {
    expect(resolve('partners:\n  - id: a\n    id: b\n    adapter: demo\n').problems[0]?.message).toMatch(/not valid YAML/);
    expect(resolve('partners:\n  - id: demo-a\n    adapter: demo\n    colour: red\n').problems[0]).toMatchObject({ pointer: '/partners/0', message: expect.stringMatching(/colour/) });
    expect(resolve('partners:\n  - id: demo-a\n    adapter: demo\n    endpoints: { default: ftp://x }\n').problems[0]).toMatchObject({ pointer: '/partners/0/endpoints/default' });
  });
});
