import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NodeCert {
  readonly key: Buffer;
  readonly cert: Buffer;
}

export interface TestCa extends NodeCert {
  readonly ca: Buffer;
  /** Certificates this CA signed for each requested node name (SAN DNS entry = the name). */
  readonly nodes: Readonly<Record<string, NodeCert>>;
}

const OPENSSL = '/usr/bin/openssl';
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * A throwaway CA, made with openssl in a temp dir, with one certificate whose CN is
 * `<name>-node` (`key`, `cert`) and one per name in `nodeNames`: `{ cn }` names it by CN only.
 */
export function makeTestCa(name = 'test', nodeNames: readonly (string | { cn: string })[] = []): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'nest-cluster-certs-'));
  const at = (file: string) => join(dir, file);
  const run = (...args: string[]) => execFileSync(OPENSSL, args, { stdio: 'pipe' });
  const issue = (file: string, cn: string, san: string | undefined): NodeCert => {
    run('req', ...EC, '-keyout', at(`${file}.key`), '-out', at(`${file}.csr`), '-subj', `/CN=${cn}`);
    const ext = san ? ['-extfile', at(`${file}.ext`)] : [];
    if (san) writeFileSync(at(`${file}.ext`), `subjectAltName=${san}\n`);
    run('x509', '-req', '-in', at(`${file}.csr`), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at(`${file}.crt`), '-days', '2', ...ext);
    return { key: readFileSync(at(`${file}.key`)), cert: readFileSync(at(`${file}.crt`)) };
  };
  try {
    run('req', '-x509', ...EC, '-keyout', at('ca.key'), '-out', at('ca.crt'), '-subj', `/CN=${name}-ca`, '-days', '2');
    const own = issue('node', `${name}-node`, undefined);
    const nodes: Record<string, NodeCert> = {};
    nodeNames.forEach((entry, i) => {
      const nodeName = typeof entry === 'string' ? entry : entry.cn;
      nodes[nodeName] = issue(`n${i}`, typeof entry === 'string' ? `${name}-${nodeName}` : nodeName, typeof entry === 'string' ? `DNS:${nodeName}` : undefined);
    });
    return { ca: readFileSync(at('ca.crt')), ...own, nodes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
