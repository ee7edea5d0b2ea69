// The container: subscribes to the controller's snapshot, computes the screen from it
// (screenModel, a pure function) and hands it to the Screen; keys go to the controller with what
// the screen showed. Nothing is decided or run here: the screen's state, its reducer and what it
// does on its own when the run changes live in the controller.
import { useInput } from 'ink';
import React, { useRef, useState, useSyncExternalStore } from 'react';
import type { TuiController } from './controller.js';
import { keyName } from './keymap.js';
import { useSpinner } from './animation.js';
import { Screen } from './Screen.js';
import type { Theme } from '../terminal/theme.js';
import { screenMemo, screenModel } from './screen-model.js';
import { useTicker } from './use-ticker.js';

export interface AppProps {
  controller: TuiController;
  theme: Theme;
}

export function App({ controller, theme }: AppProps) {
  const snap = useSyncExternalStore(controller.subscribe, controller.snapshot);
  const { phase } = snap.state;
  // Elapsed times and countdowns move once a second while something runs.
  useTicker(phase === 'running' || phase === 'paused' || phase === 'aborting' ? 1000 : 0);
  const spinner = useSpinner();
  const [memo] = useState(screenMemo);
  const { run, facts } = controller.screenInputs(snap);
  const model = screenModel(run, snap.ui, facts, { ...snap.size, theme, spinner }, memo);
  // A key is read against the screen it was pressed on.
  const ctx = useRef(model.ctx);
  ctx.current = model.ctx;
  useInput((input, key) => controller.key(keyName(input, key), input, ctx.current));
  return <Screen {...model.props} />;
}
