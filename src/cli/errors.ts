// The errors a command throws for a user's mistake; main reports them with exit 2. Kept apart
// from main.ts so that commands, which main loads, need not import main.
import { InputError } from '../input/problem.js';

/** Bad input with a sentence after its problems saying what to do next. */
export class InputErrorWithHint extends InputError {
  constructor(
    problems: InputError['problems'],
    readonly hint: string,
  ) {
    super(problems);
  }
}

/** A usage error: the message is printed with a pointer to --help, exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
