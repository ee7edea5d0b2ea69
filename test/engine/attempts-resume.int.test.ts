// Attempts survive the player dying: a real journal on disk, real commands through the local
// transport. The journal as it stood when the player died (a copy of the file taken while the
// second attempt ran: every record is on disk before the next action) is resumed by a new runner.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, readJournal } from '../../src/engine/journal.js';
import { Runner } from '../../src/engine/runner.js';
import { attemptsOf } from '../../src/engine/state.js';
import { replay } from '../../src/engine/update.js';
import { createLocalTransport } from '../../src/transport/local.js';
import { stepOutput } from '../../src/ui/panes/attempt-output.js';
import { tempDir, waitUntil } from '../helpers/real-shell.js';

const until = async (check: () => boolean): Promise<void> => {
  if (!(await waitUntil(check, 10_000))) throw new Error('timed out waiting');
};
import { runbook, section, stateOf } from './fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('attempts across a resume', () => {
  it('a failure, a retry the player died in, a rerun after resume: three attempts, the first one’s output from the journal', async () => {
    const { dir, remove } = tempDir('runbook-attempts-');
    cleanups.push(remove);
    // Each run counts itself in a file: the first fails, the second hangs, the third passes.
    const script = join(dir, 'try.sh');
    writeFileSync(
      script,
      'n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count\n' +
        'case $n in 1) echo "try one: no route"; exit 3;; 2) echo "try two: waiting"; sleep 30;; *) echo "try three: done";; esac\n',
    );
    const rb = runbook([section('prep', [{ id: 'fetch', run: `cd ${dir} && sh ${script}` }])]);
    const transport = createLocalTransport();
    const journal = await Journal.create(join(dir, 'state'), '20261206-120000-ab12');
    const first = new Runner({ state: stateOf(rb), transportFor: () => transport, journal, by: 'alice' });
    cleanups.push(async () => {
      await first.interrupt('test over');
      await journal.close();
    });
    first.start();
    await until(() => first.getState().prompts.some((p) => p.kind === 'failure'));
    first.dispatch({ type: 'retry', task: 'prep/fetch@local' });
    await until(() => first.output.lines('local').some((l) => l.text === 'try two: waiting' && l.attempt === 2));
    // The player dies here: what is on disk is what a resume finds.
    const died = join(dir, 'died.jsonl');
    copyFileSync(journal.file, died);
    await first.interrupt('test over');

    const { records } = await readJournal(died);
    const resumedJournal = await Journal.reopen(died);
    const second = new Runner({ state: replay(stateOf(rb), records), transportFor: () => transport, journal: resumedJournal, by: 'bob' });
    cleanups.push(async () => {
      await second.interrupt('test over');
      await resumedJournal.close();
    });
    second.start();
    await until(() => second.getState().prompts.some((p) => p.kind === 'interrupted'));
    const before = attemptsOf(second.getState(), 'prep', 'fetch', 'local');
    expect(before.map((a) => [a.number, a.status])).toEqual([
      [1, 'failed'],
      [2, 'interrupted'],
    ]);
    expect(before[0]).toMatchObject({ exit: 3, output: { tail: ['try one: no route'] } });
    // Nothing of the first attempt is in this process's store: the pane shows it from the journal, under its rule.
    const shown = stepOutput(second.getState().nodes.get('local')!, second.output.lines('local', 'prep/fetch@local')).map((l) => l.text);
    expect(shown[0]).toMatch(/^attempt 1 of fetch, \d\d:\d\d:\d\d, exit 3$/);
    expect(shown.slice(1, 3)).toEqual(['(last 1 of 1 lines, from the journal)', 'try one: no route']);
    expect(shown[3]).toMatch(/^attempt 2 of fetch, \d\d:\d\d:\d\d, interrupted$/);

    second.dispatch({ type: 'rerun', task: 'prep/fetch@local' });
    expect(await second.done).toBe('passed');
    const after = attemptsOf(second.getState(), 'prep', 'fetch', 'local');
    expect(after.map((a) => [a.number, a.status])).toEqual([
      [1, 'failed'],
      [2, 'interrupted'],
      [3, 'passed'],
    ]);
    expect(
      second.output
        .lines('local')
        .filter((l) => l.attempt === 3)
        .map((l) => l.text),
    ).toEqual(['try three: done']);
    // And the file alone says the same.
    const final = replay(stateOf(rb), (await readJournal(died)).records);
    expect(attemptsOf(final, 'prep', 'fetch', 'local')).toEqual(after);
  }, 30_000);
});
