import { adminEn, adminVi } from './admin.ts';
import { authEn, authVi } from './auth.ts';
import { backupEn, backupVi } from './backup.ts';
import { careEn, careVi } from './care.ts';
import { caseloadEn, caseloadVi } from './caseload.ts';
import { clientsEn, clientsVi } from './clients.ts';
import { commonEn, commonVi } from './common.ts';
import { importEn, importVi } from './import.ts';
import { reportsEn, reportsVi } from './reports.ts';
import { rightsEn, rightsVi } from './rights.ts';
import { settingsEn, settingsVi } from './settings.ts';
import type { Widen } from './types.ts';

/*
 * The app's words, one file per feature, each holding its Vietnamese (the first language) and
 * its English, key for key (the type and a test both hold this). Here they are put together.
 */

export const vi = { ...commonVi, ...authVi, ...adminVi, ...clientsVi, ...careVi, ...settingsVi, ...caseloadVi, ...reportsVi, ...backupVi, ...rightsVi, ...importVi } as const;
export type Messages = Widen<typeof vi>;
export const en: Messages = { ...commonEn, ...authEn, ...adminEn, ...clientsEn, ...careEn, ...settingsEn, ...caseloadEn, ...reportsEn, ...backupEn, ...rightsEn, ...importEn };
