// Settings as defaults, flags over them: the one place commands turn the two into values.
import { loadSettings, type Settings } from '../config/settings.js';
import { UsageError } from './main.js';

type Options = Record<string, string | boolean | string[] | undefined>;

/** The settings, with every flag the operator gave taking precedence. */
export function effectiveSettings(options: Options, env: NodeJS.ProcessEnv): Settings {
  const settings = loadSettings(env);
  const flag = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const theme = flag('theme');
  if (theme !== undefined && theme !== 'dark' && theme !== 'light' && theme !== 'mono') {
    throw new UsageError(`--theme must be dark, light or mono, not "${theme}"`);
  }
  return {
    ...settings,
    ...(flag('inventory') ? { inventory: flag('inventory') } : {}),
    ...(flag('user') ? { sshUser: flag('user') } : {}),
    ...(flag('identity') ? { identityFile: flag('identity') } : {}),
    ...(flag('state-dir') ? { stateDir: flag('state-dir')! } : {}),
    ...(theme === 'dark' || theme === 'light' || theme === 'mono' ? { theme } : {}),
    ...(options['no-color'] ? { theme: 'mono' as const } : {}),
  };
}

/** What nodes that name no user or identity fall back to. */
export function inventoryDefaults(env: NodeJS.ProcessEnv, settings: Settings = loadSettings(env)): { user?: string; identityFile?: string } {
  return {
    ...(settings.sshUser ? { user: settings.sshUser } : {}),
    ...(settings.identityFile ? { identityFile: settings.identityFile } : {}),
  };
}
