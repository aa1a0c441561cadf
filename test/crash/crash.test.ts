import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBackupFolder } from '../../electron/core/backup/backup-check.ts';
import { migrations } from '../../migrations/index.ts';
import { openEncrypted } from '../../electron/core/vault/database.ts';
import { VAULT_FILES } from '../../electron/core/vault/vault.ts';
import { dataKeyOf } from '../support/decrypt.ts';
import { ADMIN, copyOfTemplate, loginAs, openApp, syntheticClient, tempDir, TestClock, TODAY, WORKER, WORKER2, userVersion } from '../support/vault-fixture.ts';
import { LEDGER_FILE } from '../../electron/core/erasure/erasure.ts';
import { startSourceThread, WORKER_SOURCE } from '../support/core-thread.ts';
import { havePostgres, ownerPool, startCluster } from '../support/pg-cluster.ts';
import { provisionServer } from '../../electron/core/vault/server-provision.ts';
import { rolesNamed } from '../../electron/core/vault/server-connection.ts';
import { serverMigrations } from '../../migrations/server/index.ts';

/*
 * The crash harness: a real process writes through the real gate into a real encrypted vault
 * and is killed (SIGKILL: no handler, no exit backup, no checkpoint) at random moments. Where
 * the kills fall is decided by construction, not left to the machine's speed: each run is
 * planned to be killed while it starts, while it writes, while a colleague's password is being
 * reset, just after a reset was acknowledged, or while a backup is being made, and its kill
 * timer starts from the line the writer prints as that work begins (a random fraction of how
 * long that work took in earlier runs). After each kill the
 * database opens, passes `integrity_check` and `foreign_key_check`, and holds every write the
 * gate acknowledged, and the keyring agrees with it (a colleague's password, reset now and then,
 * still opens). Backups cut short never look like backups. At the end the audit chain
 * still verifies. SIGKILL tests a crashing or killed app, not a power cut: what the disk
 * itself keeps after a power cut is up to `synchronous=FULL` and the disk's honesty.
 * A second test ends only the core's worker thread, again and again while it writes: the
 * shell's side (core-thread.ts) answers the call under way CORE_STOPPED and starts a new
 * thread, locked, and every write it acknowledged is in the database.
 * A third kills a process writing to the centre's server (DESIGN.md §8), and one time in four
 * stops the server itself at about the same moment (`pg_ctl stop -m immediate`, as a power cut
 * there): every client and visit it acknowledged is on the server afterwards, the dead PC's
 * connection holds no lock on the trail, a colleague's reset password opens, the trail verifies.
 */

const KILLS = 150;
/** How often the core's worker thread is ended abruptly while writing (the app's process lives on). */
const THREAD_KILLS = 12;
/** How often a process writing to the centre's server is killed (some of the times, the server with it). */
const SERVER_KILLS = 24;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Bundled once (inside the project, so its packages resolve): a process that starts in a third of a second. */
const WRITER = join(ROOT, 'node_modules', '.cache', 'dh-crash', 'writer.mjs');
/** The core's worker, bundled the same way (a thread that starts without tsx). */
const CORE_WORKER = join(ROOT, 'node_modules', '.cache', 'dh-crash', 'core-worker.mjs');

beforeAll(async () => {
  mkdirSync(join(ROOT, 'node_modules', '.cache', 'dh-crash'), { recursive: true });
  for (const [entry, outfile] of [
    [join(ROOT, 'test', 'crash', 'writer.ts'), WRITER],
    [WORKER_SOURCE, CORE_WORKER],
  ] as const) {
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'warning' });
  }
});

/** The writer's clock is the system's; the checks between runs keep the same time. */
function wallClock(): TestClock {
  const clock = new TestClock();
  clock.advance(Date.now() - clock.now());
  return clock;
}

/** Deterministic, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Where a run's kill is aimed, the line its timer starts from, and how often (of 100 runs). */
const KILL_PLANS = {
  starting: { after: 'spawn', share: 10 },
  writing: { after: 'ready', share: 45 },
  resetting: { after: 'resetting', share: 15 },
  afterReset: { after: 'password', share: 10 },
  backingUp: { after: 'backing-up', share: 20 },
} as const;
type KillPlan = keyof typeof KILL_PLANS;

