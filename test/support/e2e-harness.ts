import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Worker } from 'node:worker_threads';
import type { Result } from '../../electron/contract/errors.ts';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../electron/contract/index.ts';
import { CoreThread } from '../../electron/core/thread/core-thread.ts';
import { SCRYPT_FLOOR } from '../../electron/core/vault/kdf.ts';
import { serveAppFile } from '../../electron/main/app-protocol.ts';
import { NoticeBox } from '../../electron/main/notices.ts';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../../electron/core/db/schema.ts';
import { openEncrypted } from '../../electron/core/vault/database.ts';
import { VAULT_FILES } from '../../electron/core/vault/vault.ts';
import { dataKeyOf } from './decrypt.ts';
import { insisting, TestClock } from './vault-fixture.ts';

/*
 * The built renderer in real Chromium, driving the real core in its own worker thread, started
 * from the built `core-worker.js` exactly as main starts it: requests for the app's files are
 * served by the same code (and CSP) as the app:// protocol; the preload's `invoke` is relayed to
 * the core's thread as main relays IPC. The same path, minus Electron's transport.
 * Nothing else may leave the page: every other request is aborted and recorded.
 */

const CORE_WORKER = resolve('out/main/core-worker.js');

/** The core as the shell holds it: a thread, and calls to it (the page's session is the one they run in). */
export interface ThreadApp {
  dir: string;
  clock: TestClock;
  core: CoreThread;
  /** What the core's thread logged (codes only). */
  logged: string[];
  /** Each worker started, the latest last (a test ends one abruptly, as a crash would). */
  workers: Worker[];
  call<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>>;
  ok<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;
}

const ORIGIN = 'https://dong-hanh.test';
const RENDERER = resolve('out/renderer');
export const SCREENSHOTS = resolve('test-results/e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Harness {
  app: ThreadApp;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  clock: TestClock;
  /** Requests the page tried to make to anywhere but the app itself. */
  blocked: string[];
  /** Console errors from the page (none expected). */
  consoleErrors: string[];
  /**
   * The stand-in for the shell's dialogs: a file to save goes into `saveFolder` under the name
   * offered; a folder to choose is `chosenFolder`. Null: the person cancels. Files saved are
   * listed in `saved`.
   */
  saveFolder: string | null;
  chosenFolder: string | null;
  /** A file to read (the server's connection file); null: she cancels. */
  openedFile: string | null;
  saved: string[];
  /** The shell's notices to the window, as main posts them. */
  notices: NoticeBox;
  /**
   * Hold calls on a channel until `resume`: to look at a screen while work is under way. With
   * `after`, calls go through until one answers so (the screen then shows that answer).
   */
  pause(channel: string, after?: (value: unknown) => boolean): void;
  /** Whether a call on a paused channel is being held now (the screen shows the step before it). */
  holding(channel: string): boolean;
  resume(channel: string): void;
  close(): Promise<void>;
}

