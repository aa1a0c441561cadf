import { sql } from 'kysely';
import { AppError } from '../app-error.ts';
import { foldForSearch } from '../../contract/text.ts';
import type { Core } from '../core.ts';
import type { Db, Sealed } from '../db/schema.ts';
import { sessionSlot } from '../session-state.ts';
import { compareBinary } from '../text.ts';
import type { ColumnSealer } from '../vault/column-sealers.ts';

/*
 * On the centre's server a client's code, alias and legal name are sealed (db/sealed-columns.ts),
 * so the server can neither search nor sort them. This PC keeps them opened in memory for the
 * length of a session: the search (a code that starts with the text, an alias that holds it, the
 * legal name of one's own clients), the sort by code or alias, and the duplicate-code check read
 * here, and SQL does the rest (filters, counts, the other sorts).
 *
 * Kept fresh across PCs by the server's change counter (server migration 0002): every insert or
 * change of a code, alias or legal name takes the next number, and a deletion is noted with
 * one. Taking a number locks the counter's row until the writer commits, so numbers are
 * committed in the order they are taken: once this PC has read the counter at n, every change
 * numbered n or less is visible, and a refresh reads just those since its last look. The index
 * reads through its own connection, never a request's transaction, so a change that is later
 * rolled back is never seen. On the file none of this exists: SQL searches its own copies.
 */

/** The typed words (letters and digits, as the file's word indexes hold them). */
export const wordsOf = (folded: string): string[] => folded.match(/[\p{L}\p{N}]+/gu) ?? [];

/** Too short for a substring search: a word of one or two letters ("ut", "thi u"), or no word at all. */
export function isShort(folded: string): boolean {
  const words = wordsOf(folded);
  return words.length === 0 || words.some((word) => word.length < 3);
}

/**
 * Does a folded text match a search, as the file's indexes test it: for words of three letters
 * or more, it holds the whole typed text; for a shorter word, each typed word starts one of its
 * words.
 */
export function textMatches(textFolded: string, folded: string): boolean {
  return matcherOf(folded)({ folded: textFolded, words: wordsOf(textFolded) });
}

/** A folded text as the index keeps it: whole, and cut into its words once (a search then needs no pattern per entry). */
interface FoldedText {
  folded: string;
  words: readonly string[];
}
const foldedText = (text: string): FoldedText => {
  const folded = foldForSearch(text);
  return { folded, words: wordsOf(folded) };
};

/** The test `textMatches` makes, worked out once for a search and then applied to every entry. */
function matcherOf(folded: string): (text: FoldedText) => boolean {
  if (!isShort(folded)) return (text) => text.folded.includes(folded);
  const typed = wordsOf(folded);
  if (typed.length === 0) return () => false;
  return (text) => typed.every((word) => text.words.some((candidate) => candidate.startsWith(word)));
}

interface Indexed {
  code: string;
  alias: FoldedText;
  worker: number | null;
  open: boolean;
}

export type IndexedSort = 'code' | 'alias';

/** What a search over the index matched (`ClientIndex.search`). */
export interface IndexHits {
  codeOrAlias: number[];
  legalName: number[];
  byLegalNameOnly: number[];
  /** 1: by code or alias; 2: by the legal name alone; 0: not matched. */
  matched(id: number): 0 | 1 | 2;
}

/** Between two aliases in the index's one text of them: a character no folded alias or search holds. */
const ALIAS_APART = '\u0000';

/**
 * Each entry of a text of entries laid end to end (each beginning at `starts`) in which `part`
 * is found, once, in order. `part` holds no `ALIAS_APART` past its first character, so a place
 * never runs into the next entry.
 */
function eachFound(text: string, part: string, starts: Int32Array, visit: (entry: number) => void): void {
  let entry = 0;
  // Places come in order: the entry only moves forward (at most once over every entry in all).
  for (let at = text.indexOf(part); at !== -1; at = text.indexOf(part, starts[entry + 1])) {
    while (starts[entry + 1]! <= at) entry++;
    visit(entry);
  }
}

