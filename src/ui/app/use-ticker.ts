// One clock for everything on screen that moves with time (elapsed time, countdowns, the grid's
// spinner): a counter that grows every `ms`, and stands still when `ms` is 0 (nothing moves, so
// an idle screen costs nothing).
import { useEffect, useState } from 'react';

export function useTicker(ms: number): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (ms <= 0) return;
    const timer = setInterval(() => setTick((t) => t + 1), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return tick;
}
