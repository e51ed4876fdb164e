import { createHmac, timingSafeEqual } from 'node:crypto';
import { ProtocolError } from '../errors.js';
import { deriveFrameKeys, type FrameKeys } from './frame-protection.js';
import { PROTOCOL_VERSION, type HandshakeMessage, type HelloMessage, type Message } from './protocol.js';

export type HandshakeRole = 'dialer' | 'acceptor';

export interface HandshakeOptions {
  readonly role: HandshakeRole;
  readonly selfName: string;
  readonly clusterId: string;
  /** Names of the configured nodes other than this one: the only names a peer may claim. */
  readonly peers: ReadonlySet<string>;
  /** For a dialer: the node it meant to reach; the acceptor must say it is that node. */
  readonly expectedPeer?: string;
  /** The stretched secret (secret-key.ts), or undefined without a secret. */
  readonly secret: string | Uint8Array | undefined;
  /** A fresh random challenge for this connection only. */
  readonly nonce: Uint8Array;
  /**
   * With TLS: the names the peer's certificate vouches for, read when its hello arrives (the TLS
   * handshake is done by then). The peer may only claim one of them.
   */
  readonly certifiedNames?: (() => ReadonlySet<string> | undefined) | undefined;
}

type State = 'await-hello' | 'await-auth' | 'done';

/**
 * The handshake of one connection, as a state machine with no I/O: feed it what arrives, send what
 * it returns. Sequence (D = dialer, A = acceptor):
 *
 *   D → A  hello { version, cluster, node: D, nonce: nD }
 *   A → D  hello { version, cluster, node: A, nonce: nA }        A checked D's hello first
 *   with a secret only:
 *   D → A  auth  { proof: HMAC(secret, "dialer",   cluster, D, A, nD, nA) }
 *   A → D  auth  { proof: HMAC(secret, "acceptor", cluster, D, A, nD, nA) }   A checked D's proof first
 *
 * Each proof covers both fresh nonces (no replay), both names and the cluster id (no use in another
 * pairing or cluster), and its role (a proof cannot be reflected back to its maker). The acceptor
 * proves itself only after the dialer has, so a stranger learns no proof for a nonce it chose.
 * Either side is established once it has nothing left to check; the acceptor first, so nothing the
 * dialer sends after the handshake can overtake it.
 */
export class Handshake {
  private state: State = 'await-hello';
  private peerName: string | undefined;
  private peerNonce: Uint8Array | undefined;

  constructor(private readonly options: HandshakeOptions) {}

  /** The peer's node name once the handshake is complete. */
  get established(): string | undefined {
    return this.state === 'done' ? this.peerName : undefined;
  }

  /**
   * Keys for sealing this connection's frames once the handshake is done, in secret mode
   * (frame-protection.ts); undefined without a secret.
   */
  frameKeys(): FrameKeys | undefined {
    const { role, selfName, clusterId, nonce, secret } = this.options;
    if (this.state !== 'done' || secret === undefined) return undefined;
    const [dialer, acceptor] = role === 'dialer' ? [selfName, this.peerName!] : [this.peerName!, selfName];
    const [dialerNonce, acceptorNonce] = role === 'dialer' ? [nonce, this.peerNonce!] : [this.peerNonce!, nonce];
    return deriveFrameKeys(
      { secret, protocol: `nest-cluster/${PROTOCOL_VERSION}`, clusterId, dialer, acceptor, dialerNonce, acceptorNonce },
      role,
    );
  }

  /** For a dialer, the node it meant to reach (named in logs before the handshake completes). */
  get dialled(): string | undefined {
    return this.options.expectedPeer;
  }

  /** What to send when the connection opens. */
  start(): HandshakeMessage[] {
    return this.options.role === 'dialer' ? [this.hello()] : [];
  }

  /** Takes one message from the peer; returns what to send back. Throws ProtocolError on any fault. */
  receive(message: Message): HandshakeMessage[] {
    if (this.state === 'await-hello' && message.type === 'hello') return this.onHello(message);
    if (this.state === 'await-auth' && message.type === 'auth') return this.onAuth(message.proof);
    if (this.state === 'await-auth') {
      throw new ProtocolError(
        'auth-failed',
        `Expected an auth proof, got "${message.type}"; set the same \`secret\` on every node.`,
      );
    }
    throw new ProtocolError('unexpected-message', `Unexpected "${message.type}" during the handshake.`);
  }

