// Every command's name, help and options, kept light: `--help` and `--version` must answer
// without loading Ink, ssh2 or zx. Each command's code is imported only when it runs.
import type { CommandSpec, OptionSpec } from './command-types.js';

const stateDir: OptionSpec = {
  type: 'string',
  value: 'DIR',
  description: 'Where run journals are kept (default: settings, then $XDG_STATE_HOME/runbook)',
};
const inventory: OptionSpec = {
  type: 'string',
  short: 'i',
  value: 'FILE',
  description: 'Inventory: our YAML, an Ansible inventory (INI or YAML)',
};
const param: OptionSpec = { type: 'string', short: 'p', multiple: true, value: 'K=V', description: 'Set a runbook parameter (repeatable)' };
const plain: OptionSpec = {
  type: 'boolean',
  description: 'Plain mode: one line per event, prompts on stderr (the default without a terminal)',
};
const yes: OptionSpec = { type: 'boolean', short: 'y', description: 'Confirm every prompt automatically (simulator targets only)' };
const timeScale: OptionSpec = {
  type: 'string',
  value: 'N',
  description: "Run the simulator's clock and the player's waits N times faster",
};
const scenario: OptionSpec = { type: 'string', value: 'NAME', description: 'Simulator scenario (see --list-scenarios)' };
const nodes: OptionSpec = { type: 'string', value: 'M,A', description: 'Simulated masters and agents, e.g. 3,20 (up to 5,2000)' };
const format: OptionSpec = {
  type: 'string',
  short: 'f',
  value: 'md|html|pdf',
  description: 'Output format (pdf: printed with a Chromium-family browser; needs -o FILE)',
};
const browser: OptionSpec = {
  type: 'string',
  value: 'PATH',
  description: 'With --format pdf: the Chromium-family browser to print with (default: settings, then chromium or google-chrome on PATH)',
};
const paper: OptionSpec = { type: 'string', value: 'a4|letter', description: 'Paper size of the HTML and the PDF (default a4)' };
const output: OptionSpec = { type: 'string', short: 'o', value: 'FILE', description: 'Write to FILE instead of standard output' };
const sshUser: OptionSpec = { type: 'string', value: 'USER', description: 'SSH user for nodes that name none (default: settings)' };
const identity: OptionSpec = {
  type: 'string',
  value: 'FILE',
  description: 'SSH identity file for nodes that name none (default: settings)',
};
const acceptNew: OptionSpec = {
  type: 'boolean',
  description: "Trust unknown host keys on first use and record them (like OpenSSH's accept-new); a changed key is still refused",
};
const noColor: OptionSpec = { type: 'boolean', description: 'No colour (also NO_COLOR=1)' };
const lang: OptionSpec = {
  type: 'string',
  value: 'en|zh-CN',
  description: "Language of the UI's own words, the export and the report (default: settings, else the runbook's lang)",
};
const theme: OptionSpec = { type: 'string', value: 'NAME', description: 'Colour theme: dark, light or mono (default: settings)' };

