import { useTranslation } from 'react-i18next';
import type { ClientErrorPayload } from '../api.ts';

/**
 * A failed call as one sentence in the reader's language. Never shows a stack or a value.
 * `sentences`: a screen's own words for a code where the general one would not fit it.
 */
export function ErrorText({ error, id, sentences }: { error: ClientErrorPayload | null; id?: string; sentences?: Partial<Record<ClientErrorPayload['code'], string>> }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <p className="message message-error" role="alert" id={id}>
      {sentences?.[error.code] ?? t(`errors.${error.code}`, { seconds: error.retryAfterSeconds ?? 0 })}
    </p>
  );
}

export function Notice({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p className="message message-ok" role="status">
      {text}
    </p>
  );
}
