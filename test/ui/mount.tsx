// The App with a real runner over fake transports, for tests that drive a whole run by keys:
// mount() renders it at a fixed size through the screen writer into a headless terminal, and everything it started is stopped after each test.
import React from 'react';
import { afterEach } from 'vitest';
import type { Clock } from '../../src/engine/clock.js';
import { Runner } from '../../src/engine/runner.js';
import type { RunState } from '../../src/engine/state.js';
import type { InventoryNode } from '../../src/inventory/types.js';
import type { Transport } from '../../src/transport/types.js';
import { App } from '../../src/ui/app/App.js';
import { TuiController } from '../../src/ui/app/controller.js';
import { createTheme, type Theme } from '../../src/ui/terminal/theme.js';
import { renderScreen, type TermScreen } from './terminal.js';

export interface Mounted {
  r: TermScreen;
  controller: TuiController;
  runner: Runner;
}

export interface MountOptions {
  columns?: number;
  rows?: number;
  theme?: Theme;
  training?: boolean;
  briefing?: string;
  target?: string;
  clock?: Clock;
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

export const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Renders the App over a runner whose nodes are reached through `transportFor`. */
export async function mount(
  state: RunState,
  transportFor: (node: InventoryNode) => Transport,
  options: MountOptions = {},
): Promise<Mounted> {
  const size = { columns: options.columns ?? 100, rows: options.rows ?? 30 };
  const runner = new Runner({ state, transportFor, by: 'alice', ...(options.clock ? { clock: options.clock } : {}) });
  const controller = new TuiController({
    runner,
    transportFor,
    size,
    health: false,
    target: options.target ?? 'sim:happy',
    ...(options.training ? { training: true } : {}),
    ...(options.briefing ? { briefing: options.briefing } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const r = await renderScreen(<App controller={controller} theme={options.theme ?? createTheme('mono')} />, {
    ...size,
    onResize: (s) => controller.resize(s),
  });
  cleanup.push(() => {
    controller.close();
    r.unmount();
    // A run left waiting (a hung command, a pre-flight) must not outlive its test.
    void runner.interrupt('test over');
  });
  return { r, controller, runner };
}
