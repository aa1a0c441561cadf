import { CASELOAD_DEFAULTS, REPORT_DEFAULTS, RETENTION_YEARS, type CentreSettings } from '../../contract/settings.ts';
import { LOCK_TIMEOUT_MINUTES } from '../../contract/schemas.ts';
import type { Db } from '../db/schema.ts';
import { putSetting, settingValues, type SettingChange } from '../db/setting-store.ts';

/** Settings rows: one key each, values as JSON. */
const KEYS = {
  centreName: 'centre.name',
  centreCode: 'centre.code',
  lockTimeoutMinutes: 'session.lockTimeoutMinutes',
  noContactWarnDays: 'caseload.noContactWarnDays',
  noContactUrgentDays: 'caseload.noContactUrgentDays',
  reviewIntervalMonths: 'caseload.reviewIntervalMonths',
  todoAheadDays: 'caseload.todoAheadDays',
  reportK: 'reports.k',
  reportParentAgency: 'reports.parentAgency',
  reportRecipient: 'reports.recipient',
  reportDocumentNumber: 'reports.documentNumber',
  reportPlace: 'reports.place',
  reportSignerTitle: 'reports.signerTitle',
  reportSignerName: 'reports.signerName',
  dhis2OrgUnit: 'dhis2.orgUnit',
  dhis2DataSet: 'dhis2.dataSet',
  dhis2Mapping: 'dhis2.mapping',
  reportCsvSeparator: 'reports.csvSeparator',
  retentionYears: 'retention.years',
} as const satisfies Record<keyof CentreSettings, string>;

const DEFAULTS: CentreSettings = { centreName: '', centreCode: '', lockTimeoutMinutes: LOCK_TIMEOUT_MINUTES.default, ...CASELOAD_DEFAULTS, ...REPORT_DEFAULTS, retentionYears: RETENTION_YEARS.default };

export async function readSettings(db: Db): Promise<CentreSettings> {
  const byKey = await settingValues(db, '');
  const value = <K extends keyof CentreSettings>(name: K): CentreSettings[K] =>
    (byKey.get(KEYS[name]) as CentreSettings[K] | undefined) ?? DEFAULTS[name];
  return Object.fromEntries((Object.keys(KEYS) as (keyof CentreSettings)[]).map((name) => [name, value(name)])) as unknown as CentreSettings;
}

/** Write the given settings; returns the names of those whose value actually changed. */
export async function writeSettings(
  db: Db,
  patch: Partial<CentreSettings>,
  by: SettingChange,
): Promise<(keyof CentreSettings)[]> {
  const current = await readSettings(db);
  const changed = (Object.keys(patch) as (keyof CentreSettings)[]).filter(
    (name) => patch[name] !== undefined && patch[name] !== current[name],
  );
  for (const name of changed) await putSetting(db, KEYS[name], patch[name], by);
  return changed;
}