function pickPlan(roll: number): KillPlan {
  let edge = 0;
  for (const [plan, { share }] of Object.entries(KILL_PLANS) as [KillPlan, { share: number }][]) {
    edge += share / 100;
    if (roll < edge) return plan;
  }
  return 'writing';
}

/** A line the planned kill waits for that never comes (the writer failed first) ends the run here. */
const WAIT_LIMIT_MS = 30_000;

interface Acks {
  visits: Set<string>;
  clients: Set<number>;
  backups: Set<string>;
  /** The colleague's password last acknowledged, and one being set when the kill came. */
  password: string;
  pendingPassword: string | null;
  passwords: number;
}

/**
 * Run the writer once and kill it `delayMs` after it prints the line the plan names (or after it
 * was spawned). Reports how long its reset and backup took, for later runs' timing.
 */
function runAndKill(
  writerPlan: object,
  after: string,
  delayMs: number,
  acks: Acks,
): Promise<{ sawReady: boolean; reached: boolean; backupCutShort: boolean; error: string | null; ms: number; resetMs: number | null; backupMs: number | null }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [WRITER, JSON.stringify(writerPlan)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let sawReady = false;
    let reached = false;
    let error: string | null = null;
    let timer: NodeJS.Timeout | null = null;
    const began = new Map<string, number>();
    const took = { resetMs: null as number | null, backupMs: null as number | null };
    const kill = () => child.kill('SIGKILL');
    const arm = (line: string) => {
      if (line !== after || reached) return;
      reached = true;
      if (timer) clearTimeout(timer);
      timer = setTimeout(kill, delayMs);
    };
    // Until the line comes, a limit: a writer that failed or hangs is still ended.
    timer = setTimeout(kill, WAIT_LIMIT_MS);
    arm('spawn');
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [kind = '', value = ''] = line.split(' ');
        if (kind === 'ready') sawReady = true;
        else if (kind === 'visit') acks.visits.add(value);
        else if (kind === 'client') acks.clients.add(Number(value));
        else if (kind === 'backing-up') began.set('backup', Date.now());
        else if (kind === 'backup') {
          acks.backups.add(value);
          began.delete('backup');
          took.backupMs = Date.now() - (began.get('backup') ?? Date.now());
        } else if (kind === 'resetting') {
          acks.pendingPassword = value;
          began.set('reset', Date.now());
        } else if (kind === 'password') {
          acks.password = value;
          acks.pendingPassword = null;
          acks.passwords++;
          took.resetMs = Date.now() - (began.get('reset') ?? Date.now());
        } else if (kind === 'error') error = line;
        arm(kind);
      }
    });
    child.stderr.resume();
    child.on('error', reject);
    // 'close', not 'exit': every line the writer printed before it died has been read.
    child.on('close', () => {
      if (timer) clearTimeout(timer);
      resolve({ sawReady, reached, backupCutShort: began.has('backup'), error, ms: Date.now() - started, ...took });
    });
  });
}

