import { useCallback, useEffect, useRef, useState } from 'react';
import { request } from './client';
import { errorMessage } from './errors';
import type { TypedDocumentString } from './generated';

export interface QueryState<R> {
  data: R | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs a query when the component shows and whenever its variables change; `pollMs` repeats it
 * while `poll` says so (e.g. a data export still running).
 */
export function useQuery<R, V>(
  document: TypedDocumentString<R, V>,
  variables: V,
  options: { skip?: boolean; pollMs?: number; poll?: (data: R) => boolean } = {},
): QueryState<R> {
  const [state, setState] = useState<{ data: R | null; error: string | null; loading: boolean }>({ data: null, error: null, loading: !options.skip });
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(variables);
  const optionsRef = useRef(options);
  optionsRef.current = options;

  useEffect(() => {
    if (options.skip) return undefined;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      setState((previous) => ({ ...previous, loading: true }));
      request(document, JSON.parse(key) as V).then(
        (data) => {
          if (!live) return;
          setState({ data, error: null, loading: false });
          const { pollMs, poll } = optionsRef.current;
          if (pollMs && poll?.(data)) timer = setTimeout(run, pollMs);
        },
        (error: unknown) => live && setState((previous) => ({ data: previous.data, error: errorMessage(error), loading: false })),
      );
    };
    run();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [document, key, generation, options.skip]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, reload };
}

export interface MutationState<R, V> {
  run: (variables: V) => Promise<R | null>;
  busy: boolean;
  error: string | null;
  clearError: () => void;
}

/** A mutation: `run` answers the data, or null after putting the error in words into `error`. */
export function useMutation<R, V>(document: TypedDocumentString<R, V>): MutationState<R, V> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async (variables: V) => {
      setBusy(true);
      setError(null);
      try {
        return await request(document, variables);
      } catch (caught) {
        setError(errorMessage(caught));
        return null;
      } finally {
        setBusy(false);
      }
    },
    [document],
  );
  return { run, busy, error, clearError: useCallback(() => setError(null), []) };
}
