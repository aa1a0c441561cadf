import { useCallback, useEffect, useState } from 'react';
import type { CallResult, ClientErrorPayload } from '../api.ts';

/**
 * Load something from core when the page opens, keep the error if it fails, and reload on
 * demand (after a save). The pattern of every list page.
 */
export function useLoaded<T>(load: () => Promise<CallResult<T>>, initial: T, deps: readonly unknown[] = []) {
  const [data, setData] = useState<T>(initial);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const reload = useCallback(async () => {
    const result = await load();
    if (result.ok) {
      setData(result.value);
      setError(null);
    } else setError(result.error);
    // `load` is a fresh closure each render; what it loads changes only with `deps` (the record's
    // id, the filters), which the caller names.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => void reload(), [reload]);
  return { data, error, setError, reload };
}
