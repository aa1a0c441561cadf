import { sql, type RawBuilder } from 'kysely';
import type { z } from 'zod';
import { CLIENT_COUNT_CAP, type ClientFilters, type ClientListRow, type clientListInputSchema } from '../../contract/clients.ts';
import { normalizeCode } from '../../contract/client-code.ts';
import { foldForSearch } from '../../contract/text.ts';
import { AGE_BAND_AGES, ageBandOf, type AgeBand } from '../../contract/vocabulary.ts';
import type { CentreSettings } from '../../contract/settings.ts';
import { REVIEW_DUE, reviewCutoff } from '../records/review-due.ts';
import { addToDate } from '../clock.ts';
import type { Db } from '../db/schema.ts';
import { childNow } from '../records/access.ts';
import type { ColumnSealer } from '../vault/column-sealers.ts';
import { isShort, textMatches, wordsOf, type ClientIndex, type IndexHits } from './client-index.ts';

type ListInput = z.output<typeof clientListInputSchema>;

/** Birth years that fall in an age band this year (age as far as the birth year tells). */
function birthYearsOf(band: AgeBand, year: number): [number, number] {
  const [youngest, oldest] = AGE_BAND_AGES[band];
  return [year - oldest, year - youngest];
}

/** Everything that sorts after every string starting with `prefix` (SQLite compares UTF-8 bytes). */
const afterPrefix = (prefix: string) => `${prefix}\u{10FFFF}`;

/** A trigram MATCH for a substring: the text as one quoted phrase. */
const substring = (text: string) => `"${text.replaceAll('"', '""')}"`;

/**
 * Gather every client a search of three characters or more matches into a temporary table of
 * ids (in memory: temp_store is MEMORY), each full-text index consulted once: a code that starts
 * with the text, an alias that contains it, and, only among the viewer's own clients, a legal
 * name that contains it.
 */
async function collectMatches(db: Db, folded: string, code: string, viewerId: number): Promise<void> {
  await sql`create temp table if not exists search_hit (id integer primary key)`.execute(db);
  await sql`delete from temp.search_hit`.execute(db);
  await sql`insert or ignore into temp.search_hit (id) select id from client where code >= ${code} and code < ${afterPrefix(code)}`.execute(db);
  await sql`insert or ignore into temp.search_hit (id) select rowid from client_search where client_search match ${substring(folded)}`.execute(db);
  await sql`insert or ignore into temp.search_hit (id)
    select client.id from identity_search join client on client.id = identity_search.rowid
    where identity_search match ${substring(folded)} and client.assigned_worker_id = ${viewerId}`.execute(db);
}


/** Each typed word as the start of a word (FTS5 prefix terms, all of them required). */
const wordStarts = (words: readonly string[]) => words.map((word) => `"${word}"*`).join(' ');

/** The same test row by row: each typed word starts a word of the folded column (tested with a space before it). */
function startsWords(column: string, words: readonly string[]): RawBuilder<boolean> {
  return sql<boolean>`(${sql.join(
    words.map((word) => sql`(' ' || ${sql.ref(column)}) like ${`% ${word}%`}`),
    sql` and `,
  )})`;
}

/**
 * A search with a word of one or two letters (the first keystrokes, and the many two-letter
 * names: Út, Hà, Vy, An): a code that starts with it, or a word of the alias, or of the legal name of one
 * of the viewer's own clients, that starts with it. Each source is gathered up to the count cap
 * from its index (the word indexes keep prefixes of one and two letters). When none overflows,
 * the ids are the condition; when one does (a letter most names hold), the same test is made row
 * by row instead, which the list applies while walking its sort index until a page is full.
 */
