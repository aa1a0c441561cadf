import { sql } from 'kysely';
import { addToDate } from '../clock.ts';
import type { Db } from '../db/schema.ts';

/*
 * The retention rule: a case closed more than N whole years ago is de-identified. "Closed" is
 * the date of its latest closing (a case reopened since is open and not due). A case frozen
 * while a request of hers is handled is held back until the freeze is lifted. Nothing happens
 * by itself: an administrator sees the list and confirms it.
 */

interface DueCase {
  clientId: number;
  closedOn: string;
  visits: number;
  referrals: number;
}

/** The last day a case may have been closed on to be due today (null: the rule is off). */
export function closedOnOrBefore(years: number, today: string): string | null {
  return years > 0 ? addToDate(today, { months: -12 * years }) : null;
}

export async function dueCases(db: Db, years: number, today: string): Promise<DueCase[]> {
  return (await closedLongAgo(db, years, today)).filter((row) => !row.frozen);
}

/** Cases the rule would take but a freeze holds back. */
export async function heldCases(db: Db, years: number, today: string): Promise<number> {
  return (await closedLongAgo(db, years, today)).filter((row) => row.frozen).length;
}

async function closedLongAgo(db: Db, years: number, today: string): Promise<(DueCase & { frozen: boolean })[]> {
  const limit = closedOnOrBefore(years, today);
  if (!limit) return [];
  const rows = await sql<{ client_id: number; closed_on: string; visits: number; referrals: number; frozen: number }>`
    select client.id as client_id, closing.closed_on,
           exists (select 1 from restriction where restriction.client_id = client.id and restriction.ended_at is null) as frozen,
           (select count(*) from visit where visit.client_id = client.id) as visits,
           (select count(*) from referral where referral.client_id = client.id) as referrals
    from client
    join (select client_id, max(on_date) as closed_on from case_event where kind = 'closed' group by client_id) as closing
      on closing.client_id = client.id
    where client.status = 'closed' and closing.closed_on <= ${limit}
    order by closing.closed_on, client.id`.execute(db);
  return rows.rows.map((row) => ({ clientId: row.client_id, closedOn: row.closed_on, visits: Number(row.visits), referrals: Number(row.referrals), frozen: Number(row.frozen) === 1 }));
}
