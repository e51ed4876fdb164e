import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  readonly ca: Buffer;
  /** A node certificate signed by this CA, with its key. */
  readonly key: Buffer;
  readonly cert: Buffer;
}

const OPENSSL = '/usr/bin/openssl';
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A throwaway CA and one node certificate it signed, made with openssl in a temp dir. */
export function makeTestCa(name = 'test'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'nest-cluster-certs-'));
  const at = (file: string) => join(dir, file);
  const run = (...args: string[]) => execFileSync(OPENSSL, args, { stdio: 'pipe' });
  try {
    run('req', '-x509', ...EC, '-keyout', at('ca.key'), '-out', at('ca.crt'), '-subj', `/CN=${name}-ca`, '-days', '2');
    run('req', ...EC, '-keyout', at('node.key'), '-out', at('node.csr'), '-subj', `/CN=${name}-node`);
    run('x509', '-req', '-in', at('node.csr'), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('node.crt'), '-days', '2');
    return { ca: readFileSync(at('ca.crt')), key: readFileSync(at('node.key')), cert: readFileSync(at('node.crt')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
