import pg from 'pg';
import { AppError } from '../app-error.ts';
import { READ_AHEAD, sqlLiteral, unpackHeld, unpackReadAhead, WITH_NEXT } from '../db/dialect.ts';

/*
 * Reaching the centre's server (PostgreSQL, DESIGN.md §8): always over TLS, the server's
 * certificate checked against the centre's own CA and its name, never anything sent before
 * that holds. What went wrong is said as one of the server's error codes, never with the
 * server's own message (which can quote a value).
 */

/** Where the centre's server is, and the CA that signed its certificate (PEM). */
export interface ServerAddress {
  host: string;
  port: number;
  database: string;
  ca: string;
}

/** The two roles the app uses: one to read the keyring before unlock, one for the records after. */
export interface ServerRoles {
  login: string;
  app: string;
}

export const SERVER_ROLES: ServerRoles = { login: 'dh_login', app: 'dh_app' };

/**
 * The roles of a second database on the same server (a training copy: `--role-prefix
 * dh_training`), whose app password must not be the first database's: `<prefix>_login`,
 * `<prefix>_app`.
 */
export const rolesNamed = (prefix: string): ServerRoles => ({ login: `${prefix}_login`, app: `${prefix}_app` });

/** Node's names for a certificate that does not hold. */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);
const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

/** A failure to reach or use the server, as the app says it; anything else is left as it is. */
export function serverFailure(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  const as = (appCode: ConstructorParameters<typeof AppError>[0]) => new AppError(appCode, {}, { cause: error });
  if (typeof code === 'string') {
    if (CERTIFICATE_CODES.has(code)) return as('SERVER_CERTIFICATE');
    if (UNREACHABLE_CODES.has(code)) return as('SERVER_UNREACHABLE');
    if (LOST_CODES.has(code)) return as('SERVER_CONNECTION_LOST');
    // Wrong password; a connection pg_hba refuses (no TLS, a role not allowed in).
    if (code === '28P01' || code === '28000') return as('SERVER_CREDENTIALS');
    // No such database.
    if (code === '3D000') return as('SERVER_NOT_SET_UP');
  }
  if (/does not support SSL/i.test(message)) return as('SERVER_CERTIFICATE');
  if (/timeout/i.test(message)) return as('SERVER_UNREACHABLE');
  // A connection the server dropped under a call (node-pg's words: no code comes with them).
  if (/Connection terminated|is not queryable/i.test(message)) return as('SERVER_CONNECTION_LOST');
  return error;
}

/** Whole numbers come back as numbers, as from the file (counts are `bigint` to PostgreSQL). */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** A pool of connections as one role, TLS required and the certificate checked. */
export function serverPool(address: ServerAddress, role: { user: string; password: string }, options: { max?: number; database?: string; prepared?: boolean } = {}): pg.Pool {
  const pool = new pg.Pool({
    host: address.host,
    port: address.port,
    database: options.database ?? address.database,
    user: role.user,
    password: role.password,
    ssl: { ca: address.ca, rejectUnauthorized: true, servername: isIpAddress(address.host) ? undefined : address.host },
    max: options.max ?? 4,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // The app's pool keeps one connection while the vault is open: a new one must be made (TLS,
    // the password's proof) and learn the tables and named statements again, and the latter
    // happens while the call holds the trail, so every other PC would wait for it after each pause.
    min: options.prepared ? 1 : 0,
    application_name: 'dong-hanh',
    // The app's statements are many and short: compiling one (JIT, from PostgreSQL's cost of
    // 100,000 up) took 40 ms of a to-do list's 140, and starting parallel workers on a small
    // server's two cores costs more than they save while other PCs are asking too.
    options: '-c jit=off -c max_parallel_workers_per_gather=0',
    types,
  });
  // An idle connection the server drops is not an error of any call: the next call reconnects.
  pool.on('error', () => {});
  // Nor is one dropped while a call holds it: that call's query fails (and says so), and the
  // event the connection also raises must not end the process.
  pool.on('connect', (client) => client.on('error', () => {}));
  if (options.prepared) pool.on('connect', fewerTrips);
  return pool;
}

/**
 * The app's connections make fewer trips, and the server less work, while every other PC waits
 * for the trail (a writing call holds it from its first read to its COMMIT):
 * - Each short statement is parsed and planned once per connection (a named statement) rather
 *   than at every call: planning them again each time was a quarter of a visit's time on the
 *   server. Statements without values (several in one text, or a transaction's own) and long
 *   ones (a report's, a batch of rows) stay unnamed: those are each planned for their values.
 * - A statement whose answer nobody reads is held and goes with the next one, in one text and one
 *   trip: the transaction's BEGIN, the trail's lock and what the dialect marks (db/dialect.ts
 *   `withNext`: a record's summary, the audit entry). So a call's BEGIN, lock and first read
 *   are one trip, and its summary, audit entry and COMMIT another. The next statement, and each
 *   held one, goes by its name (`execute dh_N(…)`, its values written in) when this connection
 *   has parsed it: the server neither parses nor plans it again (a visit's four held statements:
 *   0.2 ms less of the hold). The first time, a held statement goes at once, on its own, after
 *   those held before it, and the next statement goes after the held ones. A ROLLBACK drops them
 *   (a BEGIN never sent needs none). Their answer is given at once (one row, as a one-row write's); their
 *   failure is the next statement's, and fails the call as their own would.
 * - A read the call will make (db/dialect.ts `readAhead`: the record a write is about, the id
 *   of the row it adds) goes after the next statement in the same text; its answer is kept and
 *   given when the call makes that read (the same statement and values) as the very next thing
 *   it does, in the same transaction, which has written nothing since: what the server would
 *   answer again. Several are given in the order they were sent. Any other statement first, and
 *   those not yet given are dropped.
 */
