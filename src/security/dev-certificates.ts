// Generates the development PKI under certs/dev: a CA, the gateway's signing certificates and one per partner.
import { createPrivateKey, generateKeyPairSync, randomBytes, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

/** Subject prefix of every development certificate; names them as not for production. */
const DEV_ORG = 'Customs Gateway DEVELOPMENT ONLY';
const CA_NAME = 'Customs Gateway Development CA';
const VALIDITY_DAYS = 730;

/** A generated key pair and certificate, PEM encoded. */
interface Issued {
  keyPem: string;
  certPem: string;
}

interface CertRequest {
  commonName: string;
  isCa: boolean;
  /** Public key of the subject (any type Node knows). */
  publicKey: KeyObject;
}

const { asn1, pki } = forge;
/** forge builds the TBSCertificate with this function but leaves it out of its type definitions. */
const getTBSCertificate = (pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate;

function toForgeName(commonName: string): forge.pki.CertificateField[] {
  return [
    { name: 'countryName', value: 'KZ' },
    { name: 'organizationName', value: DEV_ORG },
    { name: 'commonName', value: commonName },
  ];
}

/**
 * Builds and signs a certificate with node-forge's ASN.1 writer. The subject key may be RSA or EC:
 * forge only models RSA keys, so the SubjectPublicKeyInfo is spliced in as DER from Node's KeyObject.
 */
function issue(request: CertRequest, issuerName: string, issuerKey: KeyObject): string {
  const cert = pki.createCertificate();
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + VALIDITY_DAYS * 86_400_000);
  // Placeholder so forge can lay out the TBSCertificate; the real key replaces it below.
  cert.publicKey = pki.setRsaPublicKey(new forge.jsbn.BigInteger('1', 16), new forge.jsbn.BigInteger('3', 16));
  cert.setSubject(toForgeName(request.commonName));
  cert.setIssuer(toForgeName(issuerName));
  const extensions: object[] = [{ name: 'basicConstraints', cA: request.isCa, critical: true }];
  extensions.push(
    request.isCa
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, keyEncipherment: true, critical: true },
  );
  if (!request.isCa) {
    extensions.push({ name: 'extKeyUsage', serverAuth: true, clientAuth: true });
    extensions.push({ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] });
  }
  cert.setExtensions(extensions);
  cert.siginfo.algorithmOid = pki.oids.sha256WithRSAEncryption as string;
  cert.signatureOid = pki.oids.sha256WithRSAEncryption as string;
  const tbs = getTBSCertificate(cert);
  const spki = asn1.fromDer(forge.util.createBuffer(request.publicKey.export({ type: 'spki', format: 'der' }).toString('binary')));
  (tbs.value as forge.asn1.Asn1[])[6] = spki;
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  cert.tbsCertificate = tbs;
  cert.signature = cryptoSign('sha256', tbsDer, issuerKey).toString('binary');
  return forge.pem.encode({ type: 'CERTIFICATE', body: asn1.toDer(pki.certificateToAsn1(cert)).getBytes() });
}

function rsaKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

function issueLeaf(commonName: string, ca: { name: string; key: KeyObject }, ec = false): Issued {
  const pair = ec ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : rsaKeyPair();
  return {
    keyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certPem: issue({ commonName, isCa: false, publicKey: pair.publicKey }, ca.name, ca.key),
  };
}

/** Writes a new file; an existing one is never replaced unless `replace` (a `--force` init) says so. */
function write(path: string, content: string, secret: boolean, replace = false): void {
  writeFileSync(path, content, { mode: secret ? 0o600 : 0o644, flag: replace ? 'w' : 'wx' });
}

/** What `certs init` produced. */
export interface DevCertificatesResult {
  /** Files written, relative to the directory. */
  written: string[];
  /** True when the directory already held a CA and nothing was generated. */
  existed: boolean;
}

/**
 * Creates a development CA, the gateway's RSA and ECDSA signing certificates, and an RSA certificate
 * per partner (the partner simulators sign with these), as PEM files:
 * `ca.{key,cert}.pem`, `gateway.{key,cert}.pem`, `gateway-ec.{key,cert}.pem`, `partners/<id>.{key,cert}.pem`.
 * Keeps an existing set (a development CA, or a gateway signing key: a real one is never overwritten)
 * unless `force` is true.
 * @throws Error (EEXIST) rather than replace any file that exists without `force`.
 */
export function initDevCertificates(dir: string, partners: readonly string[], force = false): DevCertificatesResult {
  if (!force && (existsSync(join(dir, 'ca.cert.pem')) || existsSync(join(dir, 'gateway.key.pem')))) return { written: [], existed: true };
  mkdirSync(join(dir, 'partners'), { recursive: true, mode: 0o700 });
  const caPair = rsaKeyPair();
  const written: string[] = [];
  const save = (name: string, issued: Issued): void => {
    write(join(dir, `${name}.key.pem`), issued.keyPem, true, force);
    write(join(dir, `${name}.cert.pem`), issued.certPem, false, force);
    written.push(`${name}.key.pem`, `${name}.cert.pem`);
  };
  save('ca', {
    keyPem: caPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certPem: issue({ commonName: CA_NAME, isCa: true, publicKey: caPair.publicKey }, CA_NAME, caPair.privateKey),
  });
  const ca = { name: CA_NAME, key: caPair.privateKey };
  save('gateway', issueLeaf('customs-gateway', ca));
  save('gateway-ec', issueLeaf('customs-gateway-ec', ca, true));
  for (const partner of partners) save(join('partners', partner), issueLeaf(partner, ca));
  return { written, existed: false };
}

/**
 * Issues, from an existing development CA in `dir`, the partner key pairs that are missing altogether
 * (`partners/<id>.{key,cert}.pem`): a partner added after `certs init` gets its simulator key. A
 * partner whose certificate exists (a real, pinned one) is left alone, and nothing happens where there
 * is no development CA key (a production certificates folder).
 * @returns the files written, relative to the directory
 */
export function addDevPartnerCertificates(dir: string, partners: readonly string[]): string[] {
  const caKeyFile = join(dir, 'ca.key.pem');
  const missing = partners.filter((p) => !existsSync(join(dir, 'partners', `${p}.cert.pem`)) && !existsSync(join(dir, 'partners', `${p}.key.pem`)));
  if (missing.length === 0 || !existsSync(caKeyFile)) return [];
  mkdirSync(join(dir, 'partners'), { recursive: true, mode: 0o700 });
  const ca = { name: CA_NAME, key: createPrivateKey(readFileSync(caKeyFile)) };
  const written: string[] = [];
  for (const partner of missing) {
    const issued = issueLeaf(partner, ca);
    write(join(dir, 'partners', `${partner}.key.pem`), issued.keyPem, true);
    write(join(dir, 'partners', `${partner}.cert.pem`), issued.certPem, false);
    written.push(`partners/${partner}.key.pem`, `partners/${partner}.cert.pem`);
  }
  return written;
}
