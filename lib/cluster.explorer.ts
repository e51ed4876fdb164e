import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import {
  ALL_KEYS,
  CLUSTER_FUNCTION,
  LEADER_ONLY,
  MASTER_CRON,
  MASTER_INTERVAL,
  ON_NEW_LEADER,
  ON_RELEASE_MASTER,
  ON_STARTED_LEADING,
  ON_STOPPED_LEADING,
  SLAVER_INTERVAL,
} from './cluster.constants.js';
import { duplicateFunction, nonStaticProvider } from './cluster.messages.js';
import { ClusterOrchestrator } from './cluster.orchestrator.js';
import { ClusterService } from './cluster.service.js';
import { ClusterConfigError } from './core/errors.js';
import { errorStack, errorText } from './core/logger.js';
import type { CallContext } from './core/rpc/trace.js';
import type { IntervalJobMetadata } from './decorators/interval-options.js';
import type { MasterCronMetadata } from './decorators/master-cron.decorator.js';

type Method = (...args: unknown[]) => unknown;

/** One provider instance and its decorated methods. */
interface Target {
  readonly instance: Record<string, Method>;
  readonly className: string;
  readonly methods: readonly string[];
}

/**
 * Finds our decorators on every singleton provider and controller in `onModuleInit`, checks them
 * (a duplicate @ClusterFunction fails the boot), and hands each to the orchestrator, which mounts
 * them when the application bootstraps.
 */
@Injectable()
export class ClusterExplorer implements OnModuleInit {
  private readonly functionOwners = new Map<string, string>();
  private readonly trackerNames = new Map<string, number>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly orchestrator: ClusterOrchestrator,
    private readonly cluster: ClusterService,
  ) {}

  onModuleInit(): void {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      const target = this.targetOf(wrapper);
      if (!target) continue;
      if (!wrapper.isDependencyTreeStatic()) {
        this.cluster.logger.warn(nonStaticProvider(target.className));
        continue;
      }
      this.discover(target);
    }
  }

  private targetOf(wrapper: InstanceWrapper): Target | undefined {
    const instance = wrapper.instance as Record<string, Method> | undefined;
    if (!instance || typeof instance !== 'object') return undefined;
    const prototype = Object.getPrototypeOf(instance);
    if (!prototype) return undefined;
    const methods = this.scanner
      .getAllMethodNames(prototype)
      .filter((name) => ALL_KEYS.some((key) => this.meta(key, instance[name]) !== undefined));
    if (methods.length === 0) return undefined;
    return { instance, className: prototype.constructor?.name ?? String(wrapper.name), methods };
  }

  private discover(target: Target): void {
    this.discoverHooks(target);
    let leaderOnly = false;
    for (const method of target.methods) {
      const where = `${target.className}.${method}`;
      const fn = target.instance[method]!;
      const call = (...args: unknown[]) => fn.apply(target.instance, args);
      const functionName = this.meta<string>(CLUSTER_FUNCTION, fn);
      if (functionName !== undefined) this.discoverFunction(functionName, where, call);
      const master = this.meta<IntervalJobMetadata>(MASTER_INTERVAL, fn);
      if (master) {
        // Only the leader timer: followers of a @MasterInterval run no timer at all.
        this.orchestrator.addInterval(this.uniqueTrackerName(where), master.ms, master.runOnStart, { masterCall: call });
      }
      const slaver = this.meta<IntervalJobMetadata>(SLAVER_INTERVAL, fn);
      if (slaver) {
        this.orchestrator.addInterval(this.uniqueTrackerName(where), slaver.ms, slaver.runOnStart, { slaverCall: call });
      }
      const cron = this.meta<MasterCronMetadata>(MASTER_CRON, fn);
      if (cron) this.orchestrator.addCron(this.uniqueTrackerName(where), cron.expression, call, cron.options ?? {});
      leaderOnly ||= this.meta(LEADER_ONLY, fn) === true;
    }
    if (leaderOnly) this.orchestrator.addLeaderOnly(target.instance);
  }

  /** All of a provider's lifecycle hooks become one tracker, so they keep their relative order. */
  private discoverHooks({ instance, className, methods }: Target): void {
    const withKey = (key: string) => methods.filter((m) => this.meta(key, instance[m]));
    const started = withKey(ON_STARTED_LEADING);
    const stopped = withKey(ON_STOPPED_LEADING);
    const newLeader = withKey(ON_NEW_LEADER);
    const released = withKey(ON_RELEASE_MASTER);
    if (started.length + stopped.length + newLeader.length + released.length === 0) return;
    // Each hook is its own callback: one that throws is logged and the provider's others still run.
    const runAll = (names: string[]) => async (arg?: unknown) => {
      for (const name of names) {
        try {
          await instance[name]!.call(instance, arg);
        } catch (error) {
          this.cluster.logger.error(`${className}.${name} failed: ${errorText(error)}`, errorStack(error));
        }
      }
    };
    this.orchestrator.addTracker({
      name: this.uniqueTrackerName(className),
      ...(started.length && { onStartedLeading: runAll(started) }),
      ...(stopped.length && { onStoppedLeading: runAll(stopped) }),
      ...(newLeader.length && { onNewLeader: runAll(newLeader) }),
      ...(released.length && { onReleaseMaster: runAll(released) }),
    });
  }

  private discoverFunction(name: string, where: string, call: Method): void {
    const first = this.functionOwners.get(name);
    if (first) throw new ClusterConfigError(duplicateFunction(name, first, where));
    this.functionOwners.set(name, where);
    this.orchestrator.addFunction(name, (param: unknown, context: CallContext) => call(param, context));
  }

  private uniqueTrackerName(base: string): string {
    const seen = (this.trackerNames.get(base) ?? 0) + 1;
    this.trackerNames.set(base, seen);
    return seen === 1 ? base : `${base}#${seen}`;
  }

  private meta<T = unknown>(key: string, fn: unknown): T | undefined {
    return typeof fn === 'function' ? this.reflector.get<T>(key, fn) : undefined;
  }
}
