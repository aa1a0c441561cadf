import { createQueryId, type CompiledQuery, type Compilable, type RootOperationNode } from 'kysely';
import type { Db } from './schema.ts';

/*
 * Statements the app makes at every call (the gate's read of the session, the record a write is
 * about, a visit's rows, the audit entry) are built with Kysely's builder and compiled to text
 * once per store's dialect and shape, then given each call's values. Building and compiling them
 * again at every call was a third of the app's own work per visit (ten PCs recording at once:
 * 0.6 ms of 2.2), and the garbage it left added pauses while the trail was held.
 *
 * How: the builder is run once with stand-ins for the values (each a text no one types); where
 * each stand-in landed among the compiled statement's parameters is where the call's value goes.
 * A stand-in written into the statement's text, or left out of its parameters, means the builder
 * did something with the value other than pass it (a statement not reusable so): that fails at
 * once, in every test that makes the statement, and is never guessed at. The values' names are
 * part of the shape (a row with a column more is another insert), and a value left undefined is
 * refused: the builder would have left its column out, which a text made with it cannot.
 */

/** A statement's values: each a parameter, or a list of them (its length is part of the shape). */
type Values = Readonly<Record<string, unknown>>;

/** What decides a statement's text besides its values (which columns, which parts): compared as JSON. */
type Shape = string | number | boolean | null | readonly Shape[] | { readonly [key: string]: Shape };

/** A reusable statement made with one call's values: executed, or compiled to be read ahead or held (db/dialect.ts). */
export interface Statement<R> {
  compile(): CompiledQuery<R>;
  execute(): Promise<R[]>;
  executeTakeFirst(): Promise<R | undefined>;
  /** Its rows and how many it changed (a write's count). */
  run(): Promise<{ rows: R[]; numAffectedRows: bigint | undefined }>;
}

interface Template {
  readonly sql: string;
  readonly query: RootOperationNode;
  /** Per parameter: the value's name (and place in its list), or the builder's own constant. */
  readonly parameters: readonly ({ name: string; index: number | null } | { constant: unknown })[];
}

const STAND_IN = '\u0000dh-value\u0000';
const standIn = (name: string, index: number | null) => `${STAND_IN}${name}${index === null ? '' : `\u0000${index}`}`;

/** The compiled texts, per dialect (its adapter's class: the file's, the server's) and statement. */
const templates = new WeakMap<object, WeakMap<object, Map<string, Template>>>();

/**
 * A statement of Kysely's builder, built and compiled once per dialect and shape and reused with
 * each call's values. `build` must pass each value to the builder as a value (compared, inserted,
 * set) and never look at it (a stand-in is what it gets); what changes the text (columns chosen,
 * parts present) goes in `shape`. The values' names, and a list's length, are part of the shape
 * by themselves. `parts`: SQL fragments the shape names, the same for the same shape (the first
 * call's are built in, with any value in them: give a part no value that changes).
 */
export function reusable<V extends Values, R, S extends Shape = null, P = undefined>(
  build: (db: Db, values: V, shape: S, parts: P) => Compilable<R>,
): (db: Db, values: V, shape?: S, parts?: P) => Statement<R> {
  return (db, values, shape = null as S, parts = undefined as P) => {
    const compile = (): CompiledQuery<R> => {
      const template = templateOf(db, (into, standIns) => build(into, standIns, shape, parts), build, values, shape);
      const parameters = template.parameters.map((parameter) => {
        if ('constant' in parameter) return parameter.constant;
        const value = values[parameter.name];
        if (value === undefined) throw new Error(`reusable statement: no value for ${parameter.name}`);
        return parameter.index === null ? value : (value as readonly unknown[])[parameter.index];
      });
      return { sql: template.sql, query: template.query, parameters, queryId: createQueryId() };
    };
    return {
      compile,
      execute: async () => (await db.executeQuery(compile())).rows,
      executeTakeFirst: async () => (await db.executeQuery(compile())).rows[0],
      run: async () => {
        const { rows, numAffectedRows } = await db.executeQuery(compile());
        return { rows, numAffectedRows };
      },
    };
  };
}

function templateOf<V extends Values, R>(db: Db, build: (db: Db, values: V) => Compilable<R>, identity: object, values: V, shape: Shape): Template {
  // Each value's name, and a list's length beside it.
  const names = Object.entries(values).map(([name, value]) => (Array.isArray(value) ? [name, value.length] : name));
  const key = JSON.stringify([shape, names]);
  const adapter = db.getExecutor().adapter.constructor;
  let byBuild = templates.get(adapter);
  if (!byBuild) templates.set(adapter, (byBuild = new WeakMap()));
  let byKey = byBuild.get(identity);
  if (!byKey) byBuild.set(identity, (byKey = new Map()));
  const known = byKey.get(key);
  if (known) return known;
  const standIns = Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, Array.isArray(value) ? value.map((_, index) => standIn(name, index)) : standIn(name, null)]),
  ) as unknown as V;
  const compiled = build(db, standIns).compile();
  if (compiled.sql.includes(STAND_IN)) throw new Error('reusable statement: a value was written into its text');
  const seen = new Set<string>();
  const parameters = compiled.parameters.map((parameter) => {
    if (typeof parameter !== 'string' || !parameter.startsWith(STAND_IN)) return { constant: parameter };
    seen.add(parameter);
    const [name = '', index] = parameter.slice(STAND_IN.length).split('\u0000');
    return { name, index: index === undefined ? null : Number(index) };
  });
  const expected = Object.values(standIns).flat() as string[];
  if (expected.some((value) => !seen.has(value))) throw new Error('reusable statement: a value is not among its parameters');
  const template = { sql: compiled.sql, query: compiled.query, parameters };
  byKey.set(key, template);
  return template;
}
