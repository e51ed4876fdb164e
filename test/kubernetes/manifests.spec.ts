import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseNodes } from '../../lib/config/nodes-option.js';
import { loadRecipe, only, validateManifest, type Manifest } from './manifests.js';

/**
 * sample/kubernetes/ checked without a cluster: every document against the Kubernetes OpenAPI
 * schema of its kind (kubernetes-models), then the settings the README explains, by value (the
 * schema check does not refuse unknown fields, so a misspelt setting is caught here).
 */
const recipe = loadRecipe();
const statefulSet = only(recipe, 'StatefulSet');
const service = only(recipe, 'Service');
const pod = statefulSet.spec.template.spec;
const app = pod.containers[0];
const env = (name: string): string | undefined => app.env.find((e: { name: string }) => e.name === name)?.value;
const labels = statefulSet.spec.template.metadata.labels as Record<string, string>;
const selects = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const copy = (m: Manifest): Manifest => structuredClone(m);

describe('the Kubernetes recipe (sample/kubernetes)', () => {
  it.each(recipe.map((r) => [`${r.file}: ${r.manifest.kind}`, r] as const))('%s matches its Kubernetes schema', (_name, { file, manifest }) => {
    expect(() => validateManifest(manifest, file)).not.toThrow();
  });

  it('holds a StatefulSet, its headless Service, a Secret, a PodDisruptionBudget, and the Lease RBAC of kubernetes mode', () => {
    expect(recipe.map((r) => r.manifest.kind).sort()).toEqual(['PodDisruptionBudget', 'Role', 'RoleBinding', 'Secret', 'Service', 'ServiceAccount', 'StatefulSet']);
  });

  it('lets the lease service account get, create and update Leases in its own namespace, and nothing more', () => {
    const account = only(recipe, 'ServiceAccount');
    const role = only(recipe, 'Role');
    const binding = only(recipe, 'RoleBinding');
    // What the Kubernetes store calls: readNamespacedLease, createNamespacedLease, replaceNamespacedLease.
    expect(role.rules).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account.metadata.name }]);
    // One namespace: a Role, not a ClusterRole, and no namespace pinned, so it lands where it is applied.
    for (const m of [account, role, binding]) expect(m.metadata).not.toHaveProperty('namespace');
  });

  it('runs three replicas, started in parallel, behind a headless Service that publishes not-ready pods', () => {
    expect(statefulSet.spec.replicas).toBe(3);
    expect(statefulSet.spec.podManagementPolicy).toBe('Parallel');
    expect(statefulSet.spec.serviceName).toBe(service.metadata.name);
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.publishNotReadyAddresses).toBe(true);
    expect(selects(service.spec.selector)).toBe(true);
  });

  it('lists every pod as a node, by its pod name and its name under the headless Service, on the cluster port', () => {
    const nodes = parseNodes(env('CLUSTER_NODES')!, 'CLUSTER_NODES');
    const port = app.ports.find((p: { name: string }) => p.name === 'cluster').containerPort;
    const pods = Array.from({ length: statefulSet.spec.replicas }, (_, i) => `${statefulSet.metadata.name}-${i}`);
    expect(nodes).toEqual(pods.map((name) => ({ name, ip: `${name}.${service.metadata.name}`, port })));
    expect(service.spec.ports.find((p: { name: string }) => p.name === 'cluster').targetPort).toBe('cluster');
  });

  it('gives pods longer to stop than a graceful close can take: 2 × shutdownTimeoutMs + one election timeout', () => {
    const bound = (2 * Number(env('CLUSTER_SHUTDOWN_TIMEOUT_MS')) + Number(env('CLUSTER_TIMEOUT_MS'))) / 1000;
    expect(bound).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(bound);
    // A liveness probe must not restart a pod in the middle of that close either.
    expect(app.livenessProbe.periodSeconds * app.livenessProbe.failureThreshold).toBeGreaterThan(bound);
  });

  it('probes GET /health, the cluster health indicator, on the HTTP port the app listens on', () => {
    const http = app.ports.find((p: { name: string }) => p.name === 'http');
    expect(String(http.containerPort)).toBe(env('PORT'));
    expect(env('HTTP_HOST')).toBe('0.0.0.0');
    for (const probe of [app.startupProbe, app.readinessProbe, app.livenessProbe]) {
      expect(probe.httpGet).toEqual({ path: '/health', port: 'http' });
    }
  });

  it('takes the cluster secret from the Secret, and keeps at most one pod out on a voluntary disruption', () => {
    const secret = only(recipe, 'Secret');
    const ref = app.env.find((e: { name: string }) => e.name === 'CLUSTER_SECRET').valueFrom.secretKeyRef;
    expect(ref.name).toBe(secret.metadata.name);
    expect(Object.keys(secret.stringData)).toContain(ref.key);
    const budget = only(recipe, 'PodDisruptionBudget');
    expect(statefulSet.spec.replicas - budget.spec.minAvailable).toBe(1);
    expect(selects(budget.spec.selector.matchLabels)).toBe(true);
  });
});

describe('the schema check', () => {
  it.each([
    ['replicas that are not a number', (m: Manifest) => void (m.spec.replicas = 'three'), /spec\/replicas must be integer/],
    ['a misspelt pod management policy', (m: Manifest) => void (m.spec.podManagementPolicy = 'Paralel'), /spec\/podManagementPolicy must be equal to one of the allowed values/],
    ['a probe without a port', (m: Manifest) => void delete m.spec.template.spec.containers[0].livenessProbe.httpGet.port, /livenessProbe\/httpGet must have required property port/],
    ['a container name that is not a string', (m: Manifest) => void (m.spec.template.spec.containers[0].name = 7), /containers\/0\/name must be string/],
    ['a StatefulSet without its pod template', (m: Manifest) => void delete m.spec.template, /spec must have required property template/],
  ])('fails a StatefulSet with %s, naming the path', (_what, breakIt, message) => {
    const broken = copy(statefulSet);
    breakIt(broken);
    expect(() => validateManifest(broken, 'statefulset.yaml')).toThrow(message);
  });

  it('fails a kind it has no schema for, rather than passing it unchecked', () => {
    expect(() => validateManifest({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } })).toThrow(/no schema here for apps\/v1 Deploymnet/);
  });

  it('fails a recipe file that is broken YAML, or whose document breaks its schema, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nest-cluster-recipe-'));
    try {
      writeFileSync(join(dir, 'bad.yaml'), 'kind: Service\nspec: [unclosed\n');
      expect(() => loadRecipe(dir)).toThrow(/^bad\.yaml: /);
      rmSync(join(dir, 'bad.yaml'));
      writeFileSync(join(dir, 'service.yaml'), stringify({ ...copy(service), spec: { ...service.spec, publishNotReadyAddresses: 'yes' } }));
      const [{ file, manifest }] = loadRecipe(dir) as [{ file: string; manifest: Manifest }];
      expect(() => validateManifest(manifest, file)).toThrow(/^service\.yaml: Service "nest-cluster" does not match its schema: .*publishNotReadyAddresses must be boolean/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
