import { useEffect, useState } from 'react';
import type { CallResult, ClientErrorPayload } from '../api.ts';

/**
 * A paged list from core: the page shown, its data, and the error if loading failed. Loads
 * again when the page or anything in `deps` (the list's filters) changes.
 */
export function usePaged<T>(load: (offset: number, limit: number) => Promise<CallResult<T>>, pageSize: number, deps: readonly unknown[] = []) {
  const [page, setPage] = useState(0);
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  useEffect(() => {
    let current = true;
    void load(page * pageSize, pageSize).then((result) => {
      if (!current) return;
      if (result.ok) {
        setData(result.value);
        setError(null);
      } else setError(result.error);
    });
    return () => {
      current = false;
    };
    // `load` is a fresh closure each render; what it loads is given by the page and `deps`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [page, pageSize, ...deps]);
  return { page, setPage, data, error };
}
