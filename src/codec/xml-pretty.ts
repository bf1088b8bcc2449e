// Indents canonical XML for people (golden files, listings); whitespace between tags carries no meaning there.

/**
 * Pretty-prints canonical XML (as `renderXml` writes it: no mixed content, no raw `<` in text):
 * one element per line, two-space indent, elements holding only text kept on one line.
 */
export function prettyXml(xml: string): string {
  const tokens = xml.split(/(<[^>]*>)/).filter((t) => t !== '');
  const lines: string[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const indent = '  '.repeat(depth);
    if (token.startsWith('</')) {
      depth--;
      lines.push('  '.repeat(depth) + token);
    } else if (token.startsWith('<')) {
      const text = tokens[i + 1];
      const close = tokens[i + 2];
      if (text !== undefined && !text.startsWith('<') && close?.startsWith('</')) {
        lines.push(indent + token + text + close);
        i += 2;
      } else if (text?.startsWith('</')) {
        lines.push(indent + token + text);
        i += 1;
      } else {
        lines.push(indent + token);
        depth++;
      }
    } else {
      lines.push(indent + token);
    }
  }
  return lines.join('\n') + '\n';
}

/** Undoes {@link prettyXml}: removes the line breaks and indentation it put between tags. */
export function compactXml(xml: string): string {
  return xml.replace(/>\r?\n\s*</g, '><').trim();
}
