// Every program a simulated node can run, by the name its executable file points at.
import type { Program } from '../shell/interpreter.js';
import { backupPrograms } from './backups.js';
import { curlPrograms } from './curl.js';
import { dcosPrograms } from './dcos.js';
import { filePrograms } from './files.js';
import { installerPrograms } from './installer.js';
import { systemPrograms } from './system.js';
import { systemdPrograms } from './systemd.js';
import { textPrograms } from './text.js';
import { builtins } from '../shell/builtins.js';

export const programs: ReadonlyMap<string, Program> = new Map<string, Program>([
  ...textPrograms,
  ...filePrograms,
  ...systemPrograms,
  ...systemdPrograms,
  ...curlPrograms,
  ...dcosPrograms,
  ...installerPrograms,
  ...backupPrograms,
  // /usr/bin/echo, /usr/bin/test and friends behave as the builtins (sudo echo runs the file).
  ...[...builtins].filter(([name]) => ['echo', 'printf', 'test', '[', 'true', 'false', 'pwd'].includes(name)),
  ['sudo', async (ctx) => ctx.sh.invoke(['sudo', ...ctx.argv.slice(1)], ctx.io, ctx.signal)],
]);

export { builtins };
