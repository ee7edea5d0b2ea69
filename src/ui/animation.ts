// Whether spinners move. Tests freeze them so that frames are the same every time.
import { createContext } from 'react';

export const AnimationContext = createContext<{ animate: boolean }>({ animate: true });
