import { useEffect, useState } from 'react';
import type { ChannelOutput } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';

export type WorkerChoice = ChannelOutput<'caseload.workers'>[number];

/**
 * The active social workers (with their cases), for choosing whom a case goes to; with
 * `holders`, also anyone who left but still holds cases. `version` reloads the counts.
 */
export function useWorkers(enabled = true, holders = false, version = 0): WorkerChoice[] {
  const [workers, setWorkers] = useState<WorkerChoice[]>([]);
  useEffect(() => {
    if (enabled) void call('caseload.workers', { holders }).then((result) => result.ok && setWorkers(result.value));
  }, [enabled, holders, version]);
  return workers;
}
