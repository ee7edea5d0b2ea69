// Settings as defaults, flags over them: the one place commands turn the two into values.
import { loadSettings, type Settings, type Theme } from '../config/settings.js';
import { UsageError } from './errors.js';

type Options = Record<string, string | boolean | string[] | undefined>;

const THEMES: readonly Theme[] = ['dark', 'light', 'mono'];

/** --theme NAME, checked before anything starts (plain mode too, which draws no theme). */
export function parseTheme(text: string | undefined, command?: string): Theme | undefined {
  if (text === undefined) return undefined;
  if (!(THEMES as readonly string[]).includes(text))
    throw new UsageError(`--theme must be ${THEMES.slice(0, -1).join(', ')} or ${THEMES.at(-1)}, not "${text}"`, command);
  return text as Theme;
}

/** The settings, with every flag the operator gave taking precedence. */
export function effectiveSettings(options: Options, env: NodeJS.ProcessEnv): Settings {
  const settings = loadSettings(env);
  const flag = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const theme = parseTheme(flag('theme'));
  return {
    ...settings,
    ...(flag('inventory') ? { inventory: flag('inventory') } : {}),
    ...(flag('user') ? { sshUser: flag('user') } : {}),
    ...(flag('identity') ? { identityFile: flag('identity') } : {}),
    ...(flag('state-dir') ? { stateDir: flag('state-dir')! } : {}),
    ...(theme ? { theme } : {}),
    ...(options['no-color'] ? { theme: 'mono' as const } : {}),
  };
}

/** What nodes that name no user or identity fall back to. */
export function inventoryDefaults(
  env: NodeJS.ProcessEnv,
  settings: Settings = loadSettings(env),
): { user?: string; identityFile?: string } {
  return {
    ...(settings.sshUser ? { user: settings.sshUser } : {}),
    ...(settings.identityFile ? { identityFile: settings.identityFile } : {}),
  };
}
