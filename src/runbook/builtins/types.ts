// The contract between the engine and a built-in check. Kept apart from the registry so the
// checks can import it without a cycle.

export interface BuiltinArg {
  description: string;
  required?: boolean;
  /** the engine reads this path on the step's node and passes its content */
  file?: boolean;
}

/** A node of the inventory as a built-in check sees it. */
export interface BuiltinNode {
  name: string;
  ip: string;
  address: string;
  roles: readonly string[];
}

export interface BuiltinContext {
  /** The inventory's nodes (this machine excluded), for checks that compare the cluster with it. */
  nodes?: readonly BuiltinNode[];
  /** Content of each `file: true` arg, read from the node by the engine. */
  files: Record<string, string>;
  /** The result of the step's `run`, when the step has one; truncated: only the tail of a long output was kept. */
  output?: { stdout: string; stderr: string; exit: number | null; truncated?: boolean };
}

export interface BuiltinResult {
  ok: boolean;
  message: string;
  details?: string[];
}

export type BuiltinArgValue = string | number | boolean | (string | number | boolean)[];

export interface BuiltinDef {
  name: string;
  description: string;
  args: Record<string, BuiltinArg>;
  /** Pure: no I/O; everything it needs comes in args and context. */
  evaluate(args: Record<string, BuiltinArgValue>, context: BuiltinContext): BuiltinResult;
}

/** A scalar argument as text ('' when absent); lists are not expected where this is used. */
export function argText(args: Record<string, BuiltinArgValue>, name: string): string {
  const v = args[name];
  if (v === undefined) return '';
  return Array.isArray(v) ? v.join(',') : String(v).trim();
}
