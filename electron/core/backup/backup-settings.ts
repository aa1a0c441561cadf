import type { Db } from '../db/schema.ts';
import { putSetting, settingValues, type SettingChange } from '../db/setting-store.ts';

/*
 * The backup schedule's settings: where automatic backups go, how often, how many are kept,
 * whether one is made when the app closes, and when the last was made. They live in the
 * database through the settings store (a restore brings back those of its time).
 */

const KEYS = { folder: 'backup.folder', everyHours: 'backup.everyHours', keep: 'backup.keep', atExit: 'backup.atExit', lastAt: 'backup.lastAt' } as const;
const DEFAULTS = { folder: null as string | null, everyHours: 24, keep: 10, atExit: true, lastAt: null as string | null };
export type BackupSettings = typeof DEFAULTS;

export async function readBackupSettings(db: Db): Promise<BackupSettings> {
  const values = await settingValues(db, 'backup.');
  const value = <K extends keyof BackupSettings>(name: K): BackupSettings[K] => (values.has(KEYS[name]) ? (values.get(KEYS[name]) as BackupSettings[K]) : DEFAULTS[name]);
  return { folder: value('folder'), everyHours: value('everyHours'), keep: value('keep'), atExit: value('atExit'), lastAt: value('lastAt') };
}

export async function writeBackupSetting<K extends keyof BackupSettings>(db: Db, name: K, value: BackupSettings[K], by: SettingChange): Promise<void> {
  await putSetting(db, KEYS[name], value, by);
}