  private onHello(hello: HelloMessage): HandshakeMessage[] {
    const { role, clusterId, peers, expectedPeer, selfName, secret } = this.options;
    if (hello.version !== PROTOCOL_VERSION) {
      throw new ProtocolError(
        'version-mismatch',
        `Peer speaks protocol version ${hello.version}, this node ${PROTOCOL_VERSION}; run the same nest-cluster version on every node.`,
      );
    }
    if (hello.cluster !== clusterId) {
      throw new ProtocolError(
        'cluster-mismatch',
        `Peer ${quote(hello.node)} belongs to another cluster (different node list); give every node the same \`nodes\`.`,
      );
    }
    const wrongName = role === 'dialer' ? hello.node !== expectedPeer : !peers.has(hello.node);
    if (wrongName) {
      throw new ProtocolError(
        'unknown-node',
        role === 'dialer'
          ? `Dialled "${expectedPeer}" but the node there says it is ${quote(hello.node)}.`
          : `Node ${quote(hello.node)} is not a configured peer of "${selfName}".`,
      );
    }
    // Issue #10 finding 5: with TLS the certificate, not the hello, says which node speaks; a node
    // holding any certificate of the CA can no longer claim another node's name.
    const certified = this.options.certifiedNames?.();
    if (certified && !certified.has(hello.node)) {
      throw new ProtocolError(
        'identity-mismatch',
        `Node ${quote(hello.node)} presented a certificate for ${[...certified].map(quote).join(', ') || 'no name'}; ` +
          "a node's certificate must name it (a SAN DNS or URI entry, or the CN, equal to the node name).",
      );
    }
    // Issue #12: both nodes must agree on using a secret, and the one that differs is named now.
    const usesSecret = secret === undefined ? 0 : 1;
    if (hello.usesSecret !== usesSecret) {
      if (hello.usesSecret === undefined) throw new ProtocolError('malformed-message', 'Malformed "hello" message: bad field "usesSecret".');
      throw new ProtocolError(
        'auth-failed',
        usesSecret
          ? `Node ${quote(hello.node)} runs without a secret, this node with one; set the same \`secret\` on every node.`
          : `Node ${quote(hello.node)} runs with a secret, this node without one; set the same \`secret\` on every node.`,
      );
    }
    this.peerName = hello.node;
    this.peerNonce = hello.nonce;
    const reply: HandshakeMessage[] = role === 'acceptor' ? [this.hello()] : [];
    if (secret === undefined) {
      this.state = 'done';
    } else {
      this.state = 'await-auth';
      if (role === 'dialer') reply.push({ type: 'auth', proof: this.proof('dialer') });
    }
    return reply;
  }

  private onAuth(proof: Uint8Array): HandshakeMessage[] {
    const { role } = this.options;
    const expected = this.proof(role === 'dialer' ? 'acceptor' : 'dialer');
    if (proof.length !== expected.length || !timingSafeEqual(proof, expected)) {
      throw new ProtocolError(
        'auth-failed',
        `Node "${this.peerName}" failed the secret check; set the same \`secret\` on every node.`,
      );
    }
    this.state = 'done';
    return role === 'acceptor' ? [{ type: 'auth', proof: this.proof('acceptor') }] : [];
  }

  private hello(): HelloMessage {
    const { clusterId, selfName, nonce } = this.options;
    const usesSecret = this.options.secret === undefined ? 0 : 1;
    return { type: 'hello', version: PROTOCOL_VERSION, cluster: clusterId, node: selfName, nonce, usesSecret };
  }

  private proof(of: HandshakeRole): Buffer {
    const { role, selfName, clusterId, nonce, secret } = this.options;
    const [dialer, acceptor] = role === 'dialer' ? [selfName, this.peerName!] : [this.peerName!, selfName];
    const [dialerNonce, acceptorNonce] = role === 'dialer' ? [nonce, this.peerNonce!] : [this.peerNonce!, nonce];
    const hmac = createHmac('sha256', secret!);
    for (const part of [`nest-cluster/${PROTOCOL_VERSION}`, of, clusterId, dialer, acceptor, dialerNonce, acceptorNonce]) {
      // Length-prefixed, so no two different tuples hash the same bytes.
      const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
      const length = Buffer.allocUnsafe(4);
      length.writeUInt32BE(bytes.length, 0);
      hmac.update(length).update(bytes);
    }
    return hmac.digest();
  }
}

/** A name a stranger sent, made safe to log: quoted, escaped, and short. */
function quote(untrusted: string): string {
  return JSON.stringify(untrusted.slice(0, 100));
}
