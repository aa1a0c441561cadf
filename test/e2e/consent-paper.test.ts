import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONSENT_TEXTS } from '../../electron/contract/index.ts';
import { checkScreen, field, launch, SCREENSHOTS, type Harness } from '../support/e2e-harness.ts';
import { standardTemplate, tempDir, WORKER } from '../support/vault-fixture.ts';

/*
 * "Written" consent needs paper. A worker prints the consent form from the registration form
 * (no code or name on it) and from a client's consent ledger (the code and alias only when she
 * ticks it), in Vietnamese or English, and records where the signed form is kept.
 */

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

describe('the consent form on paper', () => {
  it('prints the exact texts with the centre, the date and signature lines; records where the signed form is kept', async () => {
    const dir = tempDir('dh-e2e-paper-');
    cpSync((await standardTemplate()).dir, dir, { recursive: true });
    harness = await launch(dir);
    const { page } = harness;
    await expect.poll(() => page.getByRole('heading', { name: 'Đăng nhập' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await field(page, 'Tên đăng nhập').fill(WORKER.username);
    await field(page, 'Mật khẩu').fill(WORKER.password);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('heading', { name: 'Việc cần làm', level: 1 }).isVisible(), { timeout: 20_000 }).toBe(true);
    await page.getByRole('link', { name: 'Thân chủ', exact: true }).click();
    await page.getByRole('link', { name: 'Đăng ký thân chủ' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Đăng ký thân chủ mới' }).isVisible()).toBe(true);
    // No raw text code on screen: the text to read is named in words.
    expect(await page.getByText('case_record.adult.v1', { exact: false }).count()).toBe(0);
    expect(await page.getByText('Văn bản đọc cho thân chủ (bản số 1, dành cho người lớn)').first().isVisible()).toBe(true);

    // From the registration form: the case record and the reports, as she will be asked.
    await page.getByRole('button', { name: 'In phiếu đồng ý để ký' }).click();
    const dialog = page.getByRole('dialog', { name: 'Phiếu đồng ý bằng giấy' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const paper = dialog.getByRole('article', { name: 'Phiếu sẽ in' });
    let words = await paper.innerText();
    for (const part of [
      'TRUNG TÂM THỬ NGHIỆM',
      'PHIẾU ĐỒNG Ý',
      'Ngày 28 tháng 11 năm 2026',
      'Mã thân chủ (cán bộ ghi):',
      'Lập hồ sơ hỗ trợ',
      CONSENT_TEXTS['case_record.adult.v1'].vi,
      'Số liệu ẩn danh trong báo cáo',
      CONSENT_TEXTS['reports.v1'].vi,
      'Văn bản bản số 1, dành cho người lớn.',
      '☐ Đồng ý',
      '☐ Không đồng ý',
      'Thân chủ',
      'Người làm chứng',
      'Cán bộ phụ trách',
    ]) {
      expect(words, part).toContain(part);
    }
    await checkScreen(page, '35-consent-paper');
    // Printing shows the form alone: nothing of the app around it, on one A4 page.
    const pdf = await page.pdf({ format: 'A4', path: join(SCREENSHOTS, '35-consent-paper.pdf') });
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)).toHaveLength(1);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#root').isVisible()).toBe(false);
    expect(await dialog.getByRole('button', { name: 'In phiếu' }).isVisible()).toBe(false);
    expect(await paper.isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });
    // In English, the English texts and words.
    await dialog.getByLabel('Ngôn ngữ của phiếu').selectOption('en');
    words = await paper.innerText();
    for (const part of ['CONSENT FORM', 'Date: 28/11/2026', CONSENT_TEXTS['case_record.adult.v1'].en, 'I do not agree', 'Witness']) expect(words, part).toContain(part);
    expect(words).not.toContain(CONSENT_TEXTS['case_record.adult.v1'].vi);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);

    // From her record: a new consent to be contacted; her code and alias only when ticked.
    await page.getByRole('link', { name: 'Danh sách thân chủ' }).click();
    await page.getByRole('link', { name: 'THMA95-1' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /THMA95-1/ }).isVisible(), { timeout: 20_000 }).toBe(true);
    await page.getByRole('button', { name: 'Ghi nhận đồng ý khác' }).click();
    await page.getByLabel('Mục đích', { exact: true }).selectOption('contact');
    await page.getByRole('button', { name: 'In phiếu đồng ý để ký' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(true);
    words = await paper.innerText();
    expect(words).toContain(CONSENT_TEXTS['contact.v1'].vi);
    expect(words).not.toContain('THMA95-1');
    expect(words).not.toContain('Chị Thử Nghiệm');
    await dialog.getByLabel('In mã và tên gọi lên phiếu (THMA95-1 · Chị Thử Nghiệm)').check();
    expect(await paper.innerText()).toContain('Thân chủ: THMA95-1 · Chị Thử Nghiệm');
    await dialog.getByRole('button', { name: 'Đóng' }).click();

    // Signed on paper, recorded with where the form is kept.
    await field(page, 'Phiếu đã ký được cất ở đâu').fill('Tủ hồ sơ phòng 2, ngăn 2026');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.getByText('Phiếu giấy đã ký: cất tại Tủ hồ sơ phòng 2, ngăn 2026').isVisible(), { timeout: 20_000 }).toBe(true);
    // The case-record consent of the template was written without a place: said, and recorded afterwards.
    const missing = page.getByText('Chưa ghi nơi cất phiếu giấy đã ký.').first();
    expect(await missing.isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Ghi nơi cất phiếu' }).first().click();
    await field(page, 'Phiếu đã ký được cất ở đâu').fill('Tủ hồ sơ phòng 1');
    await checkScreen(page, '36-consent-paper-place');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.getByText('Phiếu giấy đã ký: cất tại Tủ hồ sơ phòng 1').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(harness.consoleErrors).toEqual([]);
  });
});