describe('the crash harness', () => {
  it(`kills a writing process ${KILLS} times: the database is whole every time, and no acknowledged write is lost`, async () => {
    const app = await copyOfTemplate();
    const dir = app.dir;
    // The writer also makes backups, which takes the administrator's role.
    await loginAs(app, ADMIN);
    await app.ok('users.update', { id: app.template.ids.worker, version: await userVersion(app, app.template.ids.worker), displayName: 'Cán Bộ Thử', roles: ['worker', 'admin'] });
    await app.core.shutdown();
    const key = await dataKeyOf(dir, WORKER);
    const backupDir = tempDir('dh-crash-usb-');
    const next = random(20261201);
    const acks: Acks = { visits: new Set(), clients: new Set(), backups: new Set(), password: WORKER2.password, pendingPassword: null, passwords: 0 };
    const register = syntheticClient();
    let kills = 0;
    let earlyKills = 0;
    let lost = 0;
    // How long each kind of work took in earlier runs (first guesses until one is seen).
    let startupMs = 1500;
    let resetMs = 300;
    let backupMs = 200;
    let backupsKilled = 0;
    const planned = new Map<KillPlan, number>();
    let childMs = 0;
    let backupsChecked = 0;
    const cutShortNames = new Set<string>();
    let resetsCutShort = 0;
    let resetsHeld = 0;
    const checkedBackups = new Set<string>();
    const began = Date.now();
    const problems: string[] = [];

    for (let run = 0; run < KILLS; run++) {
      const aim = pickPlan(next());
      planned.set(aim, (planned.get(aim) ?? 0) + 1);
      const early = aim === 'starting';
      const resets = aim === 'resetting' || aim === 'afterReset';
      const plan = {
        dir,
        backupDir,
        run,
        username: WORKER.username,
        password: WORKER.password,
        colleagueId: app.template.ids.worker2,
        clientId: app.template.ids.client,
        serviceTypeId: 1,
        visitOn: TODAY,
        register,
        resetAt: resets ? 1 + Math.floor(next() * 3) : null,
        backupAt: aim === 'backingUp' ? 1 + Math.floor(next() * 3) : null,
      };
      const delay = { starting: startupMs, writing: 250, resetting: resetMs, afterReset: 100, backingUp: backupMs }[aim] * next();
      const passwordsBefore = acks.passwords;
      const outcome = await runAndKill(plan, KILL_PLANS[aim].after, delay, acks);
      kills++;
      childMs += outcome.ms;
      // Counted by what happened, not by what was aimed at.
      if (!outcome.sawReady) earlyKills++;
      if (outcome.backupCutShort) backupsKilled++;
      if (!early) startupMs = Math.min(startupMs, outcome.ms);
      // The longest seen, so kills can reach the end of the work (a backup's last rename) too.
      if (outcome.resetMs !== null) resetMs = Math.max(resetMs, outcome.resetMs);
      if (outcome.backupMs !== null) backupMs = Math.max(backupMs, outcome.backupMs);
      if (outcome.error) problems.push(`run ${run}: ${outcome.error}`);
      if (!early && !outcome.sawReady) problems.push(`run ${run}: never became ready`);
      if (!outcome.reached) problems.push(`run ${run}: never reached '${KILL_PLANS[aim].after}'`);

      // What the app would find at its next start.
      const db = openEncrypted(join(dir, VAULT_FILES.database), Buffer.from(key), {});
      try {
        const integrity = db.pragma('integrity_check', { simple: true });
        if (integrity !== 'ok') problems.push(`run ${run}: integrity_check ${String(integrity)}`);
        const foreign = db.pragma('foreign_key_check') as unknown[];
        if (foreign.length) problems.push(`run ${run}: ${foreign.length} foreign key faults`);
        const notes = new Set(db.prepare(`select note from visit where note like 'crash-%'`).pluck().all() as string[]);
        const clients = new Set(db.prepare('select id from client').pluck().all() as number[]);
        const missing = [...acks.visits].filter((note) => !notes.has(note)).length + [...acks.clients].filter((id) => !clients.has(id)).length;
        if (missing) problems.push(`run ${run}: ${missing} acknowledged writes missing`);
        lost = Math.max(lost, missing);
      } finally {
        db.close();
      }
      // The keyring agrees with the database: the colleague logs in with the password last
      // acknowledged, or with the one being set when the kill came (either may have held).
      // Only a reset writes her slot; other runs are checked now and then (a key derivation each).
      if (acks.pendingPassword || acks.passwords !== passwordsBefore || run % 10 === 0) {
        const restarted = openApp(dir, wallClock());
        let opened: string | null = null;
        for (const password of [acks.pendingPassword, acks.password]) {
          if (password && (await restarted.call('auth.login', { username: WORKER2.username, password })).ok) {
            opened = password;
            break;
          }
        }
        await restarted.core.shutdown();
        if (acks.pendingPassword) {
          resetsCutShort++;
          if (opened === acks.pendingPassword) resetsHeld++;
        }
        if (opened) acks.password = opened;
        else problems.push(`run ${run}: the colleague's password no longer opens`);
        acks.pendingPassword = null;
      }
      // Every folder that looks like a backup is one (checked under the key, as a restore
      // would, then removed to keep the disk small); a backup cut short stays hidden as `.part`
      // until the next backup into the folder removes it.
      for (const name of readdirSync(backupDir)) {
        if (name === LEDGER_FILE) continue; // the erasure ledger kept beside the backups
        if (name.startsWith('.')) {
          cutShortNames.add(name);
          continue;
        }
        try {
          await checkBackupFolder(join(backupDir, name), { dataKey: key }, migrations);
          backupsChecked++;
          checkedBackups.add(name);
        } catch (error) {
          problems.push(`run ${run}: backup ${name} refused: ${(error as { code?: string }).code ?? 'error'}`);
        }
        rmSync(join(backupDir, name), { recursive: true });
      }
    }

    const cutShort = cutShortNames.size;
    const leftOver = readdirSync(backupDir).filter((name) => name.endsWith('.part')).length;
    const reopened = openApp(dir);
    await loginAs(reopened, ADMIN);
    const chain = await reopened.ok('audit.verify', {});
    const written = acks.visits.size + acks.clients.size + acks.backups.size + acks.passwords;
    console.log(`[crash] kills ${kills} (aimed: ${[...planned].map(([aim, count]) => `${count} ${aim}`).join(', ')}; ${earlyKills} before the writer was ready, ${backupsKilled} during a backup), acknowledged writes ${written} (${acks.visits.size} visits, ${acks.clients.size} clients, ${acks.backups.size} backups, ${acks.passwords} password resets; ${resetsCutShort} more killed while under way, of which ${resetsHeld} had held), lost ${lost}, backups checked ${backupsChecked}, cut short (hidden) ${cutShort}; ${Math.round(childMs / kills)} ms per run in the writer, ${Math.round((Date.now() - began) / kills)} ms per run in all`);
    expect(problems).toEqual([]);
    expect(kills).toBe(KILLS);
    expect(lost).toBe(0);
    // The hard cases were met by construction, not by luck: every kind of kill was aimed at,
    // and kills fell while starting, during a backup and during a password reset, and after one.
    expect(Object.keys(KILL_PLANS).filter((aim) => !planned.get(aim as KillPlan))).toEqual([]);
    expect({ earlyKills: earlyKills > 0, backupsKilled: backupsKilled > 0, cutShort: cutShort > 0, resetsCutShort: resetsCutShort > 0, resets: acks.passwords > 0 }).toEqual({
      earlyKills: true,
      backupsKilled: true,
      cutShort: true,
      resetsCutShort: true,
      resets: true,
    });
    expect(written).toBeGreaterThan(KILLS);
    // An acknowledged backup was there, whole.
    expect([...acks.backups].filter((name) => !checkedBackups.has(name))).toEqual([]);
    expect(chain).toMatchObject({ ok: true });
    // Backups cut short do not pile up: at most the last run's is still there.
    expect(leftOver).toBeLessThanOrEqual(1);
    await reopened.core.shutdown();
  }, 900_000);

  it(`ends the core's thread ${THREAD_KILLS} times while it writes: each time a new thread starts locked, and no acknowledged write is lost`, async () => {
    const app = await copyOfTemplate();
    const dir = app.dir;
    await app.core.shutdown();
    const key = await dataKeyOf(dir, WORKER);
    const next = random(20261202);
    const acknowledged = new Set<string>();
    const problems: string[] = [];
    let stoppedCalls = 0;
    const restarts: string[] = [];
    // The shell's restart limit counts deaths within a minute; this clock keeps them apart.
    let shellTime = 0;
    const thread = startSourceThread(dir, { bundled: CORE_WORKER, clock: wallClock(), onStopped: (outcome) => restarts.push(outcome), now: () => (shellTime += 120_000) });
    try {
      for (let kill = 0; kill < THREAD_KILLS; kill++) {
        await thread.core.started;
        const login = await thread.core.invoke('auth.login', { username: WORKER.username, password: WORKER.password });
        if (!login.ok) problems.push(`kill ${kill}: login ${login.error.code}`);
        // Write without pause until the thread is gone; a write is acknowledged when its result says ok.
        let writing = true;
        const writer = (async () => {
          for (let n = 0; writing; n++) {
            const note = `thread-${kill}-${n}`;
            const result = await thread.core.invoke('visits.record', { clientId: app.template.ids.client, visitOn: TODAY, place: 'centre', serviceTypeIds: [1], note });
            if (result.ok) acknowledged.add(note);
            else if (result.error.code === 'CORE_STOPPED') return stoppedCalls++;
            else problems.push(`kill ${kill}: ${result.error.code}`);
          }
          return 0;
        })();
        await new Promise((resolve) => setTimeout(resolve, 20 + next() * 300));
        await thread.workers.at(-1)?.terminate();
        writing = false;
        await writer;
      }
      await thread.core.started;
    } finally {
      await thread.core.terminate();
    }
    const db = openEncrypted(join(dir, VAULT_FILES.database), Buffer.from(key), {});
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const notes = new Set(db.prepare(`select note from visit where note like 'thread-%'`).pluck().all() as string[]);
      const missing = [...acknowledged].filter((note) => !notes.has(note));
      console.log(`[crash] the core's thread ended ${THREAD_KILLS} times: ${acknowledged.size} acknowledged visits, ${missing.length} lost, ${stoppedCalls} calls told CORE_STOPPED`);
      expect(missing).toEqual([]);
    } finally {
      db.close();
    }
    expect(problems).toEqual([]);
    expect(restarts).toEqual(Array(THREAD_KILLS).fill('restarted'));
    // Most ends came while a write was under way (the thread was never idle).
    expect(stoppedCalls).toBe(THREAD_KILLS);
    expect(acknowledged.size).toBeGreaterThan(THREAD_KILLS);
    const reopened = openApp(dir);
    await loginAs(reopened, ADMIN);
    expect(await reopened.ok('audit.verify', {})).toMatchObject({ ok: true });
    await reopened.core.shutdown();
  }, 300_000);

  it(`kills a process writing to the centre's server ${SERVER_KILLS} times, and now and then the server with it: no acknowledged write is lost, nothing stays locked, the trail verifies`, async () => {
    if (!havePostgres()) throw new Error('PostgreSQL 15 is not installed (.ci/run installs Debian\'s postgresql)');
    const cluster = await startCluster();
    const database = 'centre_crash';
    try {
      // The template's vault moved up to a new server database: its people, its client.
      const connection = (await provisionServer({ address: { host: cluster.host, port: cluster.port, database, ca: cluster.ca }, owner: cluster.owner, migrations: serverMigrations, roles: rolesNamed(database) })).connection!;
      const connectionFile = join(tempDir('dh-crash-conn-'), 'centre.server');
      writeFileSync(connectionFile, JSON.stringify(connection));
      const app = await copyOfTemplate();
      await loginAs(app, ADMIN);
      // The writer resets a colleague's password now and then, which takes the administrator's role.
      await app.ok('users.update', { id: app.template.ids.worker, version: await userVersion(app, app.template.ids.worker), displayName: 'Cán Bộ Thử', roles: ['worker', 'admin'] });
      const moved = await app.gate.invoke('vault.moveUp', { confirm: true }, { path: connectionFile });
      expect(moved.ok).toBe(true);
      const ids = app.template.ids;
      await app.core.shutdown();
      const counting = ownerPool(cluster, database, 1);
      const visitsBefore = Number((await counting.query<{ n: number }>('select count(*)::int as n from visit where client_id = $1', [ids.client])).rows[0]!.n);
      await counting.end();

      const next = random(20261203);
      const acks: Acks = { visits: new Set(), clients: new Set(), backups: new Set(), password: WORKER2.password, pendingPassword: null, passwords: 0 };
      const register = syntheticClient();
      const problems: string[] = [];
      let serverStops = 0;
      let startupMs = 1500;
      for (let run = 0; run < SERVER_KILLS; run++) {
        const aim = (['starting', 'writing', 'writing', 'resetting', 'afterReset'] as const)[Math.floor(next() * 5)]!;
        // One run in four, the server goes down at the same moment (as if the power went there too).
        const withServer = next() < 0.25;
        const plan = {
          dir: app.dir,
          backupDir: '',
          run,
          username: WORKER.username,
          password: WORKER.password,
          colleagueId: ids.worker2,
          clientId: ids.client,
          serviceTypeId: 1,
          visitOn: TODAY,
          register,
          resetAt: aim === 'resetting' || aim === 'afterReset' ? 1 + Math.floor(next() * 3) : null,
          backupAt: null,
          backups: false,
        };
        const delay = { starting: startupMs, writing: 250, resetting: 150, afterReset: 60 }[aim] * next();
        // The server goes down about when the writer is killed (its timer from the spawn, the writer's from its line).
        let serverUp = true;
        const stopAt = withServer
          ? setTimeout(() => {
              cluster.stop('immediate');
              serverUp = false;
              serverStops++;
            }, startupMs + delay)
          : null;
        const outcome = await runAndKill(plan, KILL_PLANS[aim].after, delay, acks);
        if (stopAt) clearTimeout(stopAt);
        if (withServer && serverUp) {
          cluster.stop('immediate');
          serverStops++;
        }
        if (withServer) cluster.start();
        if (!withServer) {
          // The writer met no fault of the server's: it started, and wrote until it was killed.
          if (aim !== 'starting' && !outcome.sawReady) problems.push(`run ${run}: never became ready`);
          if (outcome.error) problems.push(`run ${run}: ${outcome.error}`);
          startupMs = aim === 'starting' ? startupMs : Math.min(startupMs, outcome.ms);
        } else if (outcome.error && !/SERVER_(UNREACHABLE|CONNECTION_LOST)/.test(outcome.error)) problems.push(`run ${run}: ${outcome.error}`);

        // The server, as the next PC finds it: every acknowledged client and visit is there.
        const owner = ownerPool(cluster, database, 1);
        try {
          const clients = new Set((await owner.query<{ id: number }>('select id from client')).rows.map((row) => row.id));
          const missingClients = [...acks.clients].filter((id) => !clients.has(id)).length;
          if (missingClients) problems.push(`run ${run}: ${missingClients} acknowledged clients missing`);
          const visits = Number((await owner.query<{ n: number }>('select count(*)::int as n from visit where client_id = $1', [ids.client])).rows[0]!.n);
          if (visits < visitsBefore + acks.visits.size) problems.push(`run ${run}: ${visitsBefore + acks.visits.size - visits} acknowledged visits missing`);
          // The dead PC's connection let go of the trail: nothing it held stays locked.
          let held = 1;
          for (let wait = 0; wait < 50 && held > 0; wait++) {
            held = Number((await owner.query<{ n: number }>("select count(*)::int as n from pg_locks join pg_class on pg_class.oid = pg_locks.relation where pg_class.relname = 'trail_lock' and pg_locks.granted")).rows[0]!.n);
            if (held > 0) await new Promise((resolve) => setTimeout(resolve, 100));
          }
          if (held > 0) problems.push(`run ${run}: the trail is still locked by a PC that is gone`);
        } finally {
          await owner.end();
        }
      }
      expect(problems).toEqual([]);

      // Every acknowledged visit, read back by a colleague's PC (the notes are sealed on the server).
      const checker = openApp(app.dir, wallClock());
      await loginAs(checker, WORKER);
      const page = await checker.ok('clients.get', { clientId: ids.client });
      const notes = new Set(page.visits.map((visit) => visit.note));
      expect([...acks.visits].filter((note) => !notes.has(note))).toEqual([]);
      expect(acks.visits.size).toBeGreaterThan(SERVER_KILLS);
      // The colleague's password last acknowledged opens (or the one being set when the kill came).
      await checker.ok('auth.logout', {});
      const opened = await checker.call('auth.login', { username: WORKER2.username, password: acks.password });
      if (!opened.ok) await checker.ok('auth.login', { username: WORKER2.username, password: acks.pendingPassword ?? acks.password });
      await checker.ok('auth.logout', {});
      await loginAs(checker, ADMIN);
      expect(await checker.ok('audit.verify', {})).toMatchObject({ ok: true });
      expect(serverStops).toBeGreaterThan(0);
      await checker.core.shutdown();
    } finally {
      cluster.remove();
    }
  }, 300_000);
});
