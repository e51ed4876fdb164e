import { ProxyTracerProvider, trace, type Tracer, type TracerProvider } from '@opentelemetry/api';
import type { ClusterInstrumentation } from '../core/instrumentation/instrumentation.js';
import { tracingHooks } from './tracing-hooks.js';

/** What tracing needs of a cluster: a core `Cluster` or Nest's `ClusterService`. */
export interface TracedCluster {
  addInstrumentation(instrumentation: ClusterInstrumentation): void;
  removeInstrumentation(instrumentation: ClusterInstrumentation): boolean;
}

export interface ClusterTracingOptions {
  /** Where spans go; the globally registered provider (your OpenTelemetry SDK) by default. */
  readonly tracerProvider?: TracerProvider;
}

export interface ClusterTracing {
  /** Stops making spans for this cluster. */
  disable(): void;
}

const TRACER_NAME = 'nest-cluster';
// The API's no-op provider, as an unset proxy hands it out: the mark of "no SDK registered".
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * The tracer of the global provider, or `undefined` while no SDK is registered. Asked at every
 * call and run, so an SDK registered after tracing was enabled is used from then on; with none,
 * this comparison is all a call or run pays.
 */
function globalTracer(): () => Tracer | undefined {
  let delegate: TracerProvider | undefined;
  let tracer: Tracer | undefined;
  return () => {
    const provider = trace.getTracerProvider();
    const current = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
    if (current === NOOP_PROVIDER) return undefined;
    if (current !== delegate) {
      delegate = current;
      tracer = current.getTracer(TRACER_NAME);
    }
    return tracer;
  };
}

/**
 * Makes OpenTelemetry spans of this cluster's work (README "Tracing"): a CLIENT span per
 * `callFunc`, a SERVER span per call served (child of the caller's span on the other node: its
 * W3C trace context travels in the call), an INTERNAL span per leader-job run. Spans go to the
 * SDK you register (`@opentelemetry/sdk-node` or any `TracerProvider`); without one, each call or
 * run pays a single check.
 *
 * @example
 * const tracing = enableClusterTracing(cluster);
 * // later
 * tracing.disable();
 */
export function enableClusterTracing(cluster: TracedCluster, options: ClusterTracingOptions = {}): ClusterTracing {
  const { tracerProvider } = options;
  const explicit = tracerProvider?.getTracer(TRACER_NAME);
  const hooks = tracingHooks(explicit ? () => explicit : globalTracer());
  cluster.addInstrumentation(hooks);
  return { disable: () => void cluster.removeInstrumentation(hooks) };
}
