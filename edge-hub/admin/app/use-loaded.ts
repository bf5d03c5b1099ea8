import { useEffect, useState } from 'react';
import type { ApiFailure, ApiResult } from '../../../ui/http-client.ts';

/** Loads `load()` (again when it changes: pass a stable or memoised function); failures go to onFailure. */
export function useLoaded<T>(
  load: () => Promise<ApiResult<T>>,
  onFailure: (failure: ApiFailure) => void,
): [T | null, (value: T) => void] {
  const [value, setValue] = useState<T | null>(null);
  useEffect(() => {
    let cancelled = false;
    void load().then((r) => {
      if (cancelled) return;
      if (r.ok) setValue(r.value);
      else onFailure(r.failure);
    });
    return () => {
      cancelled = true;
    };
  }, [load, onFailure]);
  return [value, setValue];
}