function fewerTrips(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  // node-pg's own record of the statements this connection's server has parsed, by name.
  const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection?.parsedStatements ?? {};
  let held: string[] = [];
  // Reads to go after the next statement, and the answers of those sent, by statement and values.
  let ahead: { text: string; key: string }[] = [];
  let answered: { key: string; result: unknown }[] = [];
  const send = (text: string, values: unknown) => {
    // A list among the values (ids to look up) is planned for its length each time: unnamed.
    const name = Array.isArray(values) && values.length > 0 && !values.some(Array.isArray) ? statementName(text, values.length) : undefined;
    return name ? query({ name, text, values }) : query(text, values);
  };
  // The next statement as text that can follow others in one message, or null when it cannot.
  const asText = (text: string, values: unknown): string | null => {
    const list = Array.isArray(values) ? values : [];
    if (list.length === 0) return text;
    const name = statementName(text, list.length);
    if (name === undefined || parsed[name] !== text) return null;
    const literals = list.map(sqlLiteral);
    return literals.includes(null) ? null : `execute ${name}(${literals.join(', ')})`;
  };
  (client as { query: unknown }).query = (text: unknown, values?: unknown, callback?: unknown) => {
    if (callback !== undefined || typeof text !== 'string') {
      answered = [];
      return query(text, values, callback);
    }
    const noValues = !Array.isArray(values) || values.length === 0;
    if (noValues && text.startsWith(READ_AHEAD)) {
      // Sent ahead only as text this connection can name; otherwise the call reads it when it comes to it.
      const read = unpackReadAhead(text);
      const written = read && asText(read.sql, read.parameters);
      const key = read && readKey(read.sql, read.parameters);
      if (written && key) ahead.push({ text: written, key });
      return Promise.resolve({ command: 'HELD', rowCount: 0, rows: [], fields: [] });
    }
    // The answer of a read sent ahead, when it is the next thing the call does (those after it wait their turn).
    const next = answered.shift();
    if (next && !noValues && next.key === readKey(text, values as unknown[])) return Promise.resolve(next.result);
    answered = [];
    if (noValues && text.startsWith(WITH_NEXT)) {
      const statement = unpackHeld(text);
      // Held by its name, when this connection has parsed it: the server neither parses nor plans it again.
      const named = statement && asText(statement.sql, statement.parameters);
      if (named || !statement || statementName(statement.sql, statement.parameters.length) === undefined) {
        held.push(named || text);
        return Promise.resolve({ command: 'HELD', rowCount: 1, rows: [], fields: [] });
      }
      // Its first time on this connection: it goes now, after those held, and is parsed under its name for the next times.
      return flushThen(() => send(statement.sql, statement.parameters));
    }
    if (noValues && BEGIN.test(text)) {
      held.push(text);
      return Promise.resolve({ command: 'HELD', rowCount: 1, rows: [], fields: [] });
    }
    if (held.length === 0 && ahead.length === 0) return send(text, values);
    const before = held;
    const after = ahead;
    held = [];
    ahead = [];
    if (ROLLBACK.test(text)) return BEGIN.test(before[0] ?? '') ? Promise.resolve({ command: 'ROLLBACK', rowCount: null, rows: [], fields: [] }) : query(text);
    // Reads ahead go only within the transaction they were made for, never after its end.
    if (TRANSACTION_END.test(text)) return before.length > 0 ? query([...before, text].join(';\n')).then((results) => (Array.isArray(results) ? results[results.length - 1] : results)) : query(text);
    const written = asText(text, values);
    // node-pg answers a text of several statements with a list: the next statement's comes after the held ones', then those read ahead.
    if (written !== null) {
      return query([...before, written, ...after.map((read) => read.text)].join(';\n')).then((results) => {
        const list = Array.isArray(results) ? results : [results];
        answered = after.map((read, i) => ({ key: read.key, result: list[before.length + 1 + i] }));
        return list[before.length];
      });
    }
    return sendHeld(before).then(() => send(text, values));
  };
  // Statements held, sent on their own.
  const sendHeld = (statements: readonly string[]) => (statements.length > 0 ? query(statements.join(';\n')) : Promise.resolve());
  // Those held go on their own (the reads ahead not yet sent are left to the call), then `next`.
  const flushThen = (next: () => Promise<unknown>) => {
    const before = held;
    held = [];
    ahead = [];
    return sendHeld(before).then(next);
  };
}

/** A read's statement and values as one key (null: values JSON cannot hold, which no read ahead has). */
const readKey = (text: string, values: readonly unknown[]): string | null => {
  try {
    return `${text}\u0000${JSON.stringify(values)}`;
  } catch {
    return null;
  }
};

const BEGIN = /^\s*(begin|start transaction)\b/i;
const ROLLBACK = /^\s*rollback\s*$/i;
const TRANSACTION_END = /^\s*(commit|end|rollback|prepare transaction)\b/i;


/** The longest statement, and the most values, that are named. */
const NAMED_TEXT_MAX = 2_000;
const NAMED_VALUES_MAX = 100;
/** How many different statements are named (the same names on every connection); those after them stay unnamed. */
const NAMED_MAX = 1_000;
const statementNames = new Map<string, string>();

function statementName(text: string, values: number): string | undefined {
  if (text.length > NAMED_TEXT_MAX || values > NAMED_VALUES_MAX) return undefined;
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < NAMED_MAX) {
    name = `dh_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

const isIpAddress = (host: string) => /^[0-9.]+$/.test(host) || host.includes(':');
