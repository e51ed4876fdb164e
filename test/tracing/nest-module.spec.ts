import { SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { ClusterModule, ClusterService, newFuncSpec } from 'nest-cluster';
import { ClusterTracingModule } from '../../lib/tracing/index.js';

describe('ClusterTracingModule', () => {
  it('traces the application cluster into the given provider until the app closes', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const moduleRef = await Test.createTestingModule({
      imports: [ClusterModule.forRoot({ mode: 'single', logger: false }), ClusterTracingModule.forRoot({ tracerProvider })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const cluster = app.get(ClusterService);
    cluster.registerFunc('echo', (v: unknown) => v);
    await cluster.callFunc(newFuncSpec(cluster.getMyName(), 'echo', 1));
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.kind])).toEqual([
      ['echo', SpanKind.SERVER],
      ['echo', SpanKind.CLIENT],
    ]);
    expect(spans[0]!.parentSpanContext?.spanId).toBe(spans[1]!.spanContext().spanId);
    await app.close();
    // Tracing was turned off with the module: a call refused after close makes no span.
    await expect(cluster.callFunc(newFuncSpec(cluster.getMyName(), 'echo', 1))).rejects.toThrow(/shut/i);
    expect(exporter.getFinishedSpans()).toHaveLength(2);
  });
});
