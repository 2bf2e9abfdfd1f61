/**
 * Loads something for a screen and keeps its state: the value, the error as a sentence, and a
 * way to load again. A newer load wins over an older one still in flight.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApp } from './app-state.tsx';

export interface Loaded<T> {
  value: T | undefined;
  error: string | undefined;
  reload(): Promise<void>;
}

export function useLoad<T>(
  load: () => Promise<T>,
  server: 'ticketing' | 'exchange' = 'ticketing',
): Loaded<T> {
  const { failure } = useApp();
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<string>();
  const generation = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const loaded = await load();
      if (mine === generation.current) {
        setValue(loaded);
        setError(undefined);
      }
    } catch (e) {
      if (mine === generation.current) setError(failure(e, server));
    }
  }, [load, failure, server]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { value, error, reload };
}
