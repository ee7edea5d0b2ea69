import { it } from 'vitest';
import React from 'react';
import { Runner } from '../../src/engine/runner.js';
import { FakeClock } from '../../src/engine/clock.js';
import { TuiController } from '../../src/ui/controller.js';
import { App } from '../../src/ui/App.js';
import { createTheme } from '../../src/ui/theme.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { renderUi } from '../helpers/render.js';
import { freshState } from './fixtures.js';

it('smoke', async () => {
  const t = new FakeTransport().expect('true');
  const clock = new FakeClock();
  const runner = new Runner({ state: freshState(3, 20), transportFor: () => t, clock, by: 'alice' });
  const controller = new TuiController({ runner, transportFor: () => t, clock, size: { columns: 80, rows: 24 }, health: false, target: 'sim:happy', training: true });
  const r = await renderUi(<App controller={controller} theme={createTheme('mono')} />, { columns: 80, rows: 24 });
  console.log(r.frame());
  await r.press('enter');
  await r.waitFor('Run on master-1');
  console.log(r.frame());
  controller.close();
  r.unmount();
});