export const commands: CommandSpec[] = [
  {
    name: 'play',
    summary: 'Play a runbook against the nodes of an inventory',
    usage: 'runbook play <file.yaml> [--inventory inv.yaml] [--param k=v]... [--dry-run] [--resume [RUN]]',
    positionals: { min: 0, max: 1, names: '<file.yaml>' },
    options: {
      inventory,
      param,
      'state-dir': stateDir,
      'dry-run': { type: 'boolean', description: 'Print every command as it would run on each node; run none' },
      resume: { type: 'boolean', description: 'Resume a run from its journal: the last run of this runbook, or RUN given with --run' },
      run: { type: 'string', value: 'RUN', description: 'With --resume: the run id to resume' },
      'allow-changed-runbook': {
        type: 'boolean',
        description: 'With --resume: continue although the runbook file changed since the run started',
      },
      'allow-changed-inventory': {
        type: 'boolean',
        description: 'With --resume: continue although the inventory changed since the run started (the changes are shown)',
      },
      yes,
      plain,
      'time-scale': timeScale,
      user: sshUser,
      identity,
      'accept-new-host-keys': acceptNew,
      'no-color': noColor,
      theme,
      lang,
    },
    load: () => import('./play.js'),
  },
  {
    name: 'train',
    summary: 'Play the DC/OS patch runbook against a fresh simulated cluster',
    usage: 'runbook train [--scenario NAME] [--nodes M,A] [--time-scale N] [--list-scenarios] | runbook train --resume [RUN]',
    details:
      'A training that stopped goes on with `runbook train --resume` (the latest) or `runbook train --resume RUN`: a new simulated cluster starts from the snapshot kept beside the journal after every finished step (as the journal left it), and the steps the journal marks done are not run again.',
    positionals: { min: 0, max: 1, names: '[RUN]' },
    options: {
      resume: { type: 'boolean', description: 'Go on with the latest training that stopped, or RUN' },
      scenario,
      nodes,
      'time-scale': timeScale,
      yes,
      plain,
      'state-dir': stateDir,
      param,
      runbook: { type: 'string', value: 'FILE', description: 'Another runbook to train on (default: the DC/OS 1.11 patch)' },
      'list-scenarios': { type: 'boolean', description: 'List the scenarios and exit' },
      'no-color': noColor,
      theme,
      lang,
    },
    load: () => import('./train.js'),
  },
  {
    name: 'validate',
    summary: 'Check runbooks (and an inventory) and report every problem with file:line:column',
    usage: 'runbook validate <file.yaml>... [--inventory inv.yaml]',
    positionals: { min: 1, max: Infinity, names: '<file.yaml>...' },
    options: { inventory, quiet: { type: 'boolean', short: 'q', description: 'Print only problems' } },
    load: () => import('./validate.js'),
  },
  {
    name: 'export',
    summary: 'Write a printable runbook (Markdown, print-ready HTML, or PDF)',
    usage: 'runbook export <file.yaml> [--inventory inv.yaml] [--param k=v]... --format md|html|pdf [-o FILE] [--paper a4|letter]',
    positionals: { min: 1, max: 1, names: '<file.yaml>' },
    options: { inventory, param, format, output, paper, browser, lang },
    load: () => import('./export.js'),
  },
  {
    name: 'report',
    summary: 'Write the report of a past run from its journal',
    usage: 'runbook report <RUN> [--format md|html|pdf] [-o FILE] [--paper a4|letter]',
    details: 'RUN is a run id (see `runbook runs`), `latest`, or a journal file. Markdown unless --format says otherwise.',
    positionals: { min: 1, max: 1, names: '<RUN>' },
    options: { format, output, paper, browser, 'state-dir': stateDir, lang },
    load: () => import('./report.js'),
  },
  {
    name: 'runs',
    summary: 'List the runs in the state directory, newest first, and what each is now',
    usage: 'runbook runs [--json] [--state-dir DIR]',
    positionals: { min: 0, max: 0, names: '' },
    options: { json: { type: 'boolean', description: 'Print the list as JSON' }, 'state-dir': stateDir },
    load: () => import('./runs.js'),
  },
  {
    name: 'watch',
    summary: 'Watch a run being played, read-only, from its journal (another terminal of the same host)',
    usage: 'runbook watch [RUN] [--plain] [--state-dir DIR]',
    details: [
      'Without RUN: the run being played now (several: name one). The same screen as the player, following the run to its end;',
      'no key acts on the run (q leaves). A run that finished shows its final state. Output shows the last lines the journal keeps of each attempt.',
      'Exit status: 0 followed to the end or left with q, 1 the player went away without finishing or the journal was deleted or changed, 2 no such run (or, without RUN, none or several being played).',
    ].join('\n'),
    positionals: { min: 0, max: 1, names: '[RUN]' },
    options: {
      plain: {
        type: 'boolean',
        description: "Plain mode: the player's lines, one per event, as they land (the default without a terminal)",
      },
      'state-dir': stateDir,
      'no-color': noColor,
      theme,
    },
    load: () => import('./watch.js'),
  },
  {
    name: 'sim',
    summary: 'Start the simulated DC/OS cluster alone, write its inventory and print the command to play against it',
    usage: 'runbook sim [--scenario NAME] [--nodes M,A] [--time-scale N] [-o inventory.yaml]',
    positionals: { min: 0, max: 0, names: '' },
    options: {
      scenario,
      nodes,
      'time-scale': timeScale,
      output,
      'list-scenarios': { type: 'boolean', description: 'List the scenarios and exit' },
    },
    load: () => import('./sim.js'),
  },
  {
    name: 'config',
    summary: 'Show where settings live and what they are; set or unset one',
    usage: 'runbook config [get KEY | set KEY VALUE | unset KEY | path]',
    positionals: { min: 0, max: 3, names: '[get KEY | set KEY VALUE | unset KEY | path]' },
    options: {},
    load: () => import('./config.js'),
  },
];

export const findCommand = (name: string): CommandSpec | undefined => commands.find((c) => c.name === name);
