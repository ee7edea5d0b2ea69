import type { CommandInput } from './command-types.js';
import { UsageError } from './errors.js';
import { SETTING_KEYS, describeSettings, openSettingsStore, settingChoices, type SettingKey } from '../config/settings.js';
import { alignColumns } from './columns.js';

const isKey = (key: string | undefined): key is SettingKey => SETTING_KEYS.includes(key as SettingKey);

function requireKey(key: string | undefined): SettingKey {
  if (isKey(key)) return key;
  throw new UsageError(`${key === undefined ? 'missing KEY' : `unknown setting "${key}"`}; settings: ${SETTING_KEYS.join(', ')}`, 'config');
}

/** `runbook config [get KEY | set KEY VALUE | unset KEY | path]` */
export async function run({ positionals, io }: CommandInput): Promise<number> {
  const [action, key, value] = positionals;
  const out = (text: string) => io.stdout.write(`${text}\n`);
  switch (action) {
    case undefined: {
      const { file, rows } = await describeSettings(io.env);
      out(`settings file: ${file}`);
      const table = [
        ['KEY', 'VALUE', 'FROM', 'OVERRIDDEN BY', 'WHAT IT IS'],
        ...rows.map((r) => [r.key, r.value ?? '(not set)', r.source, r.flag, r.description]),
      ];
      for (const line of alignColumns(table, '  ')) out(line);
      return 0;
    }
    case 'path':
      out((await openSettingsStore(io.env)).path);
      return 0;
    case 'get': {
      const row = (await describeSettings(io.env)).rows.find((r) => r.key === requireKey(key));
      if (row?.value !== undefined) out(row.value);
      return 0;
    }
    case 'set': {
      const k = requireKey(key);
      const choices = settingChoices(k);
      if (value === undefined) throw new UsageError(`missing VALUE for ${k}${choices ? `: choose ${choices.join(', ')}` : ''}`, 'config');
      if (choices && !choices.includes(value))
        throw new UsageError(`cannot set ${k} to "${value}": choose ${choices.join(', ')}`, 'config');
      try {
        (await openSettingsStore(io.env)).set(k, value);
      } catch (error) {
        // conf validates against the schema; its message names the rule that failed.
        throw new UsageError(
          `cannot set ${k} to "${value}": ${(error as Error).message.replace(/^Config schema violation: /, '')}`,
          'config',
        );
      }
      return 0;
    }
    case 'unset':
      (await openSettingsStore(io.env)).delete(requireKey(key));
      return 0;
    default:
      throw new UsageError(`unknown action "${action}"; use get, set, unset or path`, 'config');
  }
}
