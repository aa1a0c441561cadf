import { useState } from 'react';
import type { CallResult } from '../api.ts';

/**
 * A form's save refused because the record changed meanwhile (RECORD_CHANGED, at another PC or
 * in another window): the record as it is now is looked up (`find`), kept to be shown beside
 * the form (NowSavedFacts), and handed to `onFound` (the form takes its version, so a second
 * save is made knowingly on what is there now; the list behind is reloaded).
 */
export function useNowSaved<R>(find: () => Promise<R | undefined>, onFound: (fresh: R) => void) {
  const [now, setNow] = useState<R | null>(null);
  const afterSave = async <T>(result: CallResult<T>): Promise<CallResult<T>> => {
    if (!result.ok && result.error.code === 'RECORD_CHANGED') {
      const fresh = await find();
      if (fresh !== undefined) {
        setNow(fresh);
        onFound(fresh);
      }
    }
    return result;
  };
  return { now, afterSave };
}

/** A record of a list call's answer by its id (undefined when the call failed or it is gone). */
export const foundIn = <R extends { id: number }>(list: CallResult<R[]>, id: number | undefined): R | undefined => (list.ok ? list.value.find((row) => row.id === id) : undefined);
