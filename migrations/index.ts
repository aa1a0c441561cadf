import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.ts';
import * as m0002 from './0002_case_records.ts';
import * as m0003 from './0003_search.ts';
import * as m0004 from './0004_caseload.ts';
import * as m0005 from './0005_reports.ts';
import * as m0006 from './0006_client_rights.ts';
import * as m0007 from './0007_stated_reasons.ts';
import * as m0008 from './0008_unlinkable_contacts.ts';
import * as m0009 from './0009_word_search.ts';
import * as m0010 from './0010_paper_consent.ts';
import * as m0011 from './0011_group_sessions.ts';
import * as m0012 from './0012_activity_months.ts';
import * as m0013 from './0013_merged_clients.ts';

/**
 * Every migration, listed explicitly (no folder scan at run time, so the bundle and a
 * strict CSP both work). Names sort in the order they must run. Append only.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_foundation': m0001,
  '0002_case_records': m0002,
  '0003_search': m0003,
  '0004_caseload': m0004,
  '0005_reports': m0005,
  '0006_client_rights': m0006,
  '0007_stated_reasons': m0007,
  '0008_unlinkable_contacts': m0008,
  '0009_word_search': m0009,
  '0010_paper_consent': m0010,
  '0011_group_sessions': m0011,
  '0012_activity_months': m0012,
  '0013_merged_clients': m0013,
};
