import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import ExcelJS from 'exceljs';
import type { ImportPlan } from '../../electron/contract/import.ts';
import { startSourceThread, WORKER_SOURCE } from '../support/core-thread.ts';
import { SharedClock } from '../../electron/core/thread/shared-clock.ts';
import { benchFiles, clock, PASSWORD } from './case-records.ts';

/*
 * Bringing an old register in at the scale: 10,000 clients with 50,000 visits (a row
 * per visit, five per person), imported by a manager into a copy of the benchmark's vault. The
 * core runs in its own thread (bundled, as the app runs it); this thread plays the window's
 * side and watches its own event loop meanwhile. Figures: reading the file, the preview, the
 * import, their total, and the longest stall of this thread.
 */

const PEOPLE = 10_000;
const VISITS_EACH = 5;
const GIVEN = ['Lan', 'Hoa', 'Mai', 'Cúc', 'Đào', 'Hương', 'Ngọc', 'Thảo', 'Quỳnh', 'Yến', 'Vy', 'Trang', 'Hằng', 'Nhung', 'Phượng', 'Oanh'];
const FATHERS = ['Hùng', 'Tuấn', 'Bình', 'Dũng', 'Phúc', 'Sang', 'Tâm', 'Long', 'Khoa', 'Minh', 'Nam', 'Sơn'];
const SERVICES = ['Tư vấn pháp lý', 'Tư vấn tâm lý', 'XN HIV', 'PrEP', 'Học nghề', 'Vay vốn', 'Khám sức khoẻ', 'Giới thiệu việc làm'];
const WARDS = [['Phường 7', 'Quận 5'], ['Phường Phạm Ngũ Lão', 'Quận 1'], ['Phường An Đông', ''], ['', '']];

/** The synthetic register: every name carries "Mẫu" (nobody's). */
async function writeRegister(path: string): Promise<void> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path });
  const sheet = book.addWorksheet('Sổ theo dõi');
  sheet.addRow(['SỔ THEO DÕI THÂN CHỦ (mẫu đo hiệu năng)']).commit();
  sheet.addRow(['STT', 'Mã hồ sơ', 'Tên gọi', 'Năm sinh', 'Giới tính', 'Tên mẹ', 'Tên cha', 'Phường', 'Quận', 'Ngày ký đồng ý', 'Ngày tư vấn', 'Dịch vụ', 'Nơi gặp']).commit();
  let n = 0;
  for (let person = 0; person < PEOPLE; person++) {
    const mother = GIVEN[person % GIVEN.length]!;
    const father = FATHERS[Math.floor(person / GIVEN.length) % FATHERS.length]!;
    const year = 1970 + (person % 36);
    const [ward, district] = WARDS[person % WARDS.length]!;
    const consentMonth = 1 + (person % 12);
    for (let visit = 0; visit < VISITS_EACH; visit++) {
      const day = 1 + ((person + visit * 5) % 27);
      const month = 1 + ((consentMonth + visit * 2) % 12);
      sheet
        .addRow([
          ++n,
          `HS-${String(person + 1).padStart(5, '0')}`,
          `Mẫu ${GIVEN[(person * 7) % GIVEN.length]} ${person}`,
          year,
          person % 9 === 0 ? 'Chuyển giới nữ' : 'Nữ',
          mother,
          father,
          ward,
          district,
          `01/${String(consentMonth).padStart(2, '0')}/2025`,
          `${String(day).padStart(2, '0')}/${String(month).padStart(2, '0')}/2025`,
          `${SERVICES[(person + visit) % SERVICES.length]}, ${SERVICES[(person + visit + 3) % SERVICES.length]}`,
          visit % 2 ? 'Tiếp cận cộng đồng' : 'Văn phòng',
        ])
        .commit();
    }
  }
  await book.commit();
}

export async function importFigures(clients: number, log: (line: string) => void) {
  const { work, remove } = await benchFiles('import', clients, log);
  const folder = mkdtempSync(join(tmpdir(), 'dh-bench-import-'));
  const out = resolve('.bench', 'import-build');
  mkdirSync(out, { recursive: true });
  try {
    const register = join(folder, 'so-theo-doi.xlsx');
    log(`Writing a register of ${PEOPLE} clients and ${PEOPLE * VISITS_EACH} visits…`);
    await writeRegister(register);
    await build({ entryPoints: [WORKER_SOURCE], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: join(out, 'core-worker.mjs'), logLevel: 'warning' });
    const { core } = startSourceThread(work, { clock: new SharedClock(new SharedArrayBuffer(8), clock.now()), bundled: join(out, 'core-worker.mjs') });
    const call = async <T = unknown>(channel: string, input: unknown): Promise<T> => {
      const result = await core.invoke(channel, input, async () => register);
      if (!result.ok) throw new Error(`${channel}: ${result.error.code}`);
      return result.value as T;
    };
    await core.started;
    await call('auth.login', { username: 'quanly', password: PASSWORD });
    const workers = await call<{ id: number }[]>('caseload.workers', {});

    log('Importing it as a manager (the core in its own thread)…');
    const stalls = monitorEventLoopDelay({ resolution: 5 });
    stalls.enable();
    let started = performance.now();
    const opened = await call<{ sha256: string; sheets: { columns: { suggested: ImportPlan['columns'][number] }[] }[] }>('import.open', {});
    const openMs = performance.now() - started;
    const plan: ImportPlan = {
      sheet: 0,
      columns: opened.sheets[0]!.columns.map((column) => column.suggested),
      workerId: workers[0]!.id,
      // Codes built from so few parents repeat: each repeat is taken as someone else.
      duplicates: { existing: 'new', inFile: 'new' },
    };
    started = performance.now();
    const preview = await call<{ counts: Record<string, number> }>('import.preview', { plan, show: 'problems' });
    const previewMs = performance.now() - started;
    started = performance.now();
    const result = await call<{ clientsCreated: number; visitsAdded: number }>('import.commit', { plan, sha256: opened.sha256 });
    const commitMs = performance.now() - started;
    stalls.disable();
    await core.shutdown();
    const round = (value: number) => Math.round(value);
    log(`  read ${round(openMs)} ms, preview ${round(previewMs)} ms, import ${round(commitMs)} ms: ${result.clientsCreated} clients, ${result.visitsAdded} visits; the window's thread stalled ${(stalls.max / 1e6).toFixed(1)} ms at most`);
    return {
      import_10k_rows_ms: round(openMs + previewMs + commitMs),
      import_read_ms: round(openMs),
      import_preview_ms: round(previewMs),
      import_commit_ms: round(commitMs),
      import_clients: result.clientsCreated,
      import_visits: result.visitsAdded,
      import_rows_with_problems: preview.counts.error ?? 0,
      import_main_block_max_ms: Math.round((stalls.max / 1e6) * 10) / 10,
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
    remove();
  }
}
