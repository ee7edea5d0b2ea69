// The binary's entry: wire the process to main() and exit with its status.
import { main } from './cli/main.js';

const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
const status = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  interactive,
});
// Let pending writes drain (a pipe may be slow) before leaving with the status.
process.exitCode = status;
setTimeout(() => process.exit(status), 0).unref();
