import type { FeatureHooks } from './core.ts';
import { combineHandlers } from './gate/registry.ts';
import type { HandlerMap, ReadsAhead } from './gate/types.ts';

/*
 * What a feature brings to the kernel, in one declaration: the handlers of its channels, and
 * its hooks (after a login, on the shell's timer, before shutdown). Its state for a session is
 * declared where it is used, as slots (session-state.ts), which the kernel lets go at lock and
 * logout without knowing what they hold. The composition root (index.ts) lists the features;
 * the kernel names none.
 */
export interface Feature {
  readonly handlers: Partial<HandlerMap>;
  /** Its writing calls' first reads, known from their input (gate/types.ts `ReadsAhead`). */
  readonly readsAhead?: ReadsAhead;
  readonly hooks?: FeatureHooks;
}

/** Every channel's handler (each exactly once), and every feature's hooks, in the features' order. */
export function assemble(features: readonly Feature[]): { handlers: HandlerMap; readsAhead: ReadsAhead; hooks: FeatureHooks[] } {
  return {
    handlers: combineHandlers(...features.map((feature) => feature.handlers)),
    readsAhead: readsAheadOf(features),
    hooks: features.flatMap((feature) => (feature.hooks ? [feature.hooks] : [])),
  };
}

/** Every channel's reads ahead, each declared once (as each handler is). */
function readsAheadOf(features: readonly Feature[]): ReadsAhead {
  const all: Record<string, unknown> = {};
  for (const feature of features) {
    for (const [channel, reads] of Object.entries(feature.readsAhead ?? {})) {
      if (channel in all) throw new Error(`reads ahead declared twice for ${channel}`);
      all[channel] = reads;
    }
  }
  return all as ReadsAhead;
}
