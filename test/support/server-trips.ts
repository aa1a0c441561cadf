import pg from 'pg';

/**
 * Counts the trips this process makes to PostgreSQL servers: each trip ends with one message that
 * asks for an answer, a text (simple query) or a Sync. `stop` puts node-pg back as it was.
 */
export function countTrips(): { readonly trips: number; reset(): void; stop(): void } {
  const wire = pg.Connection.prototype as unknown as { query(text: string): void; sync(): void };
  const { query, sync } = wire;
  let trips = 0;
  wire.query = function (this: unknown, text: string) {
    trips++;
    return query.call(this, text);
  };
  wire.sync = function (this: unknown) {
    trips++;
    return sync.call(this);
  };
  return {
    get trips() {
      return trips;
    },
    reset: () => {
      trips = 0;
    },
    stop: () => {
      wire.query = query;
      wire.sync = sync;
    },
  };
}
