// Absolute-URI test for namespace names: Canonical XML fails on relative namespace URIs, so a signed document may not carry one.

/** RFC 3986 pchar: unreserved, percent-encoded, sub-delims, ':' and '@'. */
const PCHAR = "(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})";
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** userinfo@host:port; every character class excludes the separator after it, so matching stays linear. */
const AUTHORITY = new RegExp(
  "^(?:(?:[A-Za-z0-9\\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2})*@)?" +
    "(?:\\[[0-9A-Fa-f:.]+\\]|(?:[A-Za-z0-9\\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*)(?::[0-9]+)?$",
);
/** Path, query and fragment: pchars, '/' and '?', with at most one '#'. */
const TAIL = new RegExp(`^(?:${PCHAR}|[/?])*(?:#(?:${PCHAR}|[/?])*)?$`);

/** URIs already found absolute: documents of one partner repeat the same few namespaces. */
const known = new Set<string>();
const KNOWN_MAX = 1024;

function parses(uri: string): boolean {
  if (uri.includes('&')) return false;
  const scheme = SCHEME.exec(uri);
  if (!scheme) return false;
  let rest = uri.slice(scheme[0].length);
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, end + 2);
    if (!AUTHORITY.test(authority)) return false;
    rest = rest.slice(2 + authority.length);
  }
  return TAIL.test(rest);
}

/**
 * True when `uri` is an absolute URI in RFC 3986 syntax (a scheme, then only characters a URI may carry,
 * percent-encoded where needed; a port has digits). libxml2's canonicalizer (xmlsec1) refuses a document
 * whose namespace URIs are relative or do not parse as URIs, so the gateway refuses them too. A URI with
 * '&' is refused as well: libxml2 keeps it as the text "&#38;" in namespace declarations and signs that,
 * where exc-c14n writes "&amp;", so the two could never agree on such a document.
 */
export function isAbsoluteUri(uri: string): boolean {
  if (known.has(uri)) return true;
  if (!parses(uri)) return false;
  if (known.size < KNOWN_MAX) known.add(uri);
  return true;
}
