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
}

export type IndexedSort = 'code' | 'alias';

/** Between two aliases in the index's one text of them: a character no folded alias or search holds. */
const ALIAS_APART = '\u0000';

/**
 * The entries of a text of entries laid end to end (each beginning at `starts`) in which `part`
 * is found, each once, in order. `part` holds no `ALIAS_APART`, so a place never runs into the next entry.
 */
function* foundIn(text: string, part: string, starts: Int32Array): Generator<number> {
  let entry = 0;
  const count = starts.length - 1;
  for (let at = text.indexOf(part); at !== -1; at = text.indexOf(part, starts[entry + 1])) {
    let top = count;
    while (entry + 1 < top) {
      const middle = (entry + 1 + top) >>> 1;
      if (starts[middle]! <= at) entry = middle;
      else top = middle;
    }
    yield entry;
  }
}

interface Entries {
  list: { id: number; client: Indexed }[];
  /** Every folded alias in the list's order, `ALIAS_APART` between them. */
  aliases: string;
  /** Where each alias begins in `aliases` (one more: where the next would). */
  starts: Int32Array;
  /** Every alias's words, each after a space, in the list's order, `ALIAS_APART` between aliases. */
  words: string;
  /** Where each alias's words begin in `words` (one more: where the next would). */
  wordStarts: Int32Array;
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

  async #refresh(db: Db, columns: ColumnSealer): Promise<void> {
    const counter = await sql<{ n: number }>`select n from index_counter where id = 1`.execute(db);
    const upTo = Number(counter.rows[0]?.n ?? 0);
    if (upTo === this.#seen) return;
    const from = this.#seen;
    // Legal names only of the viewer's own clients (as assigned now): no other is ever opened here.
    const [clients, identities, gone] = [
      (await sql<{ id: number; code: Sealed; alias: Sealed; worker: number | null; seq: number }>`
        select id, code, alias, assigned_worker_id as worker, index_seq as seq from client where index_seq > ${from} and index_seq <= ${upTo}`.execute(db)).rows,
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

  #putClient(columns: ColumnSealer, row: { id: number; code: Sealed; alias: Sealed; worker: number | null }): void {
    this.#clients.set(row.id, {
      code: columns.open('client', 'code', row.id, row.code),
      alias: foldedText(columns.open('client', 'alias', row.id, row.alias)),
      worker: row.worker,
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
    const starts = new Int32Array(list.length + 1);
    let length = 0;
    for (const [i, { client }] of list.entries()) {
      starts[i] = length;
      length += client.alias.folded.length + 1;
    }
    starts[list.length] = length;
    const aliases = list.map(({ client }) => client.alias.folded).join(ALIAS_APART);
    const wordStarts = new Int32Array(list.length + 1);
    let wordsLength = 0;
    const wordTexts = list.map(({ client }, i) => {
      const text = client.alias.words.map((word) => ` ${word}`).join('');
      wordStarts[i] = wordsLength;
      wordsLength += text.length + 1;
      return text;
    });
    wordStarts[list.length] = wordsLength;
    const words = wordTexts.join(ALIAS_APART);
    this.#entries = { list, aliases, starts, words, wordStarts };
    return this.#entries;
  }

  /**
   * What a search matches: clients whose code starts with the typed code or whose alias matches,
   * and the viewer's own clients whose legal name matches.
   */
  search(folded: string, code: string): { codeOrAlias: number[]; legalName: number[] } {
    const { list, aliases, starts, words, wordStarts } = this.#walk();
    const hit = new Uint8Array(list.length);
    // Codes tested one by one: a sorted copy would cost more to make again after each change at
    // another PC (a tenth of a second at 100,000 clients) than it saves a search (a millisecond or two).
    for (let i = 0; i < list.length; i++) if (list[i]!.client.code.startsWith(code)) hit[i] = 1;
    const typed = wordsOf(folded);
    if (typed.length > 0 && !folded.includes(ALIAS_APART)) {
      if (!isShort(folded)) {
        // Where the text is in the aliases' one text: each place names one alias.
        for (const entry of foundIn(aliases, folded, starts)) hit[entry] = 1;
      } else {
        // Each typed word starts a word of the alias (a space before each word in their one text).
        const all = new Uint8Array(list.length);
        for (const [n, word] of typed.entries()) {
          for (const entry of foundIn(words, ` ${word}`, wordStarts)) if (all[entry] === n) all[entry] = n + 1;
        }
        for (let i = 0; i < list.length; i++) if (all[i] === typed.length) hit[i] = 1;
      }
    }
    const matches = matcherOf(folded);
    // (A typed text holding the mark between aliases: tested alias by alias.)
    if (typed.length > 0 && folded.includes(ALIAS_APART)) for (let i = 0; i < list.length; i++) if (!hit[i] && matches(list[i]!.client.alias)) hit[i] = 1;
    const codeOrAlias: number[] = [];
    for (let i = 0; i < list.length; i++) if (hit[i]) codeOrAlias.push(list[i]!.id);
    const legalName: number[] = [];
    if (typed.length > 0) for (const [id, name] of this.#legalNames) if (matches(name)) legalName.push(id);
    return { codeOrAlias, legalName };
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
