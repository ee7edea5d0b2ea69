// Settings as defaults, flags over them: the one place commands turn the two into values.
import { LANGS, loadSettings, type Lang, type Settings, type Theme } from '../config/settings.js';
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

/** --lang en|zh-CN, checked before anything starts. */
export function parseLang(text: string | undefined, command?: string): Lang | undefined {
  if (text === undefined) return undefined;
  if (!(LANGS as readonly string[]).includes(text)) throw new UsageError(`--lang must be ${LANGS.join(' or ')}, not "${text}"`, command);
  return text as Lang;
}

/**
 * The language of what a command says around a runbook: --lang, else the lang setting, else
 * undefined (the runbook's own `lang` decides).
 */
export function chosenLang(options: Options, env: NodeJS.ProcessEnv, command?: string): Lang | undefined {
  return parseLang(typeof options.lang === 'string' ? options.lang : undefined, command) ?? loadSettings(env).lang;
}

/** The settings, with every flag the operator gave taking precedence. */
export function effectiveSettings(options: Options, env: NodeJS.ProcessEnv): Settings {
  const settings = loadSettings(env);
  const flag = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const theme = parseTheme(flag('theme'));
  const lang = parseLang(flag('lang'));
  return {
    ...settings,
    ...(flag('inventory') ? { inventory: flag('inventory') } : {}),
    ...(flag('user') ? { sshUser: flag('user') } : {}),
    ...(flag('identity') ? { identityFile: flag('identity') } : {}),
    ...(flag('state-dir') ? { stateDir: flag('state-dir')! } : {}),
    ...(theme ? { theme } : {}),
    ...(lang ? { lang } : {}),
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
