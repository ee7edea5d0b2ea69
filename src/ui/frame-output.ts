// Where the screen's rows go. The screen is exactly the terminal's size and every pane already
// builds its rows as strings, so Ink's layout and its cell-by-cell drawing of the whole screen
// add nothing but time (about 10 ms a frame at 250x70, more than everything else together). With
// a FrameOutput provided (runTui, the benchmark), the Screen hands its rows straight to it (the
// screen writer) and gives Ink nothing to draw; without one (component tests), the rows are drawn
// through Ink as one Text, the same rows.
import { createContext } from 'react';

/** Takes every row of a frame, top to bottom, each at most the terminal's width. */
export type FrameOutput = (rows: readonly string[]) => void;

export const FrameOutputContext = createContext<FrameOutput | undefined>(undefined);
