import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useState } from 'react';
import { useForm, type DefaultValues, type FieldValues, type Path } from 'react-hook-form';
import type { z } from 'zod';
import type { CallResult, ClientErrorPayload } from '../api.ts';

/**
 * A react-hook-form form validated by a contract schema (the same zod schema core checks),
 * focused on its first field, and submitted through a core call: field problems reported by
 * core land on their fields; anything else becomes the form's one error sentence.
 */
export function useContractForm<S extends z.ZodType<FieldValues, FieldValues>>(
  schema: S,
  options: { defaultValues?: DefaultValues<z.input<S>>; focus?: Path<z.input<S>> } = {},
) {
  const form = useForm<z.input<S>, unknown, z.output<S>>({
    resolver: zodResolver(schema),
    defaultValues: options.defaultValues,
  });
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const { focus } = options;
  useEffect(() => {
    if (focus) form.setFocus(focus);
  }, [form, focus]);

  async function submit<T>(request: () => Promise<CallResult<T>>, onSuccess: (value: T) => void | Promise<void>) {
    setError(null);
    const result = await request();
    if (result.ok) {
      await onSuccess(result.value);
      return;
    }
    for (const issue of result.error.code === 'VALIDATION' ? (result.error.issues ?? []) : []) {
      form.setError((issue.path || 'root') as Path<z.input<S>>, { type: 'server', message: issue.message });
    }
    setError(result.error);
  }

  /** The form's error sentence goes once what it was about is put right. */
  const clearError = () => setError(null);
  return { form, errors: form.formState.errors, busy: form.formState.isSubmitting, error, submit, clearError };
}
