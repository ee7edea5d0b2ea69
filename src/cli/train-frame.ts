// The first frame of `runbook train`, drawn as soon as the runbook is read: before it is validated
// and before the simulator starts (docs/architecture.md, "The first frame of `runbook train`").
// The plan is laid out on the nodes the scenario will have (simulatedNodes: the same names and
// 10.0.x.x labels the started cluster's inventory gives) with the params it will suggest. Nothing
// can run from this frame: keys wait unread in raw mode until the session is open, and the session
// validates the runbook in full first; bad input leaves the screen and exits 2 with nothing run.
import { uiWordsFor } from '../words/words.js';
import { readFile } from 'node:fs/promises';
import { realClock, scaledClock } from '../engine/clock.js';
import { buildPlan } from '../engine/plan.js';
import { createRunState, type RunState } from '../engine/state.js';
import { parseYaml } from '../input/load-yaml.js';
import type { Inventory } from '../inventory/types.js';
import type { Scalar } from '../runbook/schema.js';
import type { Runbook } from '../runbook/schema.js';
import { simulatedTraining } from '../sim/training.js';
import { drawFirstFrame, type DrawnScreen } from '../ui/app/first-frame.js';
import { parseParamArgs } from './session.js';

export interface TrainingFrameInput {
  file: string;
  scenario: string;
  size: { masters?: number; agents?: number };
  /** --param NAME=VALUE, in order. */
  params: readonly string[];
  env: NodeJS.ProcessEnv;
}

/**
 * The state a fresh training will start in, from the runbook's text alone (not validated). Undefined
 * when the text cannot be laid out: the session then reports what is wrong, with the places.
 */
export async function trainingFrameState(input: TrainingFrameInput): Promise<RunState | undefined> {
  try {
    const doc = parseYaml(await readFile(input.file, 'utf8'), input.file);
    const runbook = doc.value as Runbook;
    const { nodes, suggestedParams } = simulatedTraining({ scenario: input.scenario, ...input.size });
    const inventory: Inventory = { source: `sim:${input.scenario}`, name: `sim:${input.scenario}`, nodes, simulated: true };
    const plan = buildPlan(runbook, inventory, { file: input.file });
    // The values the session will resolve, in its order: --param, the environment, the simulator's, the default.
    const given = parseParamArgs(input.params, 'train');
    const params: Record<string, Scalar | undefined> = {};
    for (const [name, p] of Object.entries(runbook.params ?? {})) {
      const env = p.env ? input.env[p.env] : undefined;
      params[name] = given.get(name) ?? env ?? suggestedParams[name] ?? p.default;
    }
    const secrets = Object.entries(runbook.params ?? {}).flatMap(([name, p]) => (p.secret ? [name] : []));
    return createRunState({
      plan,
      runId: '',
      file: input.file,
      digest: '',
      inventory: { source: inventory.source, simulated: true },
      params,
      secrets,
      by: '',
    });
  } catch {
    return undefined;
  }
}

/** Draws the training's first frame if the terminal and the runbook allow; the driver takes the screen over. */
export async function drawTrainingFrame(
  input: TrainingFrameInput & { timeScale?: number; lang?: string },
  screen: Parameters<typeof drawFirstFrame>[1],
): Promise<DrawnScreen | undefined> {
  const state = await trainingFrameState(input);
  if (!state) return undefined;
  const clock = input.timeScale ? scaledClock(input.timeScale) : realClock;
  // The header's word for a training, as the session's screen has it: the scenario's name would give its fault away.
  const target = uiWordsFor(input.lang ?? state.plan.runbook.lang).train.target;
  return drawFirstFrame(state, screen, {
    target,
    training: true,
    now: clock.now(),
    ...(input.lang ? { lang: input.lang } : {}),
  });
}

/** Gives the terminal back as it was: out of the alternate screen, keys no longer raw. */
export function leaveTrainingFrame(drawn: DrawnScreen, stdin: NodeJS.ReadStream): void {
  drawn.writer.leave();
  if (stdin.isTTY && typeof stdin.setRawMode === 'function') stdin.setRawMode(false);
}