async function shortSearch(db: Db, folded: string, code: string, viewerId: number): Promise<RawBuilder<boolean>> {
  const cap = CLIENT_COUNT_CAP + 1;
  const words = wordsOf(folded);
  const codes = sql<boolean>`(client.code >= ${code} and client.code < ${afterPrefix(code)})`;
  if (words.length === 0) return codes;
  await sql`create temp table if not exists search_hit (id integer primary key)`.execute(db);
  await sql`delete from temp.search_hit`.execute(db);
  const gathered = [
    await sql`insert or ignore into temp.search_hit (id) select id from client where code >= ${code} and code < ${afterPrefix(code)} limit ${cap}`.execute(db),
    await sql`insert or ignore into temp.search_hit (id) select rowid from client_words where client_words match ${wordStarts(words)} limit ${cap}`.execute(db),
    await sql`insert or ignore into temp.search_hit (id)
      select client.id from identity_words join client on client.id = identity_words.rowid
      where identity_words match ${wordStarts(words)} and client.assigned_worker_id = ${viewerId} limit ${cap}`.execute(db),
  ];
  if (gathered.every((result) => Number(result.numAffectedRows ?? 0) < cap)) return sql<boolean>`client.id in (select id from temp.search_hit)`;
  return sql<boolean>`(${codes} or ${startsWords('client.alias_folded', words)}
    or (client.assigned_worker_id = ${viewerId} and exists (select 1 from client_identity
      where client_identity.client_id = client.id and ${startsWords('client_identity.legal_name_folded', words)})))`;
}


/**
 * The hits as a condition: one list of every id first, so that PostgreSQL either looks a few up
 * by their key or walks the sort's index testing each row against the list (hashed); an `or`
 * of two lists made it read every client and compare each with every id. A legal name counts
 * only while she is still the viewer's own client.
 */
function indexCondition(hits: IndexHits, viewerId: number): RawBuilder<boolean> {
  const all = [...hits.codeOrAlias, ...hits.byLegalNameOnly];
  if (hits.byLegalNameOnly.length === 0) return sql<boolean>`client.id = any(${all}::integer[])`;
  return sql<boolean>`(client.id = any(${all}::integer[])
    and (client.assigned_worker_id = ${viewerId} or client.id = any(${hits.codeOrAlias}::integer[])))`;
}

const hitCount = (hits: IndexHits) => hits.codeOrAlias.length + hits.byLegalNameOnly.length;

/**
 * Is a search wide enough that reading the sorted ids and testing them here costs less than
 * sending the list of hits to the server? Finding `needed` of them (the count's cap, or just the
 * page's end when the index counted them) takes some (needed × clients ÷ hits) rows, each about
 * half what a hit sent costs (measured at 100,000 clients: to the cap, a search with 5,000 hits
 * is quicker sent, one with 10,000 quicker walked).
 */
const isWide = (hits: number, clients: number, needed: number) => hits * hits > (needed * clients) / 2;
/** Ids to read at a time while walking: enough to reach `needed` hits at the search's density in one go, most times. */
const walkBatch = (needed: number, hits: number, clients: number) => Math.min(50_000, Math.max(1000, Math.ceil(((needed * clients) / Math.max(1, hits)) * 1.3)));

/**
 * What a search matches, as a condition: for words of three letters or more, the gathered ids (a
 * code that starts with the text, an alias or own client's legal name that contains it); for a
 * shorter word, see `shortSearch`.
 */
async function searchCondition(db: Db, folded: string, code: string, viewerId: number): Promise<RawBuilder<boolean>> {
  if (!isShort(folded)) {
    await collectMatches(db, folded, code, viewerId);
    return sql<boolean>`client.id in (select id from temp.search_hit)`;
  }
  return shortSearch(db, folded, code, viewerId);
}

/**
 * The list's filters the client index cannot test, each with whether it is set. A filter added
 * to the contract must be named here (the type asks for every one).
 */
const NOT_IN_INDEX: { [K in Exclude<keyof ClientFilters, 'search' | 'sort' | 'direction' | 'status' | 'mine' | 'workerId'>]: (value: ClientFilters[K]) => boolean } = {
  wardCode: (value) => value !== null,
  ageBand: (value) => value !== null,
  withOpenReferrals: (value) => value,
  overdueReferrals: (value) => value,
  followUpDue: (value) => value,
  noContact: (value) => value,
  notReviewed: (value) => value,
};