/** Texts laid end to end in one, each after `ALIAS_APART`, and where each begins (one more: where the next would). */
function laidOut(texts: readonly string[]): { text: string; starts: Int32Array } {
  const starts = new Int32Array(texts.length + 1);
  let length = 0;
  for (const [i, text] of texts.entries()) {
    starts[i] = length;
    length += text.length + 1;
  }
  starts[texts.length] = length;
  return { text: ALIAS_APART + texts.join(ALIAS_APART), starts };
}

interface Entries {
  list: { id: number; client: Indexed }[];
  /** The highest id in the list (a search marks its hits in an array that long). */
  maxId: number;
  /** Every code, folded alias and alias's words (each word after a space), in the list's order, laid out (`laidOut`). */
  codes: { text: string; starts: Int32Array };
  aliases: { text: string; starts: Int32Array };
  words: { text: string; starts: Int32Array };
}

export class ClientIndex {
  readonly #clients = new Map<number, Indexed>();
  readonly #legalNames = new Map<number, FoldedText>();
  #seen = 0;
  #sorted = new Map<string, number[]>();
  #refreshing: Promise<void> | null = null;

  /** Whose session it serves: the legal names it opens are those of her own clients only. */
  constructor(readonly viewerId: number) {}

  /** How many clients it holds. */
  get size(): number {
    return this.#clients.size;
  }

