import { expect } from 'vitest';
import { currentConsentText, type ChannelInput, type Report } from '../../electron/contract/index.ts';
import { consentNow, loginAs, syntheticClient, WORKER, type TestApp } from './vault-fixture.ts';

/*
 * A small centre's third quarter of 2026, counted by hand (k = 5):
 * - 21 clients who agreed to reports, registered on 15/07 and seen on 01/08 (psychological
 *   counselling): women 18–24 ×6, 25–34 ×8, 35–49 ×2; men 25–34 ×5;
 * - one more woman 25–34 seen in the quarter without consent to reports (left out);
 * - one woman 25–34 who agreed, registered and seen only in October (outside the quarter);
 * - twelve anonymous contacts on 10/08, women 25–34, harm-reduction supplies.
 * Every client carries planted words (alias, legal name, phone, note, outcome) that must never
 * appear in any export.
 */

export const PLANTED = {
  alias: 'Bí Danh Báo Cáo',
  legalName: 'Họ Tên Mật Báo Cáo',
  note: 'Ghi chú mật báo cáo',
  outcome: 'Kết quả mật báo cáo',
};

const MOTHERS = ['An', 'Bé', 'Cúc', 'Dung', 'Giang', 'Hà', 'Khánh', 'Lụa', 'My', 'Nga', 'Oanh', 'Phấn', 'Quế', 'Sen', 'Tâm', 'Uyên', 'Vân', 'Xuân', 'Yến', 'Ánh', 'Bích', 'Chi', 'Duyên'];

export const Q3_2026 = { kind: 'quarter', year: 2026, quarter: 3 } as const;

export interface ReportDataset {
  /** Client codes registered (all must stay out of every export). */
  codes: string[];
}

export async function buildReportDataset(app: TestApp): Promise<ReportDataset> {
  await loginAs(app, WORKER);
  const catalogue = await app.ok('catalogue.list', {});
  const type = (code: string) => catalogue.find((each) => each.code === code)?.id ?? 0;
  const codes: string[] = [];
  let n = 0;
  const add = async (sex: 'female' | 'male', birthYear: number, options: { reports: boolean; on: string }) => {
    const index = n++;
    const consentGiven = consentNow('case_record', 'adult', { givenOn: options.on });
    const input: ChannelInput<'clients.register'> = syntheticClient({
      motherName: MOTHERS[index] ?? `M${index}`,
      fatherName: 'Báo',
      birthYear,
      sex,
      alias: `${PLANTED.alias} ${String(index + 1).padStart(2, '0')}`,
      consent: consentGiven,
      identity: { legalName: `${PLANTED.legalName} ${index + 1}`, phone: null, idNumber: null, address: null },
      reportsConsent: options.reports ? { ...consentGiven, textVersion: currentConsentText('reports', 'adult') } : null,
    });
    const registered = await app.ok('clients.register', input);
    codes.push(registered.code);
    await app.ok('visits.record', {
      clientId: registered.clientId,
      visitOn: options.on === '2026-10-05' ? '2026-10-05' : '2026-08-01',
      place: 'centre',
      serviceTypeIds: [type('psychological_counselling')],
      note: `${PLANTED.note} ${index + 1}`,
      outcome: `${PLANTED.outcome} ${index + 1}`,
    });
  };
  const q3 = { reports: true, on: '2026-07-15' };
  for (let i = 0; i < 6; i++) await add('female', 2004, q3);
  for (let i = 0; i < 8; i++) await add('female', 1995, q3);
  for (let i = 0; i < 2; i++) await add('female', 1985, q3);
  for (let i = 0; i < 5; i++) await add('male', 1995, q3);
  await add('female', 1995, { reports: false, on: '2026-07-15' });
  await add('female', 1995, { reports: true, on: '2026-10-05' });
  for (let i = 0; i < 12; i++) {
    await app.ok('anonymous.record', { contactOn: '2026-08-10', ageBand: '25_34', sex: 'female', place: 'outreach', serviceTypeIds: [type('harm_reduction_supplies')] });
  }
  await app.ok('auth.logout', {});
  return { codes };
}

/** Start a report and step it to the end, as the screen does. Returns the report and how many steps it took. */
export async function runReport(app: TestApp, input: ChannelInput<'reports.start'>): Promise<{ jobId: string; report: Report; steps: number }> {
  const { jobId, total } = await app.ok('reports.start', input);
  for (let steps = 1; ; steps++) {
    const next = await app.ok('reports.next', { jobId });
    expect(next.total).toBe(total);
    if (next.report) return { jobId, report: next.report, steps };
    if (steps > total) throw new Error('report did not finish');
  }
}
