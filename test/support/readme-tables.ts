// Reads the tables of a Markdown README (an adapter's messages, codes and errors), each with the heading it stands under.
import { readFileSync } from 'node:fs';

/** One Markdown table: the heading above it, its header cells and its rows. */
export interface ReadmeTable {
  heading: string;
  header: string[];
  rows: string[][];
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** Every table of the file, in order. */
export function readmeTables(file: string): ReadmeTable[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const tables: ReadmeTable[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^#+\s/.test(line)) heading = line.replace(/^#+\s*/, '');
    if (!line.startsWith('|') || !/^\|[\s|:-]+\|$/.test(lines[i + 1] ?? '')) continue;
    const table: ReadmeTable = { heading, header: cells(line), rows: [] };
    for (i += 2; i < lines.length && (lines[i] as string).startsWith('|'); i++) table.rows.push(cells(lines[i] as string));
    tables.push(table);
    i--;
  }
  return tables;
}

/** A cell without its backticks. */
export function plain(cell: string): string {
  return cell.replace(/`/g, '').trim();
}

/**
 * The tables of return or error codes with their verdicts: first header cell names a code, last is
 * `verdict`; the profile is the one a heading names (`profile \`rts-plus\``), else `default`.
 */
export function codeTables(file: string): Array<{ profile: string; codes: Map<string, string>; otherwise?: string }> {
  return readmeTables(file)
    .filter((t) => /^\S*code$/i.test(plain(t.header[0] ?? '')) && (t.header.at(-1) ?? '').toLowerCase() === 'verdict')
    .map((t) => {
      const codes = new Map<string, string>();
      let otherwise: string | undefined;
      for (const row of t.rows) {
        const code = plain(row[0] ?? '');
        const verdict = plain(row.at(-1) ?? '').split(/\s/)[0] ?? '';
        if (/^any other/i.test(code)) otherwise = verdict;
        else codes.set(code, verdict);
      }
      const profile = /profile\s+`?([a-z0-9-]+)`?/i.exec(t.heading)?.[1] ?? 'default';
      return { profile, codes, ...(otherwise ? { otherwise } : {}) };
    });
}
