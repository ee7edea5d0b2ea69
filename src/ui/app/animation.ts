// Whether spinners move. Tests freeze them so that frames are the same every time.
import { createContext, useContext } from 'react';
import { SPINNER_FRAMES, SPINNER_MARK } from '../terminal/theme.js';

export const AnimationContext = createContext<{ animate: boolean }>({ animate: true });

/** The spinner glyph of the moment: the mark the screen writer animates, or a frozen frame. */
export function useSpinner(): string {
  const { animate } = useContext(AnimationContext);
  return animate ? SPINNER_MARK : SPINNER_FRAMES[0];
}
