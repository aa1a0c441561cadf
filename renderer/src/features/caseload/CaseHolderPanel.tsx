import { useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ClientPage } from '../../../../electron/contract/index.ts';
import { call, type CallResult, type ClientErrorPayload } from '../../api.ts';
import { useCan, useSession } from '../../app/session.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { formatDate, formatDateTime } from '../../i18n/format.ts';
import { useWorkers } from './useWorkers.ts';

type Offer = ClientPage['offers'][number];

/**
 * Who holds the case and who held it before; the holder offers it to a colleague, who accepts
 * or declines (with a reason) here. The new holder gains the identity view; the old one loses it.
 */
export function CaseHolderPanel({ page, onChanged }: { page: ClientPage; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const canWrite = useCan('clients.write');
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const pending = page.offers.find((offer) => offer.status === 'pending') ?? null;
  const answered = page.offers.filter((offer) => offer.status !== 'pending').slice(0, 3);

  const act = async (request: Promise<CallResult<unknown>>) => {
    const result = await request;
    if (!result.ok) return setError(result.error);
    setError(null);
    await onChanged();
  };

  return (
    <section className="panel" aria-labelledby="holder-panel">
      <h2 id="holder-panel" tabIndex={-1}>
        {t('holder.title')}
      </h2>
      <p>
        <strong>{page.assignedWorkerName ?? '—'}</strong>
        {page.isMine ? <span className="muted"> ({t('holder.you')})</span> : null}
      </p>
      {page.assignments.length > 1 ? (
        <details>
          <summary>{t('holder.history', { count: page.assignments.length })}</summary>
          <ol className="holder-history">
            {page.assignments.map((holding, index) => (
              <li key={index}>
                {holding.workerName ?? '—'}: {formatDate(holding.startedOn)} – {holding.endedOn ? formatDate(holding.endedOn) : t('holder.now')}
                <span className="muted"> · {t(`holder.how.${holding.how}`, { name: holding.byName ?? '—' })}</span>
              </li>
            ))}
          </ol>
        </details>
      ) : null}
      {pending ? (
        <PendingOffer offer={pending} viewerId={user.id} onWithdraw={() => act(call('caseload.withdrawOffer', { offerId: pending.id }))} onAnswered={onChanged} setError={setError} />
      ) : canWrite && page.isMine && page.status === 'open' && !page.restriction ? (
        <OfferForm viewerId={user.id} submit={(input) => act(call('caseload.offer', { clientId: page.id, ...input }))} />
      ) : null}
      {answered.length ? (
        <ul className="offer-list">
          {answered.map((offer) => (
            <li key={offer.id} className="muted">
              {t(`holder.offerStatus.${offer.status}`, { from: offer.fromName ?? '—', to: offer.toName ?? '—', date: formatDate(offer.respondedAt ?? offer.offeredAt) })}
              {offer.reason ? <div className="restricted-text">{offer.reason}</div> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <ErrorText error={error} />
    </section>
  );
}

function OfferForm({ viewerId, submit }: { viewerId: number; submit: (input: { toUserId: number; message: string }) => Promise<void> }) {
  const { t } = useTranslation();
  const id = useId();
  const workers = useWorkers().filter((worker) => worker.id !== viewerId);
  const [toUserId, setToUserId] = useState('');
  const [message, setMessage] = useState('');
  return (
    <form
      className="subpanel"
      onSubmit={(event) => {
        event.preventDefault();
        if (toUserId) void submit({ toUserId: Number(toUserId), message });
      }}
    >
      <h3>{t('holder.offerTitle')}</h3>
      <div className="field">
        <label htmlFor={`${id}-to`}>{t('holder.offerTo')}</label>
        <select id={`${id}-to`} value={toUserId} onChange={(event) => setToUserId(event.target.value)}>
          <option value="">{t('holder.chooseWorker')}</option>
          {workers.map((worker) => (
            <option key={worker.id} value={worker.id}>
              {t('holder.workerOption', { name: worker.displayName, count: worker.openCases })}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-message`}>{t('holder.message')}</label>
        <textarea id={`${id}-message`} rows={2} value={message} maxLength={500} aria-describedby={`${id}-hint`} onChange={(event) => setMessage(event.target.value)} />
        <p className="hint" id={`${id}-hint`}>
          {t('holder.messageHint')}
        </p>
      </div>
      <button type="submit" disabled={!toUserId}>
        {t('holder.offer')}
      </button>
    </form>
  );
}

function PendingOffer({
  offer,
  viewerId,
  onWithdraw,
  onAnswered,
  setError,
}: {
  offer: Offer;
  viewerId: number;
  onWithdraw: () => Promise<void>;
  onAnswered: () => Promise<void>;
  setError: (error: ClientErrorPayload | null) => void;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const id = useId();
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonProblem, setReasonProblem] = useState<string | null>(null);
  const respond = async (accept: boolean) => {
    const result = await call('caseload.respond', accept ? { offerId: offer.id, accept } : { offerId: offer.id, accept, reason });
    if (!result.ok) {
      setReasonProblem(result.error.issues?.find((issue) => issue.path === 'reason')?.message ?? null);
      return setError(result.error.code === 'VALIDATION' ? null : result.error);
    }
    setError(null);
    if (accept) await onAnswered();
    else navigate('/todo');
  };
  return (
    <div className="subpanel offer-pending" role="region" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('holder.pendingTitle')}</h3>
      <p>{t('holder.pending', { from: offer.fromName ?? '—', to: offer.toName ?? '—', at: formatDateTime(offer.offeredAt) })}</p>
      {offer.message ? <p className="restricted-text">{offer.message}</p> : null}
      {offer.toUserId === viewerId ? (
        declining ? (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void respond(false);
            }}
          >
            <div className="field">
              <label htmlFor={`${id}-reason`}>{t('holder.declineReason')}</label>
              <textarea
                id={`${id}-reason`}
                rows={2}
                value={reason}
                maxLength={500}
                aria-invalid={reasonProblem ? true : undefined}
                aria-describedby={reasonProblem ? `${id}-reason-error` : undefined}
                onChange={(event) => setReason(event.target.value)}
              />
              {reasonProblem ? (
                <p className="field-error" id={`${id}-reason-error`}>
                  {t(`validation.${reasonProblem}`)}
                </p>
              ) : null}
            </div>
            <div className="actions">
              <button type="button" onClick={() => setDeclining(false)}>
                {t('common.cancel')}
              </button>
              <button type="submit" className="primary">
                {t('holder.decline')}
              </button>
            </div>
          </form>
        ) : (
          <div className="actions">
            <button type="button" onClick={() => setDeclining(true)}>
              {t('holder.decline')}
            </button>
            <button type="button" className="primary" onClick={() => void respond(true)}>
              {t('holder.accept')}
            </button>
          </div>
        )
      ) : offer.fromUserId === viewerId ? (
        <button type="button" onClick={() => void onWithdraw()}>
          {t('holder.withdraw')}
        </button>
      ) : null}
    </div>
  );
}
