// What `gateway check` prints: the adapters and partners found, what each brings and where it is reached, then every problem.
import type { Setup } from './load-setup.js';
import { formatProblem, type Problem } from './problem-list.js';

function where(setup: Setup, partner: Setup['partners']['partners'][number]): string {
  const endpoints = Object.entries(partner.settings.endpoints);
  if (endpoints.length > 0) return endpoints.map(([service, url]) => `${service} ${url}`).join(', ');
  return setup.simulated.includes(partner) ? 'its simulator' : 'no URL';
}

/** The report, as lines of text ending with a newline. */
export function checkReport(setup: Setup, problems: readonly Problem[]): string {
  const { partners, mappings } = setup;
  const lines: string[] = [];
  lines.push(`adapters: ${[...partners.adapters.keys()].join(', ') || 'none'}`);
  lines.push(`codecs: ${partners.codecs.names().join(', ')}; signing profiles: ${partners.signingProfiles.names().join(', ')}; transports: ${partners.transports.names().join(', ')}`);
  for (const p of partners.partners) {
    const messages = Object.keys(p.messages).join(', ');
    const mapped = mappings.mappings.filter((m) => m.target.partner === p.id).length;
    const pushes = p.inbound ? `, pushes ${Object.keys(p.inbound.messages).join(', ')} (${mappings.inbound.filter((m) => m.partner === p.id).length} inbound mapping(s))` : '';
    const keys = setup.identities.get(p.id);
    const tls = [keys?.tls?.cert ? 'TLS client certificate' : undefined, keys?.tls?.ca ? `${keys.tls.ca.length} TLS trust anchor(s)` : undefined].filter(Boolean);
    const pinned = keys ? [`${keys.partnerCertificates.length} pinned certificate(s)`, ...tls].join(', ') : 'keys not loaded';
    lines.push(`partner ${p.id}: adapter ${p.adapter}, profile ${p.profile}, messages ${messages}, ${mapped} mapping(s)${pushes}, ${pinned}, reached at ${where(setup, p)}`);
  }
  lines.push(`mappings: ${mappings.mappings.length} outbound, ${mappings.inbound.length} inbound`);
  const inbound = setup.config.inbound;
  lines.push(inbound ? `inbound listener: https://${inbound.host}:${inbound.port}, CAIS sink ${setup.config.caisSink.kind}` : 'inbound listener: off');
  for (const problem of problems) lines.push(formatProblem(problem));
  lines.push(problems.length === 0 ? 'ok: no problems' : `${problems.length} problem(s)`);
  return lines.join('\n') + '\n';
}
