// Reading settings does without conf (whose schema compile costs a start-up hundreds of ms), so
// it must read the file conf writes, and refuse every hand-edited file conf refuses, the same way.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings, openSettingsStore, settingsFile } from '../../src/config/settings.js';
import { InputError } from '../../src/input/problem.js';
import { tempDir } from '../helpers/real-shell.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
const store = () => {
  const t = tempDir('runbook-settings-');
  cleanups.push(t.remove);
  return { RUNBOOK_CONFIG_DIR: t.dir, HOME: t.dir };
};
const failure = async (read: () => unknown): Promise<string | undefined> => {
  try {
    await read();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems[0]!.message;
  }
};

describe('reading settings without conf', () => {
  it('finds the file where conf keeps it', async () => {
    const env = store();
    expect(settingsFile(env)).toBe((await openSettingsStore(env)).path);
    // Without RUNBOOK_CONFIG_DIR: env-paths' config directory, as conf computes it.
    expect(settingsFile({})).toBe(path.join(envPaths('runbook', { suffix: '' }).config, 'config.json'));
  });

  it('reads what conf wrote', async () => {
    const env = store();
    const conf = await openSettingsStore(env);
    conf.set('sshUser', 'centos');
    conf.set('theme', 'light');
    conf.set('stateDir', '~/journals');
    const s = loadSettings(env);
    expect(s).toMatchObject({ sshUser: 'centos', theme: 'light', stateDir: path.join(env.HOME, 'journals') });
  });

  it.each([
    ['not JSON', '{ not json'],
    ['an array', '[]'],
    ['a theme that is no theme', '{"theme":"purple"}'],
    ['a user with a space', '{"sshUser":"bad user"}'],
    ['an empty state directory', '{"stateDir":""}'],
    ['a number for a path', '{"inventory":3}'],
  ])('refuses a hand-edited file conf refuses: %s', async (_what, text) => {
    const env = store();
    writeFileSync(settingsFile(env), text);
    const ours = await failure(() => loadSettings(env));
    const theirs = await failure(async () => (await openSettingsStore(env)).store);
    expect(ours).toMatch(/^the settings file cannot be used: .*; fix it, or delete it to start over$/);
    expect(theirs).toBeDefined();
    // Both name the setting at fault, when there is one.
    const key = /"(\w+)":/.exec(text)?.[1];
    if (key) {
      expect(ours).toContain(`\`${key}\``);
      expect(theirs).toContain(`\`${key}\``);
    }
  });

  it('accepts what conf accepts, keys it does not know included', async () => {
    const env = store();
    writeFileSync(settingsFile(env), '{"theme":"mono","someday":true}');
    expect(loadSettings(env).theme).toBe('mono');
    expect((await openSettingsStore(env)).store).toMatchObject({ theme: 'mono' });
  });
});