/** The filters as the client index tests them (`countHits`), or null when one it cannot test is set. */
function indexedFilter(input: ListInput, viewerId: number): { status: ListInput['status']; workerId: number | null } | null {
  const set = (Object.keys(NOT_IN_INDEX) as (keyof typeof NOT_IN_INDEX)[]).some((key) => (NOT_IN_INDEX[key] as (value: unknown) => boolean)(input[key]));
  return set ? null : { status: input.status, workerId: input.mine ? viewerId : input.workerId };
}

/** The sorts that an index can deliver in order (all but the worker's name, which needs a join). */
const INDEXED_SORTS = new Set<ListInput['sort']>(['code', 'alias', 'ageBand', 'ward', 'lastContact', 'openReferrals', 'nextFollowUp']);

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
 *
 * Counting stops at CLIENT_COUNT_CAP. When a search matches more than that, the page is read by
 * walking the sort column's index and testing each client against the matches (a unary `+`
 * keeps SQLite from driving the query from the matches instead), which finds the first hundred
 * in a few milliseconds; a narrow search is driven from its matches and then sorted.
 */
export async function listClients(
  db: Db,
  input: ListInput,
  viewerId: number,
  today: string,
  settings: Pick<CentreSettings, 'noContactWarnDays' | 'reviewIntervalMonths'>,
  store: {
    columns: ColumnSealer;
    index: ClientIndex | null;
    /** Tests only: walk (or not) whatever the hits' count. */
    wide?: boolean;
    /**
     * Whether the index holds exactly what this transaction sees (the server's change counter at
     * the same number): only then does it count a search's hits itself.
     */
    countInIndex?: boolean;
  },
): Promise<{ total: number; totalIsLowerBound: boolean; rows: ClientListRow[] }> {
  const { columns, index } = store;
  const year = Number(today.slice(0, 4));
  const folded = foldForSearch(input.search);
  const code = normalizeCode(input.search);

  let query = db.selectFrom('client');
  if (input.status !== 'all') query = query.where('client.status', '=', input.status);
  if (input.mine) query = query.where('client.assigned_worker_id', '=', viewerId);
  else if (input.workerId !== null) query = query.where('client.assigned_worker_id', '=', input.workerId);
  if (input.wardCode !== null) query = query.where('client.ward_code', '=', input.wardCode);
  if (input.ageBand !== null) {
    const [from, to] = birthYearsOf(input.ageBand, year);
    query = query.where('client.birth_year', '>=', from).where('client.birth_year', '<=', to);
  }
  if (input.withOpenReferrals) query = query.where('client.open_referrals', '>', 0);
  if (input.followUpDue) query = query.where('client.next_follow_up_on', '<=', today);
  if (input.overdueReferrals) query = query.where('client.next_referral_due_on', '<', today);
  if (input.noContact) query = query.where(sql<boolean>`coalesce(client.last_contact_on, client.registered_on) <= ${addToDate(today, { days: -settings.noContactWarnDays })}`);
  if (input.notReviewed) query = query.where(REVIEW_DUE(reviewCutoff(today, settings.reviewIntervalMonths)));
  const hits = index && folded ? index.search(folded, code) : null;
  const condition = !folded ? null : hits ? indexCondition(hits, viewerId) : await searchCondition(db, folded, code, viewerId);
  const filtered = condition ? query.where(condition) : query;
  // Age bands sort by age: youngest first means the latest birth year first.
  const ascending = (input.direction === 'asc') !== (input.sort === 'ageBand');
  const orderedBy = <Q extends typeof query>(q: Q) =>
    q.orderBy(sql.ref(SORT_COLUMNS[input.sort]), (order) => (ascending ? order.asc() : order.desc()).nullsLast()).orderBy('client.id', 'desc');

  let matches: number;
  let pageIds: number[];
  if (index && (input.sort === 'code' || input.sort === 'alias')) {
    // Sealed on a server: the index's order, kept to the clients the filters let through (as many as match).
    const through = new Set((await filtered.select('client.id').execute()).map((row) => row.id));
    matches = through.size;
    pageIds = index.ordered(input.sort, input.direction === 'asc').filter((id) => through.has(id)).slice(input.offset, input.offset + input.limit);
  } else if (index) {
    const upTo = Math.max(CLIENT_COUNT_CAP + 1, input.offset + input.limit);
    // How many match, counted in the index when it can test every filter set (the case's status,
    // whose it is): then the server is asked only for the page, not for the count's cap.
    const filter = hits && store.countInIndex === true ? indexedFilter(input, viewerId) : null;
    const counted = hits && filter ? index.countHits(hits, filter, upTo) : null;
    const needed = counted === null ? upTo : input.offset + input.limit;
    if (hits && INDEXED_SORTS.has(input.sort) && (store.wide ?? isWide(hitCount(hits), index.size, needed))) {
      // A wide search (a letter or two, a common name): the filtered ids in the list's order,
      // read in batches along the sort's index and tested here, until enough are found.
      const isHit = (row: { id: number; worker: number | null }) => {
        const matched = hits.matched(row.id);
        return matched === 1 || (matched === 2 && row.worker === viewerId);
      };
      let found = 0;
      pageIds = [];
      const size = walkBatch(needed, hitCount(hits), index.size);
      for (let read = 0; ; read += size) {
        const batch = await orderedBy(query).select(['client.id', 'client.assigned_worker_id as worker']).limit(size).offset(read).execute();
        for (const row of batch) {
          if (!isHit(row)) continue;
          if (found >= input.offset && pageIds.length < input.limit) pageIds.push(row.id);
          found++;
        }
        if (batch.length < size || found >= needed) break;
      }
      matches = counted ?? found;
    } else {
      // One round trip gives the matches in order, up to the count's cap (or the page's end). Not
      // fewer when the index counted them: with a small limit PostgreSQL would walk the sort's
      // index for the few hits rather than look them up (17 ms against 8 for 300 hits of 100,000 clients).
      const ordered = input.sort === 'worker' ? filtered.leftJoin('user', 'user.id', 'client.assigned_worker_id') : filtered;
      const ids = (await orderedBy(ordered).select('client.id').limit(upTo).execute()).map((row) => row.id);
      matches = counted ?? ids.length;
      pageIds = ids.slice(input.offset, input.offset + input.limit);
    }
  } else {
    const counted = await db
      .selectFrom(filtered.select(sql<number>`1`.as('one')).limit(CLIENT_COUNT_CAP + 1).as('matches'))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    matches = Number(counted.n);
    // On the file, a wide search walks the sort column's index (a unary `+` keeps SQLite from driving the query from the matches).
    const walkIndex = folded !== '' && matches > CLIENT_COUNT_CAP && INDEXED_SORTS.has(input.sort);
    const paged = walkIndex && condition ? query.where(sql<boolean>`+${condition}`) : filtered;
    // First the page's ids (sorting narrow rows is cheaper), then those rows in full.
    const ordered = input.sort === 'worker' ? paged.leftJoin('user', 'user.id', 'client.assigned_worker_id') : paged;
    pageIds = (await orderedBy(ordered).select('client.id').limit(input.limit).offset(input.offset).execute()).map((row) => row.id);
  }
  const fetched = pageIds.length
    ? await db
        .selectFrom('client')
        .leftJoin('user', 'user.id', 'client.assigned_worker_id')
        .select([
          'client.id',
          'client.code',
          'client.alias',
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
        .where('client.id', 'in', pageIds)
        .execute()
    : [];
  const byId = new Map(columns.openRows('client', fetched).map((row) => [row.id, row]));
  const rows = pageIds.map((id) => byId.get(id)).filter((row) => row !== undefined);

  return {
    total: Math.min(matches, CLIENT_COUNT_CAP),
    totalIsLowerBound: matches > CLIENT_COUNT_CAP,
    rows: rows.map((row) => ({
      id: row.id,
      code: row.code,
      alias: row.alias,
      ageBand: ageBandOf(row.birth_year, today),
      childPath: childNow(row, today),
      wardCode: row.ward_code,
      workerName: row.worker_name,
      lastContactOn: row.last_contact_on,
      openReferrals: row.open_referrals,
      nextFollowUpOn: row.next_follow_up_on,
      status: row.status,
      matchedLegalName: folded !== '' && row.assigned_worker_id === viewerId && !row.code.startsWith(code) && !textMatches(foldForSearch(row.alias), folded),
    })),
  };
}
