// Summarises V8 CPU profiles (.cpuprofile) by where the time went: self time per function and per area of the code, largest first.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The area a frame belongs to: a project folder, a dependency, or what V8 and Node do themselves. */
function areaOf(url: string, name: string): string {
  if (url === '') return name === '(garbage collector)' || name === '(idle)' || name === '(program)' ? name : `(native) ${name}`;
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1]!;
  const own = /\/(src|test)\/([^/]+)\//.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').split('/')[0]!;
  return url;
}

/** Self time in ms per key, over every sample of the profile. */
function selfTimes(profile: CpuProfile, key: (node: ProfileNode) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const times = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const k = key(node);
    times.set(k, (times.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return times;
}

function print(title: string, times: Map<string, number>, top: number): void {
  const busy = [...times].filter(([k]) => k !== '(idle)').reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`${title} (busy ${(busy / 1000).toFixed(1)} s, idle ${((times.get('(idle)') ?? 0) / 1000).toFixed(1)} s)`);
  for (const [k, ms] of [...times].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${((100 * ms) / busy).toFixed(1).padStart(5)} %  ${k}`);
  }
}

for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  console.log(`== ${file}`);
  print('by area', selfTimes(profile, (n) => areaOf(n.callFrame.url, n.callFrame.functionName)), 25);
  print('by function', selfTimes(profile, (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${n.callFrame.lineNumber + 1}`), 30);
}
