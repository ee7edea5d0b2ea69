// The parts of a template and its errors, shared by the renderer and the shell reader.

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'ref'; ref: string; raw: boolean; start: number; end: number };

/** A syntax error in a template; offset is a UTF-16 index into the source. */
export interface TemplateProblem {
  message: string;
  offset: number;
}

/** A template that cannot be rendered; the message never contains a value. */
export class TemplateError extends Error {
  constructor(
    message: string,
    /** The ref concerned ('params.x'), or '' for a syntax error. */
    readonly ref: string,
    /** Where in the template source (UTF-16 index). */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** A {{ref}} of a template. */
export type RefPart = Extract<TemplatePart, { kind: 'ref' }>;
/** A value to place (quoted for its spot), or text to show as is (a mask, a placeholder). */
export type Filled = { value: string } | { shown: string };
