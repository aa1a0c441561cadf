import type { Database } from './schema.ts';

/*
 * The columns that hold words about a person: on the centre's server each is sealed by the
 * app (vault/column-seal.ts) before it is sent, so the server, its disk, its log and its dumps
 * hold no name, alias, code or note (DESIGN.md §8). The rule: every column naming a client or
 * holding text someone typed about her or her case. Categories from the vocabulary, dates,
 * counts and ids stay in the clear: the server needs them to select, join and count.
 * On this PC's encrypted file the whole file is the seal, and these columns are kept as text.
 */
export const SEALED_COLUMNS = {
  client: ['code', 'alias'],
  client_identity: ['legal_name', 'phone', 'id_number', 'address'],
  consent: ['witness', 'paper_kept_at'],
  visit: ['outcome', 'note'],
  referral: ['note'],
  case_offer: ['message', 'response_reason'],
  case_review: ['comment'],
  group_session: ['topic', 'led_by'],
  saved_filter: ['name', 'filters'],
  change_history: ['old_value', 'new_value'],
  identity_access: ['reason'],
} as const satisfies { readonly [T in keyof Database]?: readonly (keyof Database[T] & string)[] };

export type SealedTable = keyof typeof SEALED_COLUMNS;
export type SealedColumn<T extends SealedTable> = (typeof SEALED_COLUMNS)[T][number];

/** The column a sealed value's row is named by (its associated data): the row's own id, or the client's. */
export const ROW_KEY: { readonly [T in SealedTable]: 'id' | 'client_id' } = {
  client: 'id',
  client_identity: 'client_id',
  consent: 'id',
  visit: 'id',
  referral: 'id',
  case_offer: 'id',
  case_review: 'id',
  group_session: 'id',
  saved_filter: 'id',
  change_history: 'id',
  identity_access: 'id',
};

/**
 * Columns the file keeps only to search and sort in SQL (folded text, indexed). The server has
 * no such column: its search runs over the opened text in the app's memory.
 */
export const FILE_ONLY_COLUMNS = {
  client: ['alias_folded'],
  client_identity: ['legal_name_folded'],
} as const satisfies { readonly [T in keyof Database]?: readonly (keyof Database[T] & string)[] };

/**
 * On the server, a sealed column that must be found by its exact value (the client code's
 * duplicate check) has a keyed hash beside it (column-seal.ts `lookupHash`), unique where the
 * value is.
 */
export const LOOKUP_COLUMNS = {
  client: { code: 'code_lookup' },
} as const;

/**
 * What only the server has beside the file's tables, to keep each PC's in-memory client index
 * fresh (clients/client-index.ts, server migration 0002): a change counter and its number on
 * each row. Numbers only; nothing about a person.
 */
export const SERVER_INDEX_PARTS = {
  tables: ['index_counter', 'index_gone'],
  columns: { client: ['index_seq'], client_identity: ['index_seq'] },
} as const;
