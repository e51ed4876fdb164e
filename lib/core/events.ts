/** The seed's eight cluster events, in its spelling. */
export const ClusterEventType = {
  StartUp: 'StartUp',
  SignMaster: 'SignMaster',
  SignFollower: 'SignFollower',
  StopMaster: 'StopMaster',
  ReleaseMaster: 'ReleaseMaster',
  ElectionStart: 'ElectionStart',
  ElectionFinish: 'ElectionFinish',
  Close: 'Close',
} as const;

export type ClusterEventType = (typeof ClusterEventType)[keyof typeof ClusterEventType];

export interface ClusterEvent {
  readonly type: ClusterEventType;
  /** The Raft term (redis mode: the leadership epoch) when the event happened. */
  readonly term: number;
  /** This node. */
  readonly nodeName: string;
  /** The leader this node knows of at that moment, if any. */
  readonly leaderName: string | undefined;
  readonly at: Date;
}

/** A node's role in the election. `pre-candidate` and `candidate` are both "fighting". */
export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** `failed`: startUp() failed, or the engine stopped on its own (a failed write of term and vote). */
export type Phase = 'idle' | 'starting' | 'running' | 'failed' | 'closing' | 'closed' | 'disabled';

/** What `state$` replays: one consistent snapshot of this node. */
export interface ClusterState {
  readonly phase: Phase;
  readonly role: Role;
  readonly term: number;
  readonly nodeName: string;
  readonly leaderName: string | undefined;
  /** This node is the acting leader: it holds the lease and may run leader jobs. */
  readonly isLeader: boolean;
}