export async function launch(dir: string, options: { clock?: TestClock } = {}): Promise<Harness> {
  const clock = options.clock ?? new TestClock();
  const logged: string[] = [];
  const workers: Worker[] = [];
  // As main does when the core's thread died and came back locked: the page is reloaded, then told.
  let page: Page | null = null;
  const notices = new NoticeBox(() => void page?.evaluate(() => window.dispatchEvent(new Event('dong-hanh:notice-waiting'))).catch(() => undefined));
  const core = CoreThread.start({
    entry: CORE_WORKER,
    data: { dataDir: dir, sharedClock: clock.buffer, kdf: { alg: 'scrypt', ...SCRYPT_FLOOR } },
    log: (line) => logged.push(line),
    onWorker: (worker) => workers.push(worker),
    // As main does: how far a long call has come, passed to the page.
    onProgress: (progress) => void page?.evaluate((detail) => window.dispatchEvent(new CustomEvent('dong-hanh:progress', { detail })), progress).catch(() => undefined),
    onStopped: (outcome) => {
      if (outcome !== 'restarted') return;
      void page?.reload().then(
        () => notices.post({ kind: 'coreRestarted' }),
        () => undefined,
      );
    },
  });
  await core.started;
  const call = (channel: ChannelName, input: unknown) => core.invoke(channel, input);
  const app: ThreadApp = {
    dir,
    clock,
    core,
    logged,
    workers,
    call: call as ThreadApp['call'],
    ok: insisting(call) as ThreadApp['ok'],
  };
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  const blocked: string[] = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== ORIGIN) {
      blocked.push(url.href);
      return route.abort('blockedbyclient');
    }
    const response = await serveAppFile(RENDERER, url.pathname);
    return route.fulfill({
      status: response.status,
      headers: Object.fromEntries(response.headers.entries()),
      body: Buffer.from(await response.arrayBuffer()),
    });
  });
  const saving = { folder: null as string | null, chosen: null as string | null, opened: null as string | null, saved: [] as string[] };
  // As main does: a call that works on a path first asks for it (here: the test's folders).
  // Calls on a paused channel wait until it is resumed: a test can look at a screen mid-way.
  const paused = new Map<string, { until: Promise<void>; resume: () => void; after: ((value: unknown) => boolean) | null; holding: number }>();
  await context.exposeBinding('__dongHanhInvoke', async (_source, channel: unknown, input: unknown) => {
    const pause = paused.get(String(channel));
    if (pause && !pause.after) {
      pause.holding += 1;
      await pause.until;
      pause.holding -= 1;
    }
    const result = await core.invoke(channel, input, async (prompt) => {
      if (prompt.kind === 'chooseFolder') return saving.chosen;
      if (prompt.kind === 'openFile') return saving.opened;
      const path = saving.folder ? join(saving.folder, prompt.fileName) : null;
      if (path) saving.saved.push(path);
      return path;
    });
    // The answer the test waited for: the calls after it are held.
    if (pause?.after && result.ok && pause.after(result.value)) pause.after = null;
    return result;
  });
  // As main does: notices wait in the box until the page takes them (the preload's onNotice).
  await context.exposeBinding('__dongHanhTakeNotices', () => notices.take());
  // As main does: the page may ask the long call under way to stop.
  await context.exposeBinding('__dongHanhStop', () => core.stop());
  await context.addInitScript(() => {
    const w = window as unknown as {
      __dongHanhInvoke: (c: unknown, i: unknown) => Promise<unknown>;
      __dongHanhTakeNotices: () => Promise<unknown[]>;
      __dongHanhStop: () => Promise<void>;
      dongHanh: unknown;
    };
    w.dongHanh = {
      invoke: (channel: string, input: unknown) => w.__dongHanhInvoke(channel, input),
      onLocked: (listener: () => void) => {
        window.addEventListener('dong-hanh:locked', listener);
        return () => window.removeEventListener('dong-hanh:locked', listener);
      },
      onNotice: (listener: (notice: unknown) => void) => {
        const take = () => void w.__dongHanhTakeNotices().then((list) => list.forEach(listener));
        window.addEventListener('dong-hanh:notice-waiting', take);
        take();
        return () => window.removeEventListener('dong-hanh:notice-waiting', take);
      },
      onProgress: (listener: (progress: unknown) => void) => {
        const handler = (event: Event) => listener((event as CustomEvent).detail);
        window.addEventListener('dong-hanh:progress', handler);
        return () => window.removeEventListener('dong-hanh:progress', handler);
      },
      stop: () => void w.__dongHanhStop(),
    };
  });
  // The page's clock shows the same moment as core's test clock, so "today" agrees on both sides.
  await context.clock.setFixedTime(clock.now());
  page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  core.onLocked(() => {
    void page?.evaluate(() => window.dispatchEvent(new Event('dong-hanh:locked'))).catch(() => undefined);
  });
  await page.goto(`${ORIGIN}/index.html`);
  return {
    app,
    browser,
    context,
    page,
    clock,
    blocked,
    consoleErrors,
    notices,
    get saveFolder() {
      return saving.folder;
    },
    set saveFolder(folder: string | null) {
      saving.folder = folder;
    },
    get chosenFolder() {
      return saving.chosen;
    },
    set chosenFolder(folder: string | null) {
      saving.chosen = folder;
    },
    get openedFile() {
      return saving.opened;
    },
    set openedFile(file: string | null) {
      saving.opened = file;
    },
    saved: saving.saved,
    pause(channel: string, after?: (value: unknown) => boolean) {
      let resume = () => {};
      const until = new Promise<void>((resolve) => (resume = resolve));
      paused.set(channel, { until, resume, after: after ?? null, holding: 0 });
    },
    holding: (channel: string) => (paused.get(channel)?.holding ?? 0) > 0,
    resume(channel: string) {
      paused.get(channel)?.resume();
      paused.delete(channel);
    },
    close: async () => {
      await browser.close();
      await core.shutdown();
    },
  };
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

/**
 * Every screen: a PNG for people to look at, axe-core with no serious or critical violation,
 * and no sideways scrolling at 1366×768.
 */
export async function checkScreen(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const hasAxe = await page.evaluate(() => 'axe' in window);
  if (!hasAxe) await page.evaluate(axeSource);
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (context: Document, options: object) => Promise<unknown> } }).axe.run(document, {
      resultTypes: ['violations'],
    }),
  )) as AxeResult;
  const serious = result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(serious, `axe on ${name}`).toEqual([]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `horizontal scroll on ${name}`).toBeLessThanOrEqual(0);
}

/**
 * What the vault's file holds now, read beside the running core (as a second reader of its WAL):
 * the test opens the keyring with a person's password and the database read-only.
 */
export async function readVault<T>(dir: string, person: { username: string; password: string }, read: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const key = await dataKeyOf(dir, person);
  const sqlite = openEncrypted(join(dir, VAULT_FILES.database), key, { readonly: true });
  key.fill(0);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    return await read(db);
  } finally {
    await db.destroy();
  }
}

/** A form field by its label, as a person finds it. */
export const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

/** Log in from the login screen, by the keyboard, and wait for the main navigation. */
export async function logIn(page: Page, person: { username: string; password: string }): Promise<void> {
  await expect.poll(() => page.getByRole('heading', { name: 'Đăng nhập' }).isVisible(), { timeout: 20_000 }).toBe(true);
  await field(page, 'Tên đăng nhập').fill(person.username);
  await field(page, 'Mật khẩu').fill(person.password);
  await page.keyboard.press('Enter');
  await expect.poll(() => page.getByRole('navigation', { name: 'Các mục chính' }).isVisible(), { timeout: 20_000 }).toBe(true);
}
