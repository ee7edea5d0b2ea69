// Where the screen's rows go: the Screen hands each frame, as rows of text, to the FrameOutput
// provided (the screen writer in runTui, the benchmark and the tests). Ink draws nothing; why is
// in docs/architecture.md.
import { createContext } from 'react';

/** Takes every row of a frame, top to bottom, each at most the terminal's width. */
export type FrameOutput = (rows: readonly string[]) => void;

export const FrameOutputContext = createContext<FrameOutput | undefined>(undefined);
