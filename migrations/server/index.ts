import type { Migration } from 'kysely';
import * as m0001 from './0001_schema.ts';
import * as m0002 from './0002_client_index.ts';
import * as m0003 from './0003_trail_lock.ts';
import * as m0004 from './0004_moving_up.ts';
import * as m0005 from './0005_list_search.ts';
import * as m0006 from './0006_key_change.ts';
import * as m0007 from './0007_index_status.ts';
import * as m0008 from './0008_merged_clients.ts';

/**
 * The centre server's migrations (PostgreSQL), run by the owner account at setup and upgrade.
 * The first one builds the schema the file has after its own 0001–0012; from then on a change
 * to the schema is a migration in both lists. Names sort in the order they must run. Append only.
 */
export const serverMigrations: Readonly<Record<string, Migration>> = {
  '0001_schema': m0001,
  '0002_client_index': m0002,
  '0003_trail_lock': m0003,
  '0004_moving_up': m0004,
  '0005_list_search': m0005,
  '0006_key_change': m0006,
  '0007_index_status': m0007,
  '0008_merged_clients': m0008,
};
