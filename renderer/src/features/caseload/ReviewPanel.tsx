import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ClientPage } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { useCan } from '../../app/session.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { formatDate } from '../../i18n/format.ts';

/** Managers' reviews of the case; a manager marks it reviewed, with a comment restricted like notes. */
export function ReviewPanel({ page, onChanged }: { page: ClientPage; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const id = useId();
  const canReview = useCan('caseload.manage');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  if (!canReview && page.reviews.length === 0) return null;
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('review.title')}</h2>
      <p className="muted">{page.lastReviewedOn ? t('review.last', { date: formatDate(page.lastReviewedOn) }) : t('review.never')}</p>
      {page.reviews.length ? (
        <ul className="visit-list">
          {page.reviews.map((review) => (
            <li key={review.id}>
              <strong>{formatDate(review.reviewedOn)}</strong> · {review.reviewerName ?? '—'}
              {review.comment ? <div className="restricted-text">{review.comment}</div> : review.hasComment ? <div className="muted">{t('clients.noteHidden')}</div> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {canReview ? (
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            const result = await call('reviews.record', { clientId: page.id, comment });
            if (!result.ok) return setError(result.error);
            setError(null);
            setComment('');
            await onChanged();
          }}
        >
          <div className="field restricted">
            <label htmlFor={`${id}-comment`}>{t('review.comment')}</label>
            <textarea id={`${id}-comment`} rows={3} value={comment} maxLength={2000} aria-describedby={`${id}-hint`} onChange={(event) => setComment(event.target.value)} />
            <p className="hint" id={`${id}-hint`}>
              {t('review.commentHint')}
            </p>
          </div>
          <button type="submit">{t('review.mark')}</button>
        </form>
      ) : null}
      <ErrorText error={error} />
    </section>
  );
}
