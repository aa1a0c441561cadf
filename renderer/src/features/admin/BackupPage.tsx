import { useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackupSummary, ChannelOutput } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { useSession } from '../../app/session.ts';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { TableHead, EmptyRow } from '../../components/TableHead.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { formatDateTime } from '../../i18n/format.ts';
import { RecoveryCodeStep, type IssuedCode } from '../setup/RecoveryCode.tsx';
import { useBackupCredentials } from './BackupCredentials.tsx';
import { JobProgress, useBackupJob } from './BackupJob.tsx';

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toLocaleString('vi-VN', { maximumFractionDigits: 1 })} MB`;

/**
 * Backups (administrators): make one now into a folder (a USB drive), check one, restore one;
 * automatic backups on a schedule and when the app closes, keeping the newest few.
 */
export function BackupPage() {
  const { t } = useTranslation();
  const { data: status, reload } = useLoaded(() => call('backup.status', {}), null as ChannelOutput<'backup.status'> | null);
  // On the centre's server: a backup holds the whole centre; a restore goes by a PC and a move up; a key change stops every PC meanwhile.
  const onServer = status?.onServer === true;
  // One piece of work at a time on this screen: a backup, a check, a restore or a key change.
  const [working, setWorking] = useState<'backup' | 'check' | 'rotate' | null>(null);
  const busy = (part: 'backup' | 'check' | 'rotate') => working !== null && working !== part;
  const onWorking = useMemo(() => {
    const says = (part: 'backup' | 'check' | 'rotate') => (now: boolean) => setWorking((before) => (now ? part : before === part ? null : before));
    return { backup: says('backup'), check: says('check'), rotate: says('rotate') };
  }, []);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('backup.title')}</h1>
      <p className="intro">{t('backup.intro')}</p>
      <BackupNow onDone={reload} busy={busy('backup')} onWorking={onWorking.backup} onServer={onServer} />
      <CheckOrRestore busy={busy('check')} onWorking={onWorking.check} onServer={onServer} />
      {status ? <Automatic status={status} onChanged={reload} /> : null}
      <RotateKey busy={busy('rotate')} onWorking={onWorking.rotate} onServer={onServer} />
      {status && !onServer ? <MoveUp busy={working !== null} /> : null}
    </section>
  );
}

/**
 * Moving up to the centre's server: the administrator picks the connection file the server's
 * setup command wrote; everything is copied there, and this PC then works against the server.
 */
function MoveUp({ busy: otherBusy }: { busy: boolean }) {
  const { t } = useTranslation();
  const [understood, setUnderstood] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  return (
    <section className="panel" aria-labelledby="move-up-title">
      <h2 id="move-up-title">{t('backup.moveUpTitle')}</h2>
      <p className="hint">{t('backup.moveUpHint')}</p>
      <ErrorText error={error} />
      <div className="danger-zone">
        <label className="check">
          <input type="checkbox" checked={understood} onChange={(event) => setUnderstood(event.target.checked)} /> {t('backup.moveUpUnderstand')}
        </label>
        <button
          type="button"
          className="danger"
          disabled={!understood || busy || otherBusy}
          onClick={async () => {
            setBusy(true);
            setError(null);
            const result = await call('vault.moveUp', { confirm: true });
            setBusy(false);
            // Moved: the session ends and the app returns to the login screen by itself.
            if (!result.ok) setError(result.error);
          }}
        >
          {t('backup.moveUp')}
        </button>
      </div>
      {busy ? <Working text={t('backup.movingUp')} /> : null}
    </section>
  );
}

/** Work that cannot show how far it has come (the key change, one step). */
function Working({ text }: { text: string }) {
  return (
    <div className="report-progress" role="status">
      <span>{text}</span>
      <progress aria-label={text} />
    </div>
  );
}

function BackupLine({ backup }: { backup: BackupSummary }) {
  const { t } = useTranslation();
  return (
    <dl className="facts">
      <dt>{t('backup.folder')}</dt>
      <dd>{backup.folderName}</dd>
      <dt>{t('backup.madeAt')}</dt>
      <dd>{formatDateTime(backup.createdAt)}</dd>
      <dt>{t('backup.holds')}</dt>
      <dd>{t('backup.counts', { clients: backup.counts.client ?? 0, visits: backup.counts.visit ?? 0, users: backup.counts.user ?? 0, size: megabytes(backup.bytes) })}</dd>
      <dt>{t('backup.version')}</dt>
      {/* The data's layout by its number (migrations are numbered): `0008_unlinkable_contacts` → 8. */}
      <dd>{t('backup.versionValue', { app: backup.app, data: Number.parseInt(backup.schema, 10) || 0 })}</dd>
    </dl>
  );
}

/** A backup now: started in the chosen folder, then step by step with its progress, stoppable. */
/** Whether another part of the screen is working (this one waits), and how this one says it is. */
type Sharing = { busy: boolean; onWorking: (working: boolean) => void };

function BackupNow({ onDone, busy, onWorking, onServer }: { onDone: () => Promise<void>; onServer: boolean } & Sharing) {
  const { t } = useTranslation();
  const { progress, running, run, stop } = useBackupJob();
  useEffect(() => onWorking(running), [running, onWorking]);
  const [made, setMade] = useState<BackupSummary | null>(null);
  const [outcome, setOutcome] = useState<'cancelled' | 'stopped' | null>(null);
  const [error, setError] = useState<ClientErrorPayload | null>(null);

  const start = async () => {
    setError(null);
    setMade(null);
    setOutcome(null);
    const end = await run(() => call('backup.start', {}), 'copy');
    if ('error' in end) return setError(end.error);
    if ('cancelled' in end) return setOutcome('cancelled');
    if ('stopped' in end) return;
    setOutcome(null);
    setMade(end.ended.backup);
    return onDone();
  };

  return (
    <section className="panel" aria-labelledby="backup-now">
      <h2 id="backup-now">{t('backup.nowTitle')}</h2>
      <p className="hint">{t('backup.nowHint')}</p>
      {onServer ? <p className="hint">{t('backup.serverNowHint')}</p> : null}
      <div className="actions">
        <button type="button" className="primary" disabled={running || busy} onClick={() => void start()}>
          {t('backup.now')}
        </button>
      </div>
      <JobProgress
        progress={progress}
        stopLabel={t('backup.stop')}
        onStop={() => {
          setOutcome('stopped');
          void stop();
        }}
      />
      <ErrorText error={error} />
      <Notice text={made ? t('backup.made') : outcome ? t(`backup.${outcome}`) : null} />
      {made ? <BackupLine backup={made} /> : null}
    </section>
  );
}

/**
 * Check a backup, or restore one: step by step, with the stage and percentage shown and a
 * button to stop (a restore stopped leaves the data as it was). After a restore the session
 * ends and the app returns to the login screen by itself.
 */
function CheckOrRestore({ busy, onWorking, onServer }: Sharing & { onServer: boolean }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const { credentials, fields } = useBackupCredentials(user.username);
  const { progress, running, run, stop } = useBackupJob();
  useEffect(() => onWorking(running), [running, onWorking]);
  const [understood, setUnderstood] = useState(false);
  const [action, setAction] = useState<'verify' | 'restore' | null>(null);
  const [checked, setChecked] = useState<BackupSummary | null>(null);
  const [outcome, setOutcome] = useState<'checkStopped' | 'restoreStopped' | 'cancelled' | null>(null);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const go = async (which: 'verify' | 'restore') => {
    setAction(which);
    setError(null);
    setChecked(null);
    setOutcome(null);
    const end = await run(() => (which === 'verify' ? call('backup.verify', { credentials: credentials() }) : call('backup.restore', { credentials: credentials(), confirm: true })), 'checksum');
    if ('error' in end) return setError(end.error);
    if ('cancelled' in end) return setOutcome('cancelled');
    if ('ended' in end) setOutcome(null);
    if ('ended' in end && end.ended.checked) setChecked(end.ended.backup);
  };
  return (
    <section className="panel" aria-labelledby="backup-check">
      <h2 id="backup-check">{t('backup.checkTitle')}</h2>
      <p className="hint">{t(onServer ? 'backup.serverCheckHint' : 'backup.checkHint')}</p>
      {fields}
      <div className="actions">
        <button type="button" disabled={running || busy} onClick={() => void go('verify')}>
          {t('backup.verify')}
        </button>
      </div>
      {onServer ? (
        <>
          <h3>{t('backup.serverRestoreTitle')}</h3>
          <p className="hint">{t('backup.serverRestoreHint')}</p>
          <ol className="hint">
            {(['newDatabase', 'restoreOnPc', 'moveUp', 'others'] as const).map((step) => (
              <li key={step}>{t(`backup.serverRestoreSteps.${step}`)}</li>
            ))}
          </ol>
        </>
      ) : (
        <div className="danger-zone">
          <label className="check">
            <input type="checkbox" checked={understood} onChange={(event) => setUnderstood(event.target.checked)} /> {t('backup.understand')}
          </label>
          <button type="button" className="danger" disabled={!understood || running || busy} onClick={() => void go('restore')}>
            {t('backup.restore')}
          </button>
        </div>
      )}
      {running && action === 'restore' ? <p className="hint">{t('backup.restoring')}</p> : null}
      <JobProgress
        progress={progress}
        stopLabel={t(action === 'restore' ? 'backup.stopRestore' : 'backup.stopCheck')}
        onStop={() => {
          setOutcome(action === 'restore' ? 'restoreStopped' : 'checkStopped');
          void stop();
        }}
      />
      <ErrorText error={error} />
      <Notice text={checked ? t('backup.checked') : outcome === 'cancelled' ? t('backup.nothingChosen') : outcome ? t(`backup.${outcome}`) : null} />
      {checked ? <BackupLine backup={checked} /> : null}
    </section>
  );
}

function Automatic({ status, onChanged }: { status: ChannelOutput<'backup.status'>; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const id = useId();
  const [everyHours, setEveryHours] = useState(status.everyHours);
  const [keep, setKeep] = useState(status.keep);
  const [atExit, setAtExit] = useState(status.atExit);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  return (
    <section className="panel" aria-labelledby="backup-auto">
      <h2 id="backup-auto">{t('backup.autoTitle')}</h2>
      <p className="hint">{t(status.onServer ? 'backup.serverAutoHint' : 'backup.autoHint')}</p>
      <p>
        {t('backup.autoFolder')}: <strong>{status.folder ?? t('backup.noFolder')}</strong>{' '}
        <button
          type="button"
          onClick={async () => {
            const result = await call('backup.setFolder', {});
            if (!result.ok) return setError(result.error);
            await onChanged();
          }}
        >
          {t('backup.chooseFolder')}
        </button>
      </p>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const result = await call('backup.updateSettings', { backupEveryHours: everyHours, backupKeep: keep, backupAtExit: atExit });
          if (!result.ok) return setError(result.error);
          setError(null);
          setSaved(true);
          await onChanged();
        }}
        onChange={() => setSaved(false)}
      >
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-every`}>{t('backup.everyHours')}</label>
            <input id={`${id}-every`} type="number" min={0} max={168} value={everyHours} aria-describedby={`${id}-every-hint`} onChange={(event) => setEveryHours(Number(event.target.value))} />
            <p className="hint" id={`${id}-every-hint`}>
              {t('backup.everyHoursHint')}
            </p>
          </div>
          <div className="field">
            <label htmlFor={`${id}-keep`}>{t('backup.keep')}</label>
            <input id={`${id}-keep`} type="number" min={1} max={100} value={keep} onChange={(event) => setKeep(Number(event.target.value))} />
          </div>
        </div>
        {/* On the server every PC closing would back up the whole centre: the schedule does it there. */}
        {status.onServer ? null : (
          <label className="check">
            <input type="checkbox" checked={atExit} onChange={(event) => setAtExit(event.target.checked)} /> {t('backup.atExit')}
          </label>
        )}
        <div className="actions">
          <button type="submit" className="primary">
            {t('common.save')}
          </button>
        </div>
      </form>
      <ErrorText error={error} />
      <Notice text={saved ? t('common.saved') : null} />
      <p className="muted">{status.lastBackupAt ? t('backup.lastAt', { date: formatDateTime(status.lastBackupAt) }) : t('backup.never')}</p>
      <table className="data-table compact">
        <TableHead caption={t('backup.found')} showCaption columns={[t('backup.madeAt'), t('backup.kind'), t('backup.holds'), t('backup.folder')]} />
        <tbody>
          {status.backups.length === 0 ? <EmptyRow columns={4} text={t('backup.noneFound')} /> : null}
          {status.backups.map((backup) => (
            <tr key={backup.folderName}>
              <td>{formatDateTime(backup.createdAt)}</td>
              <td>{t(`backup.triggers.${backup.trigger}`)}</td>
              <td>{t('backup.counts', { clients: backup.counts.client ?? 0, visits: backup.counts.visit ?? 0, users: backup.counts.user ?? 0, size: megabytes(backup.bytes) })}</td>
              <td className="sha">{backup.folderName}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

type Rotation = IssuedCode & { needNewPassword: { id: number; displayName: string }[] };

/**
 * Rotating the data key after someone leaves: a new recovery code is shown (printed, written
 * down), then the administrator's password and one group of the code confirm it. Colleagues
 * keep their passwords; the session ends and everyone logs in again.
 */
function RotateKey({ busy: otherBusy, onWorking, onServer }: Sharing & { onServer: boolean }) {
  const { t } = useTranslation();
  const id = useId();
  const { data: settings } = useLoaded(() => call('settings.get', {}), null as ChannelOutput<'settings.get'> | null);
  const [rotation, setRotation] = useState<Rotation | null>(null);
  const [step, setStep] = useState<'code' | 'confirm'>('code');
  const [password, setPassword] = useState('');
  const [group, setGroup] = useState('');
  const [understood, setUnderstood] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  // From its first step the key change holds the screen: a backup job started meanwhile would be stopped by it.
  useEffect(() => onWorking(rotation !== null || busy), [rotation, busy, onWorking]);
  return (
    <section className="panel" aria-labelledby="rotate-title">
      <h2 id="rotate-title">{t('backup.rotateTitle')}</h2>
      <p className="hint">{t(onServer ? 'backup.serverRotateHint' : 'backup.rotateHint')}</p>
      <ErrorText error={error} />
      {!rotation ? (
        <button
          type="button"
          disabled={otherBusy}
          onClick={async () => {
            setError(null);
            const result = await call('vault.rotateBegin', {});
            if (!result.ok) return setError(result.error);
            setRotation(result.value);
            setStep('code');
          }}
        >
          {t('backup.rotateStart')}
        </button>
      ) : step === 'code' ? (
        <>
          {rotation.needNewPassword.length ? (
            <div className="notice warning" role="note">
              <p>{t('backup.rotateNeedPassword')}</p>
              <ul>
                {rotation.needNewPassword.map((person) => (
                  <li key={person.id}>{person.displayName}</li>
                ))}
              </ul>
            </div>
          ) : null}
          <p>{t('backup.rotateCodeIntro')}</p>
          <RecoveryCodeStep issued={rotation} centreName={settings?.centreName ?? ''} centreCode={settings?.centreCode ?? ''} onCancel={() => setRotation(null)} onWritten={() => setStep('confirm')} />
        </>
      ) : (
        <form
          noValidate
          onSubmit={async (event) => {
            event.preventDefault();
            setBusy(true);
            setError(null);
            const result = await call('vault.rotateKey', { password, confirmation: group, confirm: true });
            setBusy(false);
            // On success the session ends and the app returns to the login screen by itself.
            if (!result.ok) setError(result.error);
          }}
        >
          <div className="form-grid">
            <div className="field">
              <label htmlFor={`${id}-password`}>{t('backup.rotatePassword')}</label>
              <input id={`${id}-password`} type="password" value={password} autoComplete="off" onChange={(event) => setPassword(event.target.value)} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-group`}>{t('setup.confirmLabel', { group: rotation.confirmGroup })}</label>
              <input id={`${id}-group`} className="code-input" value={group} maxLength={9} autoComplete="off" spellCheck={false} onChange={(event) => setGroup(event.target.value)} />
            </div>
          </div>
          <div className="danger-zone">
            <label className="check">
              <input type="checkbox" checked={understood} onChange={(event) => setUnderstood(event.target.checked)} /> {t('backup.rotateUnderstand')}
            </label>
            <button type="button" onClick={() => setStep('code')}>
              {t('setup.showCodeAgain')}
            </button>
            <button type="submit" className="danger" disabled={!understood || busy || !password || !group.trim()}>
              {t('backup.rotate')}
            </button>
          </div>
          {busy ? <Working text={t(onServer ? 'backup.serverRotating' : 'backup.rotating')} /> : null}
        </form>
      )}
    </section>
  );
}
