// Built-in checks a step calls with `check: { builtin: NAME, with: {...} }`: pure functions of
// their arguments, the files the engine read for them, and the step's command output.
import { configChange } from './builtins/config-change.js';
import { mesosAgents } from './builtins/mesos-agents.js';
import { mesosVersion } from './builtins/mesos-version.js';
import { nodeVersion } from './builtins/node-version.js';
import { patchPath } from './builtins/patch-path.js';
import type { BuiltinDef } from './builtins/types.js';

export type { BuiltinArg, BuiltinArgValue, BuiltinContext, BuiltinDef, BuiltinNode, BuiltinResult } from './builtins/types.js';

export const builtins: ReadonlyMap<string, BuiltinDef> = new Map(
  [patchPath, configChange, mesosVersion, nodeVersion, mesosAgents].map((b) => [b.name, b] as const),
);
