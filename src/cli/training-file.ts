// What a training needs to be resumed, kept beside its journal (runs/<run>.training.json): the
// simulated cluster goes when its player goes, so a resume starts a new one of the same scenario
// and size, from the snapshot beside it (runs/<run>.sim.json). The journal alone does not say the size.
import { readFile, writeFile } from 'node:fs/promises';
import { InputError } from '../input/problem.js';

export interface TrainingFile {
  scenario: string;
  masters?: number;
  agents?: number;
  timeScale?: number;
}

export const trainingFileOf = (journal: string): string => journal.replace(/\.jsonl$/, '.training.json');
/** The simulated cluster's snapshot (src/sim/snapshot.ts), rewritten after every finished step. */
export const simSnapshotFileOf = (journal: string): string => journal.replace(/\.jsonl$/, '.sim.json');

/** Written once when a training starts; never over an existing file (or a link put there). */
export async function writeTrainingFile(journal: string, training: TrainingFile): Promise<void> {
  await writeFile(trainingFileOf(journal), `${JSON.stringify(training)}\n`, { flag: 'wx', mode: 0o600 });
}

const positive = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v) && v > 0);

/** The training of a journal, undefined when the run was not a training (no such file). */
export async function readTrainingFile(journal: string): Promise<TrainingFile | undefined> {
  const file = trainingFileOf(journal);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError([{ file, severity: 'error', message: `cannot be read: ${(error as Error).message}` }]);
  }
  let value: Partial<TrainingFile>;
  try {
    value = JSON.parse(text) as Partial<TrainingFile>;
  } catch {
    value = {};
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.scenario !== 'string' ||
    ![value.masters, value.agents, value.timeScale].every(positive)
  ) {
    throw new InputError([
      {
        file,
        line: 1,
        column: 1,
        severity: 'error',
        message: 'this is not the record of a training (scenario, masters, agents, timeScale); it was changed or damaged',
      },
    ]);
  }
  return value as TrainingFile;
}
