import { CHANNEL_NAMES, type ChannelName } from '../../contract/index.ts';
import type { Handler, HandlerMap } from './types.ts';

/**
 * Each feature registers its handlers in one object; combining them refuses a name claimed
 * twice and a contract channel nobody handles, so the app cannot start with a hole in the API.
 */
export function combineHandlers(...parts: Partial<HandlerMap>[]): HandlerMap {
  const combined: Partial<Record<ChannelName, Handler<ChannelName>>> = {};
  for (const part of parts) {
    for (const [name, handler] of Object.entries(part) as [ChannelName, Handler<ChannelName>][]) {
      if (combined[name]) throw new Error(`Two handlers for channel ${name}`);
      if (!CHANNEL_NAMES.includes(name)) throw new Error(`Handler for unknown channel ${name}`);
      combined[name] = handler;
    }
  }
  const missing = CHANNEL_NAMES.filter((name) => !combined[name]);
  if (missing.length > 0) throw new Error(`No handler for channels: ${missing.join(', ')}`);
  return combined as HandlerMap;
}
