import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { BackupSummary, Report } from '../../electron/contract/index.ts';
import { CoreThread } from '../../electron/core/thread/core-thread.ts';
import { SharedClock } from '../../electron/core/thread/shared-clock.ts';

/*
 * A process that plays Electron main and nothing else (bundled, no tsx, so its heap is as
 * small as the shell's): it starts the core's worker as main does, has it back up, check the
 * backup, change the key, restore and build a year's report, and watches its own event loop
 * meanwhile. Then small calls for the hop's cost. Prints one JSON line.
 *
 * argv[2] (JSON): { work, usb, entry, now, password }
 */

interface Plan {
  work: string;
  usb: string;
  entry: string;
  now: number;
  password: string;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as Plan;
const HOP_CALLS = 2000;
const round = (value: number) => Math.round(value * 100) / 100;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)] ?? 0;

const hops: number[] = [];
let measuringHops = false;
const core = CoreThread.start({
  entry: plan.entry,
  data: { dataDir: plan.work, sharedClock: new SharedClock(new SharedArrayBuffer(8), plan.now).buffer },
  log: () => {},
  onHop: (trip, spent) => void (measuringHops && hops.push(trip - spent)),
});
let path: string | null = null;
const call = async <T = unknown>(channel: string, input: unknown): Promise<T> => {
  const result = await core.invoke(channel, input, async () => path);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code}`);
  return result.value as T;
};

await core.started;
const admin = { username: 'quantri', password: plan.password };
await call('auth.login', admin);

const stalls = monitorEventLoopDelay({ resolution: 5 });
/** The longest stall in each piece of work, to see which one a long stall came from. */
const worst: Record<string, number> = {};
const piece = async (name: string, work: () => Promise<unknown>) => {
  stalls.reset();
  await work();
  worst[name] = round(stalls.max / 1e6);
};
const started = performance.now();
stalls.enable();
path = plan.usb;
/** A backup job to its end: started, then step by step; the backup made, checked or restored. */
async function toTheEnd(channel: string, input: unknown): Promise<BackupSummary> {
  const { jobId } = await call<{ jobId: string }>(channel, input);
  for (;;) {
    const { backup } = await call<{ backup: BackupSummary | null }>('backup.next', { jobId });
    if (backup) return backup;
  }
}
let backup: BackupSummary | null = null;
await piece('backup', async () => {
  backup = await toTheEnd('backup.start', {});
});
path = `${plan.usb}/${(backup as BackupSummary | null)?.folderName ?? ''}`;
await piece('check', () => toTheEnd('backup.verify', { credentials: admin }));
await piece('key_change', async () => {
  const begun = await call<{ recoveryCode: string; confirmGroup: number }>('vault.rotateBegin', {});
  await call('vault.rotateKey', { password: plan.password, confirmation: begun.recoveryCode.split('-')[begun.confirmGroup - 1], confirm: true });
});
await call('auth.login', admin);
await piece('restore', () => toTheEnd('backup.restore', { credentials: admin, confirm: true }));
await call('auth.login', { username: 'quanly', password: plan.password });
await piece('year_report', async () => {
  const { jobId } = await call<{ jobId: string }>('reports.start', { period: { kind: 'year', year: 2026 } });
  while (!(await call<{ report: Report | null }>('reports.next', { jobId })).report);
});
stalls.disable();
const workMs = performance.now() - started;

for (let i = 0; i < 200; i++) await call('session.get', {}); // warm-up
measuringHops = true;
for (let i = 0; i < HOP_CALLS; i++) await call('session.get', {});
measuringHops = false;
await core.shutdown();

console.log(
  JSON.stringify({
    main_block_max_ms: Math.max(...Object.values(worst)),
    main_block_by_work_ms: worst,
    main_watched_ms: Math.round(workMs),
    invoke_overhead_p50_ms: round(percentile(hops, 50)),
    invoke_overhead_p95_ms: round(percentile(hops, 95)),
  }),
);
