// The names a step's env: may set.

/** Names of variables a value must not set: shells and loaders read them as code or paths. */
const RESERVED_ENV =
  /^(PATH|IFS|ENV|BASH_ENV|SHELLOPTS|BASHOPTS|CDPATH|GLOBIGNORE|PS[1-4]|PROMPT_COMMAND|HOME|SHELL|TERM|LD_.*|DYLD_.*|BASH_FUNC_.*)$/;

/** Why NAME cannot be a step's env: variable, or undefined. */
export function envNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `"${name}" is not a variable name (letters, digits and _, not starting with a digit)`;
  if (RESERVED_ENV.test(name)) return `${name} is read by the shell or the loader (a value there changes what runs); choose another name`;
  return undefined;
}
