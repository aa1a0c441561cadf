import { sql } from 'kysely';
import type { z } from 'zod';
import type { ClientListRow, clientListInputSchema } from '../../contract/clients.ts';
import { normalizeCode } from '../../contract/client-code.ts';
import { foldForSearch } from '../../contract/text.ts';
import { ageBandOf, type AgeBand } from '../../contract/vocabulary.ts';
import type { Db } from '../users/accounts.ts';

type ListInput = z.output<typeof clientListInputSchema>;

/** Birth years that fall in an age band this year (age as far as the birth year tells). */
function birthYearsOf(band: AgeBand, year: number): [number, number] {
  const ranges: Record<AgeBand, [number, number]> = {
    under_18: [0, 17],
    '18_24': [18, 24],
    '25_34': [25, 34],
    '35_49': [35, 49],
    '50_plus': [50, 200],
  };
  const [youngest, oldest] = ranges[band];
  return [year - oldest, year - youngest];
}

const like = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

const SORT_COLUMNS = {
  code: 'client.code',
  alias: 'client.alias_folded',
  ageBand: 'client.birth_year',
  ward: 'client.ward_code',
  worker: 'user.display_name',
  lastContact: 'client.last_contact_on',
  openReferrals: 'client.open_referrals',
  nextFollowUp: 'client.next_follow_up_on',
} as const;

/**
 * The client list: filters, a search that ignores tones and folds đ ("dang" finds "Đặng") over
 * code and alias, and over the legal name only for the viewer's own clients; sorted on indexed
 * columns and paged for a virtualised table.
 */
export async function listClients(db: Db, input: ListInput, viewerId: number, today: string): Promise<{ total: number; rows: ClientListRow[] }> {
  const year = Number(today.slice(0, 4));
  const folded = foldForSearch(input.search);
  const code = normalizeCode(input.search);

  let query = db.selectFrom('client').leftJoin('user', 'user.id', 'client.assigned_worker_id');
  if (input.status !== 'all') query = query.where('client.status', '=', input.status);
  if (input.mine) query = query.where('client.assigned_worker_id', '=', viewerId);
  if (input.wardCode !== null) query = query.where('client.ward_code', '=', input.wardCode);
  if (input.ageBand !== null) {
    const [from, to] = birthYearsOf(input.ageBand, year);
    query = query.where('client.birth_year', '>=', from).where('client.birth_year', '<=', to);
  }
  if (input.withOpenReferrals) query = query.where('client.open_referrals', '>', 0);
  if (input.followUpDue) query = query.where('client.next_follow_up_on', '<=', today);
  if (folded) {
    query = query.where((eb) =>
      eb.or([
        eb('client.code', 'like', `${like(code)}%`),
        sql<boolean>`client.alias_folded like ${`%${like(folded)}%`} escape '\\'`,
        eb.and([
          eb('client.assigned_worker_id', '=', viewerId),
          eb.exists(
            eb
              .selectFrom('client_identity')
              .select('client_identity.client_id')
              .whereRef('client_identity.client_id', '=', 'client.id')
              .where(sql<boolean>`client_identity.legal_name_folded like ${`%${like(folded)}%`} escape '\\'`),
          ),
        ]),
      ]),
    );
  }

  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const column = SORT_COLUMNS[input.sort];
  const rows = await query
    .select([
      'client.id',
      'client.code',
      'client.alias',
      'client.alias_folded',
      'client.birth_year',
      'client.child_path',
      'client.ward_code',
      'client.assigned_worker_id',
      'user.display_name as worker_name',
      'client.last_contact_on',
      'client.open_referrals',
      'client.next_follow_up_on',
      'client.status',
    ])
    .orderBy(sql.ref(column), (order) => (input.direction === 'asc' ? order.asc() : order.desc()).nullsLast())
    .orderBy('client.id', 'desc')
    .limit(input.limit)
    .offset(input.offset)
    .execute();

  const reference = new Date(`${today}T12:00:00`);
  return {
    total: Number(total.n),
    rows: rows.map((row) => ({
      id: row.id,
      code: row.code,
      alias: row.alias,
      ageBand: ageBandOf(row.birth_year, reference),
      childPath: row.child_path === 1,
      wardCode: row.ward_code,
      workerName: row.worker_name,
      lastContactOn: row.last_contact_on,
      openReferrals: row.open_referrals,
      nextFollowUpOn: row.next_follow_up_on,
      status: row.status,
      matchedLegalName:
        folded !== '' &&
        row.assigned_worker_id === viewerId &&
        !row.code.startsWith(code) &&
        !row.alias_folded.includes(folded),
    })),
  };
}
