import { sql } from 'kysely';
import { addToDate } from '../clock.ts';

/**
 * A case is due for review when its last review (or, never reviewed, its opening) is at least
 * the review interval old. The expression matches migration 0004's index exactly.
 */
export function reviewCutoff(today: string, months: number): string {
  return addToDate(today, { months: -months });
}

export const REVIEW_DUE = (cutoff: string) => sql<boolean>`coalesce(client.last_reviewed_on, client.registered_on) <= ${cutoff}`;