  /** Bring it up to the server's committed changes (one refresh at a time). */
  refresh(db: Db, columns: ColumnSealer): Promise<void> {
    this.#refreshing ??= this.#refresh(db, columns).finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  /** The change counter's number it has read every change up to. */
  get seen(): number {
    return this.#seen;
  }

  async #refresh(db: Db, columns: ColumnSealer): Promise<void> {
    const counter = await indexCounterRead().execute(db);
    const upTo = Number(counter.rows[0]?.n ?? 0);
    if (upTo === this.#seen) return;
    const from = this.#seen;
    // Legal names only of the viewer's own clients (as assigned now): no other is ever opened here.
    const [clients, identities, gone] = [
      (await sql<{ id: number; code: Sealed; alias: Sealed; worker: number | null; status: string; seq: number }>`
        select id, code, alias, assigned_worker_id as worker, status, index_seq as seq from client where index_seq > ${from} and index_seq <= ${upTo}`.execute(db)).rows,
      (await sql<{ client_id: number; legal_name: Sealed | null; seq: number }>`
        select client_identity.client_id, client_identity.legal_name, client_identity.index_seq as seq from client_identity
        join client on client.id = client_identity.client_id and client.assigned_worker_id = ${this.viewerId}
        where client_identity.index_seq > ${from} and client_identity.index_seq <= ${upTo}`.execute(db)).rows,
      (await sql<{ what: 'client' | 'identity'; client_id: number; seq: number }>`
        select what, client_id, seq from index_gone where seq > ${from} and seq <= ${upTo}`.execute(db)).rows,
    ];
    // A client newly handed to the viewer whose name did not change meanwhile: her name is read too.
    const named = new Set(identities.map((row) => row.client_id));
    const handedOver = clients.filter((row) => row.worker === this.viewerId && !named.has(row.id) && this.#clients.get(row.id)?.worker !== this.viewerId).map((row) => row.id);
    if (handedOver.length) {
      const names = await sql<{ client_id: number; legal_name: Sealed | null; seq: number }>`
        select client_id, legal_name, ${upTo} as seq from client_identity where client_id = any(${handedOver}::integer[])`.execute(db);
      identities.push(...names.rows);
    }
    // In the order they happened: an identity removed and written again in one correction.
    const changes = [
      ...clients.map((row) => ({ seq: Number(row.seq), apply: () => this.#putClient(columns, row) })),
      ...identities.map((row) => ({ seq: Number(row.seq), apply: () => this.#putLegalName(columns, row) })),
      ...gone.map((row) => ({ seq: Number(row.seq), apply: () => this.#forget(row.what, row.client_id) })),
    ].sort((a, b) => a.seq - b.seq);
    for (const change of changes) change.apply();
    this.#seen = upTo;
    // What is worked out from the clients is worked out again when next asked for.
    this.#sorted.clear();
    this.#entries = null;
  }

  #putClient(columns: ColumnSealer, row: { id: number; code: Sealed; alias: Sealed; worker: number | null; status: string }): void {
    this.#clients.set(row.id, {
      code: columns.open('client', 'code', row.id, row.code),
      alias: foldedText(columns.open('client', 'alias', row.id, row.alias)),
      worker: row.worker,
      open: row.status === 'open',
    });
    // Handed to a colleague: her legal name is let go at once.
    if (row.worker !== this.viewerId) this.#legalNames.delete(row.id);
  }

  #putLegalName(columns: ColumnSealer, row: { client_id: number; legal_name: Sealed | null }): void {
    if (this.#clients.get(row.client_id)?.worker !== this.viewerId) {
      this.#legalNames.delete(row.client_id);
      return;
    }
    const legalName = columns.open('client_identity', 'legal_name', row.client_id, row.legal_name);
    if (legalName) this.#legalNames.set(row.client_id, foldedText(legalName));
    else this.#legalNames.delete(row.client_id);
  }

  #forget(what: 'client' | 'identity', clientId: number): void {
    this.#legalNames.delete(clientId);
    if (what === 'client') this.#clients.delete(clientId);
  }

  /**
   * The clients as an array, and what a search reads of them laid out for it: every alias in one
   * text, and every alias's words in another (an alias found with `indexOf` passes rather than a
   * test per client). Made again, when next searched, after a refresh that changed anything
   * (about 40 ms at 100,000 clients).
   */
  #entries: Entries | null = null;
  #walk(): Entries {
    if (this.#entries) return this.#entries;
    const list = [...this.#clients].map(([id, client]) => ({ id, client }));
    this.#entries = {
      list,
      maxId: list.reduce((max, { id }) => Math.max(max, id), 0),
      codes: laidOut(list.map(({ client }) => client.code)),
      aliases: laidOut(list.map(({ client }) => client.alias.folded)),
      words: laidOut(list.map(({ client }) => client.alias.words.map((word) => ` ${word}`).join(''))),
    };
    return this.#entries;
  }

  /**
   * What a search matches: clients whose code starts with the typed code or whose alias matches,
   * and the viewer's own clients whose legal name matches (`legalName`; those matched by it alone
   * also in `byLegalNameOnly`); `matched(id)` says which, by a look-up in an array of every id.
   */
  search(folded: string, code: string): IndexHits {
    const { list, maxId, codes, aliases, words } = this.#walk();
    const hit = new Uint8Array(list.length);
    const mark = (entry: number) => {
      hit[entry] = 1;
    };
    // A code that starts with the typed one: found after the mark before it, in the codes' one text.
    if (!code.includes(ALIAS_APART)) eachFound(codes.text, `${ALIAS_APART}${code}`, codes.starts, mark);
    const typed = wordsOf(folded);
    if (typed.length > 0 && !folded.includes(ALIAS_APART)) {
      if (!isShort(folded)) {
        // Where the text is in the aliases' one text: each place names one alias.
        eachFound(aliases.text, folded, aliases.starts, mark);
      } else {
        // Each typed word starts a word of the alias (a space before each word in their one text).
        const all = new Uint8Array(list.length);
        for (const [n, word] of typed.entries()) {
          eachFound(words.text, ` ${word}`, words.starts, (entry) => {
            if (all[entry] === n) all[entry] = n + 1;
          });
        }
        for (let i = 0; i < list.length; i++) if (all[i] === typed.length) hit[i] = 1;
      }
    }
    const matches = matcherOf(folded);
    // (A typed text holding the mark between aliases: tested alias by alias.)
    if (typed.length > 0 && folded.includes(ALIAS_APART)) for (let i = 0; i < list.length; i++) if (!hit[i] && matches(list[i]!.client.alias)) hit[i] = 1;
    // What matched each id, in an array as long as the highest id (or a map, should ids run far beyond the clients' count).
    const byId: { [id: number]: number } = maxId <= list.length * 8 + 65_536 ? new Uint8Array(maxId + 1) : {};
    const codeOrAlias: number[] = [];
    for (let i = 0; i < list.length; i++) {
      if (!hit[i]) continue;
      const { id } = list[i]!;
      codeOrAlias.push(id);
      byId[id] = 1;
    }
    const legalName: number[] = [];
    const byLegalNameOnly: number[] = [];
    if (typed.length > 0) {
      for (const [id, name] of this.#legalNames) {
        if (!matches(name)) continue;
        legalName.push(id);
        // (Every legal name kept is of a client in the list: its id is within the array.)
        if (byId[id] === 1) continue;
        byLegalNameOnly.push(id);
        byId[id] = 2;
      }
    }
    return { codeOrAlias, legalName, byLegalNameOnly, matched: (id) => (byId[id] ?? 0) as 0 | 1 | 2 };
  }

  /**
   * How many of a search's hits a list shows when its only filters are these (the case's status,
   * whose it is), counted here up to `cap`: a legal name counts only while she is the viewer's
   * own client. Null when the index does not hold one of the hits (changed since it was read).
   */
  countHits(hits: Pick<IndexHits, 'codeOrAlias' | 'byLegalNameOnly'>, filter: { status: 'open' | 'closed' | 'all'; workerId: number | null }, cap: number): number | null {
    const passes = (client: Indexed) => (filter.status === 'all' || client.open === (filter.status === 'open')) && (filter.workerId === null || client.worker === filter.workerId);
    let count = 0;
    for (const id of hits.codeOrAlias) {
      const client = this.#clients.get(id);
      if (!client) return null;
      if (passes(client) && ++count >= cap) return count;
    }
    for (const id of hits.byLegalNameOnly) {
      const client = this.#clients.get(id);
      if (!client) return null;
      if (client.worker === this.viewerId && passes(client) && ++count >= cap) return count;
    }
    return count;
  }

  /** Every client's code, with her id. */
  *codes(): Iterable<[code: string, id: number]> {
    for (const [id, client] of this.#clients) yield [client.code, id];
  }

  /** Holders of a code or one of its suffixed forms (`LAHU98-1.2`), the plain one first, then by id. */
  holdersOfCode(base: string): { id: number; code: string }[] {
    const holders: { id: number; code: string }[] = [];
    for (const [id, client] of this.#clients) if (client.code === base || client.code.startsWith(`${base}.`)) holders.push({ id, code: client.code });
    return holders.sort((a, b) => Number(b.code === base) - Number(a.code === base) || a.id - b.id);
  }

  /** Every client's id in the order a list sorted by code or alias shows them (ties: newest first, as the file's list). */
  ordered(sort: IndexedSort, ascending: boolean): readonly number[] {
    const key = `${sort}:${ascending}`;
    let ids = this.#sorted.get(key);
    if (!ids) {
      const keyOf = (id: number) => {
        const client = this.#clients.get(id)!;
        return sort === 'code' ? client.code : client.alias.folded;
      };
      const direction = ascending ? 1 : -1;
      ids = [...this.#clients.keys()].sort((a, b) => direction * compareBinary(keyOf(a), keyOf(b)) || b - a);
      this.#sorted.set(key, ids);
    }
    return ids;
  }

  /** Let every opened text go (at lock and logout). */
  clear(): void {
    this.#entries = null;
    this.#clients.clear();
    this.#legalNames.clear();
    this.#sorted.clear();
    this.#seen = 0;
  }
}

/**
 * The server's change counter, as a request's transaction sees it (read ahead with the gate's
 * first read): when the index has read up to that very number, what it counts is what the
 * transaction's SQL would count.
 */
export const indexCounterRead = () => sql<{ n: number }>`select n from index_counter where id = 1`;

const CLIENT_INDEX = sessionSlot<ClientIndex | null>('clients.index', () => null, (index) => index?.clear());

/**
 * The session's index on a server, fresh (built at the first call after unlock); null on the
 * file, where SQL searches. Read through the store's own connection, not the request's
 * transaction (see above).
 */
export async function clientIndexOf(core: Core): Promise<ClientIndex | null> {
  if (core.vault.kind !== 'server') return null;
  let index = core.state.get(CLIENT_INDEX);
  if (!index) {
    if (!core.session) throw new AppError('NOT_AUTHENTICATED');
    index = new ClientIndex(core.session.id);
    core.state.set(CLIENT_INDEX, index);
  }
  await index.refresh(core.vault.db, core.vault.columns);
  return index;
}
