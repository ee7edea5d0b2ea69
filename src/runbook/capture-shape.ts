// A capture's value comes from a node's output: untrusted input. A capture may declare the shape
// the value must have; anything else fails the step instead of flowing on into later commands.
import type { Capture } from './schema.js';

type ShapeName = NonNullable<Exclude<Capture, string>['shape']>;

/** The shapes a captured value may be required to have: each a whole-value match, and its words. */
export const SHAPES = {
  url: {
    re: /^https?:\/\/[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(\/[A-Za-z0-9._~%/+-]*)?$/,
    says: 'an http or https URL: a host, maybe a port, and a path of letters, digits and . _ ~ % / + -',
  },
  host: { re: /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/, says: 'a host name or an IPv4 address' },
  version: { re: /^[0-9]+(\.[0-9]+){0,3}$/, says: 'a version: numbers joined by dots' },
  integer: { re: /^-?[0-9]{1,18}$/, says: 'a whole number' },
  word: { re: /^[A-Za-z0-9_][A-Za-z0-9._-]*$/, says: 'one word of letters, digits and . _ - (not starting with - or .)' },
  path: { re: /^\/[A-Za-z0-9._/-]*$/, says: 'an absolute path of letters, digits and . _ / -' },
} as const satisfies Record<ShapeName, { re: RegExp; says: string }>;

export type Shape = keyof typeof SHAPES;
export const SHAPE_NAMES = Object.keys(SHAPES) as Shape[];

/** A capture in its long form, whichever form the runbook wrote. */
export interface CaptureSpec {
  regex: string;
  shape?: Shape;
  /** A regular expression the whole value must match (as well as the shape). */
  pattern?: string;
}

export function captureSpec(capture: Capture): CaptureSpec {
  return typeof capture === 'string' ? { regex: capture } : capture;
}

/** Why a captured value does not have the declared shape, or undefined. Never quotes the value. */
export function shapeProblem(spec: CaptureSpec, value: string): string | undefined {
  const shape = spec.shape === undefined ? undefined : SHAPES[spec.shape];
  if (shape && !shape.re.test(value)) return `the captured value (${value.length} characters) is not ${shape.says}`;
  if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`, 'u').test(value)) {
    return `the captured value (${value.length} characters) does not match ${spec.pattern}`;
  }
  return undefined;
}
