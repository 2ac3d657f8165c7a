import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its private key, as PEM files and their contents. */
export interface CertificatePair {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/** A throwaway certificate authority and what it signed. */
export interface TestAuthority {
  caFile: string;
  ca: string;
  /** For `localhost` and 127.0.0.1 (server authentication). */
  server: CertificatePair;
  /** For a client (client authentication), subject CN=`client`. */
  client: CertificatePair;
}

export interface TestCertificates {
  dir: string;
  /** The authority the tests trust. */
  trusted: TestAuthority;
  /** Another authority, trusted by nobody: its certificates must be refused. */
  untrusted: TestAuthority;
  /** The trusted client key again, encrypted with `encryptedClientKeyPassword`. */
  encryptedClientKeyFile: string;
  encryptedClientKeyPassword: string;
  remove(): Promise<void>;
}

async function openssl(cwd: string, ...args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${stderr || message}`);
  }
}

async function pair(dir: string, name: string): Promise<CertificatePair> {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  return { certFile, keyFile, cert: await fs.readFile(certFile, 'utf8'), key: await fs.readFile(keyFile, 'utf8') };
}

/** A CA (P-256) with a server and a client certificate, valid for a day. */
async function authority(dir: string, name: string): Promise<TestAuthority> {
  const file = (suffix: string) => `${name}-${suffix}`;
  await openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('ca.key'));
  await openssl(dir, 'req', '-x509', '-new', '-key', file('ca.key'), '-sha256', '-days', '1', '-subj', `/CN=${name} test CA`, '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', file('ca.crt'));
  const sign = async (leaf: string, subject: string, extensions: string): Promise<CertificatePair> => {
    await openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${file(leaf)}.ec.key`);
    // PKCS#8, the form every client library reads.
    await openssl(dir, 'pkcs8', '-topk8', '-nocrypt', '-in', `${file(leaf)}.ec.key`, '-out', `${file(leaf)}.key`);
    await openssl(dir, 'req', '-new', '-key', `${file(leaf)}.key`, '-subj', subject, '-out', `${file(leaf)}.csr`);
    await fs.writeFile(path.join(dir, `${file(leaf)}.ext`), extensions);
    await openssl(dir, 'x509', '-req', '-in', `${file(leaf)}.csr`, '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-sha256', '-days', '1', '-extfile', `${file(leaf)}.ext`, '-out', `${file(leaf)}.crt`);
    return pair(dir, file(leaf));
  };
  const server = await sign('server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n');
  const client = await sign('client', '/CN=client', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n');
  const caFile = path.join(dir, file('ca.crt'));
  return { caFile, ca: await fs.readFile(caFile, 'utf8'), server, client };
}

/**
 * Makes a throwaway PKI with the system's `openssl`: a trusted CA with a server certificate for
 * localhost and a client certificate, and an untrusted CA with the same. Nothing is installed
 * anywhere; `remove()` deletes the directory.
 */
export async function createTestCertificates(): Promise<TestCertificates> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'offboarding-pki-'));
  try {
    const trusted = await authority(dir, 'trusted');
    const untrusted = await authority(dir, 'untrusted');
    const encryptedClientKeyPassword = 'client-key-passphrase';
    const encryptedClientKeyFile = path.join(dir, 'trusted-client.encrypted.key');
    await openssl(dir, 'pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', trusted.client.keyFile, '-passout', `pass:${encryptedClientKeyPassword}`, '-out', encryptedClientKeyFile);
    return { dir, trusted, untrusted, encryptedClientKeyFile, encryptedClientKeyPassword, remove: () => fs.rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true });
    throw error;
  }
}
