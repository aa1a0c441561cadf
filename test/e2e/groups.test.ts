import { cpSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { checkScreen, field, launch, logIn, type Harness } from '../support/e2e-harness.ts';
import { standardTemplate, tempDir, WORKER, WORKER2 } from '../support/vault-fixture.ts';

/*
 * A worker records a peer-group meeting: the client she holds who came, and how many others by
 * sex and age band. The session's service lands on the client's record. Her colleague sees the
 * session and how many came, never who.
 */

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

/** Log in (the harness's way) and wait for her to-do list, where a worker's day starts. */
async function logInToTodo(page: Page, person: { username: string; password: string }) {
  await logIn(page, person);
  await expect.poll(() => page.getByRole('heading', { name: 'Việc cần làm', level: 1 }).isVisible(), { timeout: 20_000 }).toBe(true);
}

describe('group sessions in Chromium', () => {
  it('a worker records a peer-group meeting; her colleague sees how many came, not who', async () => {
    const dir = tempDir('dh-e2e-groups-');
    cpSync((await standardTemplate()).dir, dir, { recursive: true });
    harness = await launch(dir);
    const { page } = harness;
    await logInToTodo(page, WORKER);
    await page.getByRole('link', { name: 'Sinh hoạt nhóm', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Sinh hoạt nhóm', level: 1 }).isVisible()).toBe(true);
    expect(await page.getByText('Chưa có buổi sinh hoạt nhóm nào.').isVisible()).toBe(true);
    await checkScreen(page, '80-groups-empty');

    await page.getByRole('link', { name: 'Ghi buổi sinh hoạt nhóm' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Ghi buổi sinh hoạt nhóm' }).isVisible()).toBe(true);
    // Saving with nobody says what is missing, and writes nothing.
    await field(page, 'Chủ đề').fill('Phòng chống HIV');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.getByText('Hãy thêm ít nhất một thân chủ hoặc số người tham dự khác.').isVisible()).toBe(true);
    await field(page, 'Người điều phối').fill('Đồng đẳng viên Thử');
    expect(await field(page, 'Dịch vụ ghi cho người dự').locator('option:checked').innerText()).toBe('Nhóm đồng đẳng / tự lực');
    await field(page, 'Tìm thân chủ của bạn').fill('thu');
    await page.getByRole('button', { name: 'Thêm THMA95-1' }).click();
    expect(await page.getByText('1 thân chủ đã chọn.').isVisible()).toBe(true);
    await field(page, 'Số người dự khác: Nữ, 25–34').fill('5');
    await field(page, 'Số người dự khác: Nam, 18–24').fill('2');
    expect(await page.getByText('Tổng số người dự khác: 7.').isVisible()).toBe(true);
    await checkScreen(page, '81-group-form');
    await page.keyboard.press('Control+Enter');

    await expect.poll(() => page.getByRole('heading', { name: 'Sinh hoạt nhóm đồng đẳng ngày 28/11/2026' }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByText('Đã ghi buổi ngày 28/11/2026: 1 thân chủ, 7 người dự khác.').isVisible()).toBe(true);
    expect(await page.getByText('1 thân chủ đã đăng ký, 7 người dự khác').isVisible()).toBe(true);
    await checkScreen(page, '82-group-session');
    // The session's service is on her record.
    await page.getByRole('link', { name: /THMA95-1/ }).click();
    await expect.poll(() => page.getByRole('heading', { name: /THMA95-1/ }).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.locator('.visit-list li').first().innerText()).toContain('Nhóm đồng đẳng / tự lực');

    // Her colleague: the session and its numbers; not who came.
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await logInToTodo(page, WORKER2);
    await page.getByRole('link', { name: 'Sinh hoạt nhóm', exact: true }).click();
    await page.getByRole('link', { name: 'Mở buổi ngày 28/11/2026: Phòng chống HIV' }).click();
    await expect.poll(() => page.getByText('1 thân chủ khác đã dự: chỉ cán bộ phụ trách của từng người xem được là ai.').isVisible(), { timeout: 20_000 }).toBe(true);
    const text = await page.locator('main').innerText();
    expect(text).not.toContain('THMA95-1');
    expect(text).not.toContain('Chị Thử Nghiệm');
    expect(text).toContain('Người dự khác: 5 Nữ 25–34; 2 Nam 18–24');
    await checkScreen(page, '83-group-session-colleague');

    // The same in English.
    await page.getByRole('link', { name: 'Cài đặt' }).click();
    await page.getByLabel('Ngôn ngữ', { exact: true }).selectOption('en');
    await page.getByRole('link', { name: 'Group sessions', exact: true }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'Peer-group meeting' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await page.getByRole('link', { name: 'Open the session of 28/11/2026: Phòng chống HIV' }).click();
    await expect.poll(() => page.getByText('1 other client came: only her own worker sees who.').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByText('Others who came: 5 Female 25–34; 2 Male 18–24').isVisible()).toBe(true);
    await checkScreen(page, '84-group-session-english');
    await page.getByRole('link', { name: '← Group sessions' }).click();
    await page.getByRole('link', { name: 'Record a group session' }).click();
    await expect.poll(() => field(page, 'Others who came: Female, 25–34').isVisible()).toBe(true);
    await checkScreen(page, '85-group-form-english');
    expect(harness.consoleErrors).toEqual([]);
  });
});
