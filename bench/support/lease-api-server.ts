import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { freePort } from './ports.js';

/**
 * A STAND-IN for the Kubernetes API server, for tests only: the Lease endpoints of
 * `coordination.k8s.io/v1` (GET, POST, PUT of namespaced leases) with the semantics the Lease store
 * relies on: a resourceVersion that changes on every write, 409 Conflict when a PUT names an older
 * one or a POST names an existing Lease, 404 Not Found, and errors as `Status` objects. Faults on
 * demand: 403 Forbidden, delayed answers, dropped answers (the request is never answered), and the
 * whole server down and back.
 *
 * It does not model what the store does not use: authentication and RBAC (403 is switched on by the
 * test), TLS, watch, list, PATCH, DELETE through the API, admission, field managers, schema
 * validation beyond the Lease's types, etcd compaction, or an apiserver cluster with several members.
 */
export class LeaseApiServer {
  private readonly leases = new Map<string, Record<string, any>>();
  private version = 100;
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  /** Verbs answered 403 Forbidden (get, create, update). */
  forbidden = new Set<string>();
  /** Answers wait this long, ms. */
  delayMs = 0;
  /** Requests are read and never answered while set. */
  dropping = false;
  /** Runs before each request is handled (after delays), to change the Lease between two requests. */
  beforeRequest: ((verb: string) => void) | undefined;
  /** Requests seen and 409 answers given, by verb. */
  readonly requests = { get: 0, create: 0, update: 0, conflicts: 0 };

  private constructor(
    readonly port: number,
    readonly host: string,
  ) {}

  /** On a free 127.0.0.1 port, or on the `host` and `port` given (the chaos harness's namespace address). */
  static async start(at?: { host: string; port: number }): Promise<LeaseApiServer> {
    const server = new LeaseApiServer(at?.port ?? (await freePort()), at?.host ?? '127.0.0.1');
    await server.up();
    return server;
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** Listens again (after `down`), on the same port. */
  async up(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, this.host, resolve));
    this.server = server;
  }

  /** The API server is gone: no listener, every connection reset. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async dispose(): Promise<void> {
    await this.down();
  }

  /** The Lease as stored, or undefined. */
  lease(namespace: string, name: string): Record<string, any> | undefined {
    return this.leases.get(`${namespace}/${name}`);
  }

  /** A hand edit (`kubectl edit`): changes the stored Lease as given, with a new resourceVersion. */
  edit(namespace: string, name: string, change: (lease: Record<string, any>) => void): void {
    const lease = this.lease(namespace, name);
    if (!lease) throw new Error(`no Lease ${namespace}/${name}`);
    change(lease);
    lease.metadata.resourceVersion = String(++this.version);
  }

  /** `kubectl delete lease`. */
  remove(namespace: string, name: string): void {
    this.leases.delete(`${namespace}/${name}`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/?]+))?(?:\?.*)?$/.exec(req.url ?? '');
    const verb = req.method === 'GET' ? 'get' : req.method === 'POST' ? 'create' : req.method === 'PUT' ? 'update' : 'other';
    if (verb !== 'other') this.requests[verb]++;
    if (this.dropping) return; // never answered: the client's deadline has to end it
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.beforeRequest?.(verb);
    if (!match || verb === 'other' || (verb === 'create') !== (match[2] === undefined)) {
      return this.status(res, 404, 'NotFound', 'the server could not find the requested resource');
    }
    const [, namespace, name] = match as unknown as [string, string, string | undefined];
    if (this.forbidden.has(verb)) {
      const who = 'User "system:serviceaccount:test:default"';
      return this.status(res, 403, 'Forbidden', `leases.coordination.k8s.io is forbidden: ${who} cannot ${verb} resource "leases" in API group "coordination.k8s.io" in the namespace "${namespace}"`);
    }
    let body: Record<string, any> = {};
    try {
      if (chunks.length) body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>;
    } catch {
      return this.status(res, 400, 'BadRequest', 'the request body is not JSON');
    }
    if (verb === 'get') {
      const lease = this.lease(namespace, name!);
      return lease ? this.send(res, 200, lease) : this.status(res, 404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`);
    }
    const invalid = this.invalid(body);
    if (invalid) return this.status(res, 422, 'Invalid', invalid);
    const key = `${namespace}/${verb === 'create' ? body.metadata.name : name}`;
    const current = this.leases.get(key);
    if (verb === 'create') {
      if (current) return this.conflict(res, 'AlreadyExists', `leases.coordination.k8s.io "${body.metadata.name}" already exists`);
    } else {
      if (body.metadata.name !== name) return this.status(res, 400, 'BadRequest', 'the name of the object does not match the name on the URL');
      if (!current) return this.status(res, 404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`);
      // Leases allow unconditional updates; a resourceVersion given must be the current one.
      const given = body.metadata.resourceVersion;
      if (given !== undefined && given !== current.metadata.resourceVersion) {
        return this.conflict(res, 'Conflict', `Operation cannot be fulfilled on leases.coordination.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`);
      }
    }
    const stored = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...body.metadata, namespace, resourceVersion: String(++this.version), uid: current?.metadata.uid ?? `uid-${this.version}` },
      spec: body.spec ?? {},
    };
    this.leases.set(key, stored);
    this.send(res, verb === 'create' ? 201 : 200, stored);
  }

  /** The type checks the real server's Lease validation makes on what the store writes. */
  private invalid(body: Record<string, any>): string | undefined {
    if (body.kind !== 'Lease' || body.apiVersion !== 'coordination.k8s.io/v1') return 'expected kind Lease of coordination.k8s.io/v1';
    if (typeof body.metadata?.name !== 'string' || body.metadata.name === '') return 'metadata.name: Required value';
    const spec = body.spec ?? {};
    for (const field of ['leaseDurationSeconds', 'leaseTransitions']) {
      const value = spec[field];
      if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1)) return `spec.${field}: Invalid value`;
    }
    if (spec.leaseDurationSeconds === 0) return 'spec.leaseDurationSeconds: must be greater than 0';
    for (const field of ['acquireTime', 'renewTime']) {
      const value = spec[field];
      // MicroTime (metav1.RFC3339Micro): exactly six fractional digits.
      if (value !== undefined && !(typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(value))) {
        return `spec.${field}: expected an RFC 3339 MicroTime, got ${JSON.stringify(value)}`;
      }
    }
    return undefined;
  }

  private conflict(res: ServerResponse, reason: string, message: string): void {
    this.requests.conflicts++;
    this.status(res, 409, reason, message);
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    this.send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

/** Lease timings for these tests: leases last whole seconds (leaseDurationSeconds), so 1 s renewed every 300 ms. */
export const K8S = { electionInterval: 300, electionPeriod: 1000, syncLeaderInterval: 200 } as const;

/** A KubeConfig of @kubernetes/client-node pointed at `server`, through the client's own loader. */
export async function kubeConfigFor(server: { readonly url: string }, namespace = 'test') {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'stand-in', server: server.url, skipTLSVerify: true }],
    users: [{ name: 'pod', token: 'service-account-token' }],
    contexts: [{ name: 'stand-in', cluster: 'stand-in', user: 'pod', namespace }],
    currentContext: 'stand-in',
  });
  return config;
}
