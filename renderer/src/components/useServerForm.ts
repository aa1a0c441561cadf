import { useState } from 'react';
import type { FieldValues, Path, UseFormReturn } from 'react-hook-form';
import type { CallResult, ClientErrorPayload } from '../api.ts';

/**
 * Submit a react-hook-form form through a core call: field problems reported by core land on
 * their fields; anything else becomes the form's one error sentence.
 */
export function useServerForm<V extends FieldValues>(form: UseFormReturn<V>) {
  const [error, setError] = useState<ClientErrorPayload | null>(null);

  async function submit<T>(request: () => Promise<CallResult<T>>, onSuccess: (value: T) => void | Promise<void>) {
    setError(null);
    const result = await request();
    if (result.ok) {
      await onSuccess(result.value);
      return;
    }
    if (result.error.code === 'VALIDATION' && result.error.issues?.length) {
      for (const issue of result.error.issues) {
        form.setError((issue.path || 'root') as Path<V>, { type: 'server', message: issue.message });
      }
    }
    setError(result.error);
  }

  return { error, setError, submit };
}
