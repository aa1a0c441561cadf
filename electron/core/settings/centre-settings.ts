import { CASELOAD_DEFAULTS, REPORT_DEFAULTS, RETENTION_YEARS, SETTINGS_GROUPS, type CentreSettings, type SettingsGroup } from '../../contract/settings.ts';
import { assertUnchanged, versionOf } from '../records/versions.ts';
import { LOCK_TIMEOUT_MINUTES } from '../../contract/schemas.ts';
import type { Db } from '../db/schema.ts';
import { putSetting, settingValues, type SettingChange } from '../db/setting-store.ts';

/** The settings themselves (what is kept), without their groups' versions. */
export type SettingValues = Omit<CentreSettings, 'versions'>;

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
} as const satisfies Record<keyof SettingValues, string>;

const DEFAULTS: SettingValues = { centreName: '', centreCode: '', lockTimeoutMinutes: LOCK_TIMEOUT_MINUTES.default, ...CASELOAD_DEFAULTS, ...REPORT_DEFAULTS, retentionYears: RETENTION_YEARS.default };

export async function readSettings(db: Db): Promise<CentreSettings> {
  const byKey = await settingValues(db, '');
  const value = <K extends keyof SettingValues>(name: K): SettingValues[K] =>
    (byKey.get(KEYS[name]) as SettingValues[K] | undefined) ?? DEFAULTS[name];
  const values = Object.fromEntries((Object.keys(KEYS) as (keyof SettingValues)[]).map((name) => [name, value(name)])) as unknown as SettingValues;
  const versions = Object.fromEntries((Object.keys(SETTINGS_GROUPS) as SettingsGroup[]).map((group) => [group, groupVersion(values, group)])) as CentreSettings['versions'];
  return { ...values, versions };
}

/** A group's version: the values its form edits, as they are now. */
function groupVersion(values: SettingValues, group: SettingsGroup): string {
  return versionOf('settings', 0, [group, ...SETTINGS_GROUPS[group].map((name) => values[name])]);
}

/**
 * Write the given settings of `group`, if the group is as it was when its form was opened
 * (`version`; RECORD_CHANGED otherwise, nothing written); returns the names of those whose
 * value actually changed.
 */
export async function writeSettings(
  db: Db,
  group: SettingsGroup,
  version: string,
  patch: Partial<SettingValues>,
  by: SettingChange,
): Promise<(keyof SettingValues)[]> {
  const current = await readSettings(db);
  assertUnchanged(version, current.versions[group]);
  const allowed: readonly string[] = SETTINGS_GROUPS[group];
  const changed = (Object.keys(patch) as (keyof SettingValues)[]).filter(
    (name) => allowed.includes(name) && patch[name] !== undefined && patch[name] !== current[name],
  );
  for (const name of changed) await putSetting(db, KEYS[name], patch[name], by);
  return changed;
}

/** The first values, written by the setup that creates the vault (no form was opened before). */
export async function writeFirstSettings(db: Db, values: Partial<SettingValues>, by: SettingChange): Promise<void> {
  for (const name of Object.keys(values) as (keyof SettingValues)[]) if (values[name] !== undefined) await putSetting(db, KEYS[name], values[name], by);
}
