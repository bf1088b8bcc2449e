// The transports every gateway has: plain HTTP(S), SOAP 1.1/1.2 over HTTP(S), and AS2.
import { soapHeaders } from '../codec/soap-envelope.js';
import { GatewayError } from '../errors.js';
import type { HttpRequest, SoapRequest } from '../partners/partner-definition.js';
import { as2Transport } from './as2-transport.js';
import { defineTransport, type Transport } from './transport.js';

function requestError(transport: string, reason: string): GatewayError {
  return new GatewayError('GW_ERR_ADAPTER_INVALID', `the ${transport} transport got a request it cannot send: ${reason}`);
}

function isBytes(value: unknown): value is Buffer {
  return Buffer.isBuffer(value);
}

/** POSTs (or PUTs) the built request to the service URL plus its path. */
export const httpTransport = defineTransport({
  name: 'http',
  description: 'HTTP(S) with the partner’s TLS client certificate and trust anchors, keep-alive pool, bounded answers',
  send(request, channel) {
    const r = request as Partial<HttpRequest>;
    if ((r.method !== 'POST' && r.method !== 'PUT') || typeof r.path !== 'string' || !isBytes(r.body) || typeof r.headers !== 'object') {
      throw requestError('http', 'it needs method POST or PUT, a path, headers and a body Buffer');
    }
    return channel.http.send(channel.url, { method: r.method, path: r.path, headers: r.headers, body: r.body }, channel.timeoutMs, channel.maxResponseBytes);
  },
});

/** POSTs a SOAP envelope with the Content-Type and action its version wants. */
export const soapTransport = defineTransport({
  name: 'soap',
  description: 'SOAP 1.1 (text/xml, SOAPAction) or 1.2 (application/soap+xml; action=…) over HTTP(S)',
  send(request, channel) {
    const r = request as Partial<SoapRequest>;
    if ((r.version !== '1.1' && r.version !== '1.2') || typeof r.action !== 'string' || !isBytes(r.envelope)) {
      throw requestError('soap', 'it needs version 1.1 or 1.2, an action and an envelope Buffer');
    }
    const headers = { ...soapHeaders(r.version, r.action), ...(r.headers ?? {}) };
    return channel.http.send(channel.url, { method: 'POST', path: r.path ?? '', headers, body: r.envelope }, channel.timeoutMs, channel.maxResponseBytes);
  },
});

/** The built-in transports. */
export const BUILTIN_TRANSPORTS: readonly Transport[] = [httpTransport, soapTransport, as2Transport];
