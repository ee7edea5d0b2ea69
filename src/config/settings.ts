// User settings, kept with conf: defaults for flags the operator would otherwise repeat on
// every command. Every setting has a flag that overrides it (see FLAG_FOR).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Conf from 'conf';
import { InputError } from '../input/problem.js';

export type Theme = 'dark' | 'light' | 'mono';
/** The languages of the UI's own words, the export and the report. */
export type Lang = 'en' | 'zh-CN';
export const LANGS: readonly Lang[] = ['en', 'zh-CN'];

/** Settings as commands use them: stored values, else defaults. */
export interface Settings {
  /** Inventory used when --inventory is not given. */
  inventory?: string;
  /** SSH user for nodes that name none. */
  sshUser?: string;
  /** SSH identity file for nodes that name none. */
  identityFile?: string;
  /** Where run journals live. */
  stateDir: string;
  theme: Theme;
  /** The Chromium-family browser that prints PDFs (else one found on PATH). */
  browser?: string;
  /** The language of the UI's own words, exports and reports (else the runbook's `lang`). */
  lang?: Lang;
}

type Stored = Partial<Omit<Settings, 'stateDir' | 'theme'> & { stateDir: string; theme: Theme }>;

export const SETTING_KEYS = ['inventory', 'sshUser', 'identityFile', 'stateDir', 'theme', 'browser', 'lang'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/** The flag that overrides each setting. */
export const FLAG_FOR: Record<SettingKey, string> = {
  inventory: '--inventory',
  sshUser: '--user',
  identityFile: '--identity',
  stateDir: '--state-dir',
  theme: '--theme',
  browser: '--browser',
  lang: '--lang',
};

const DESCRIPTIONS: Record<SettingKey, string> = {
  inventory: 'inventory file used when --inventory is not given',
  sshUser: 'SSH user for nodes that name none',
  identityFile: 'SSH identity file for nodes that name none',
  stateDir: 'directory of run journals',
  theme: 'colour theme: dark, light or mono',
  browser: 'Chromium-family browser that prints --format pdf (default: chromium or google-chrome on PATH)',
  lang: "language of the UI's own words, exports and reports: en or zh-CN (default: the runbook's lang)",
};

const schema = {
  inventory: { type: 'string', minLength: 1 },
  sshUser: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9._][A-Za-z0-9._-]*$' },
  identityFile: { type: 'string', minLength: 1 },
  stateDir: { type: 'string', minLength: 1 },
  theme: { type: 'string', enum: ['dark', 'light', 'mono'] },
  browser: { type: 'string', minLength: 1 },
  lang: { type: 'string', enum: ['en', 'zh-CN'] },
} as const;

/** The values a setting may take, when they are a fixed list (the theme's, the language's). */
export function settingChoices(key: SettingKey): readonly string[] | undefined {
  const rule = schema[key];
  return 'enum' in rule ? rule.enum : undefined;
}

/** The XDG state directory for journals: $XDG_STATE_HOME/runbook or ~/.local/state/runbook. */
export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  const base =
    env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(env.HOME || os.homedir(), '.local', 'state');
  return path.join(base, 'runbook');
}

/** A hand-edited settings file that no longer parses or fits the schema: bad input, exit 2. */
const unusable = (message: string) =>
  new InputError([
    { file: 'settings', severity: 'error', message: `the settings file cannot be used: ${message}; fix it, or delete it to start over` },
  ]);

/**
 * The settings store, to change settings (`runbook config`). RUNBOOK_CONFIG_DIR moves it (tests
 * use a temp directory). Loaded on demand: conf compiles its schema with ajv, which costs a
 * start-up hundreds of milliseconds; reading settings (loadSettings) does without it.
 */
export async function openSettingsStore(env: NodeJS.ProcessEnv): Promise<Conf<Stored>> {
  const { default: Conf } = await import('conf');
  try {
    return new Conf<Stored>({
      projectName: 'runbook',
      projectSuffix: '',
      ...(env.RUNBOOK_CONFIG_DIR ? { cwd: env.RUNBOOK_CONFIG_DIR } : {}),
      schema: schema as never,
      clearInvalidConfig: false,
      configFileMode: 0o600,
    });
  } catch (error) {
    throw unusable((error as Error).message.replace(/^Config schema violation: /, ''));
  }
}

