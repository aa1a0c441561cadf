import { useTranslation } from 'react-i18next';
import type { ClientErrorPayload } from '../api.ts';

/** A failed call as one sentence in the reader's language. Never shows a stack or a value. */
export function ErrorText({ error, id }: { error: ClientErrorPayload | null; id?: string }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <p className="message message-error" role="alert" id={id}>
      {t(`errors.${error.code}`, { seconds: error.retryAfterSeconds ?? 0 })}
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