/** Where conf keeps the settings: RUNBOOK_CONFIG_DIR, else env-paths' config directory (as conf finds it). */
export function settingsFile(env: NodeJS.ProcessEnv): string {
  if (env.RUNBOOK_CONFIG_DIR) return path.resolve(env.RUNBOOK_CONFIG_DIR, 'config.json');
  // env-paths reads the process's environment and home, whatever a command was given.
  const home = os.homedir();
  const dir =
    process.platform === 'darwin'
      ? path.join(home, 'Library', 'Preferences', 'runbook')
      : process.platform === 'win32'
        ? path.join(process.env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'runbook', 'Config')
        : path.join(process.env.XDG_CONFIG_HOME || path.join(home, '.config'), 'runbook');
  return path.join(dir, 'config.json');
}

/** The stored settings, checked against the same schema conf keeps them by (without compiling it). */
function readStored(env: NodeJS.ProcessEnv): Stored {
  let text: string;
  try {
    text = readFileSync(settingsFile(env), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw unusable((error as Error).message);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw unusable((error as Error).message);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw unusable('it is not a JSON object');
  const problems: string[] = [];
  for (const key of SETTING_KEYS) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const rule: { minLength?: number; pattern?: string; enum?: readonly string[] } = schema[key];
    if (typeof v !== 'string') problems.push(`\`${key}\` must be string`);
    else if (rule.minLength !== undefined && v.length < rule.minLength)
      problems.push(`\`${key}\` must NOT have fewer than ${rule.minLength} characters`);
    else if (rule.pattern && !new RegExp(rule.pattern, 'u').test(v)) problems.push(`\`${key}\` must match pattern "${rule.pattern}"`);
    else if (rule.enum && !rule.enum.includes(v)) problems.push(`\`${key}\` must be equal to one of the allowed values`);
  }
  if (problems.length > 0) throw unusable(problems.join('; '));
  return value as Stored;
}

export function expandHome(file: string, env: NodeJS.ProcessEnv): string {
  return file === '~' || file.startsWith('~/') ? path.join(env.HOME || os.homedir(), file.slice(1)) : file;
}

/** Reads the settings; a broken settings file is reported as bad input by the caller. */
export function loadSettings(env: NodeJS.ProcessEnv): Settings {
  const stored = readStored(env);
  return {
    ...(stored.inventory ? { inventory: expandHome(stored.inventory, env) } : {}),
    ...(stored.sshUser ? { sshUser: stored.sshUser } : {}),
    ...(stored.identityFile ? { identityFile: expandHome(stored.identityFile, env) } : {}),
    stateDir: stored.stateDir ? expandHome(stored.stateDir, env) : defaultStateDir(env),
    theme: stored.theme ?? (env.NO_COLOR ? 'mono' : 'dark'),
    ...(stored.browser ? { browser: expandHome(stored.browser, env) } : {}),
    ...(stored.lang ? { lang: stored.lang } : {}),
  };
}

export interface SettingRow {
  key: SettingKey;
  value: string | undefined;
  source: 'settings' | 'default' | 'unset';
  flag: string;
  description: string;
}

/** Each setting with where its value comes from, for `runbook config`. */
export async function describeSettings(env: NodeJS.ProcessEnv): Promise<{ file: string; rows: SettingRow[] }> {
  const store = await openSettingsStore(env);
  const effective = loadSettings(env);
  const rows = SETTING_KEYS.map((key): SettingRow => {
    const stored = store.get(key);
    const value = effective[key];
    return {
      key,
      value,
      source: stored !== undefined ? 'settings' : value !== undefined ? 'default' : 'unset',
      flag: FLAG_FOR[key],
      description: DESCRIPTIONS[key],
    };
  });
  return { file: store.path, rows };
}
