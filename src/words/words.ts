// The words the UI says itself (the TUI's panes, dialogs, status line, help, and plain mode's
// prompts), in the run's language: English or Chinese. A runbook's own text is the author's;
// these are only the words around it. Every language is a whole `UiWords`, so a key missing in
// one of them is a type error. Parameterised texts are functions. The language rule is the
// export's (labels.ts): `zh`, `zh-CN`, `zh-Hans`... get Chinese, anything else English.

export type UiLang = 'en' | 'zh-CN';

/** The languages the UI speaks, as `--lang` and the `lang` setting take them. */
export const UI_LANGS: readonly UiLang[] = ['en', 'zh-CN'];

/** What a node, a step or a section shows as its state, in words. */
import { tallyText, type Tally } from '../engine/tally.js';

export type StateWord =
  | 'idle'
  | 'pending'
  | 'running'
  | 'held'
  | 'polling'
  | 'waiting'
  | 'confirm'
  | 'passed'
  | 'failed'
  | 'skipped'
  | 'not-run'
  | 'interrupted'
  | 'refused'
  | 'aborted'
  | 'finished'
  | 'before'
  | 'changing'
  | 'changed';

export interface UiWords {
  lang: UiLang;
  /** Between a label and its text: ": " or "：". */
  sep: string;
  /** A list's separator: ", " or "、". */
  comma: string;
  /** The mark that ends a sentence: "." or "。". */
  fullStop: string;
  /** n of something, with its unit: "3 nodes" / "3 个节点". */
  nodes: (n: number) => string;
  state: (s: StateWord) => string;
  /**
   * A reason the engine gives (a failure, a skip), as the journal keeps it in English, said in
   * this language where its shape is known; anything else as it is.
   */
  reason: (text: string) => string;
  // ---- header ----
  stepOf: (current: number, total: number, narrow: boolean) => string;
  preflightWord: string;
  /** The header's word for a phase the status line also explains. */
  phase: { ready: string; paused: string; aborting: string };
  // ---- panes ----
  steps: string;
  nodesPane: string;
  output: string;
  troubleshoot: string;
  hint: (text: string) => string;
  why: (text: string) => string;
  /** After a step's explanation cut short: the key that shows it whole. */
  explainMore: string;
  // step list details
  nWaiting: (n: number) => string;
  nInterrupted: (n: number) => string;
  skippedWhy: (reason: string) => string;
  nFailed: (n: number) => string;
  left: (clock: string) => string;
  refusedBy: (who: string) => string;
  // node grid
  gridFilter: (filter: string, shown: number, total: number) => string;
  waitingForYou: string;
  confirmed: string;
  preflightTag: string;
  notStarted: string;
  noNodeMatches: (filter: string) => string;
  noNodes: string;
  moreNodes: (where: 'above' | 'below', n: number) => string;
  columns: {
    node: string;
    address: string;
    role: string;
    version: string;
    change: string;
    deadline: string;
    health: string;
    state: string;
  };
  over: string;
  // held nodes
  heldPaused: string;
  heldStopping: string;
  heldEnded: string;
  heldNothing: string;
  heldWaitsOn: (node: string, more: number) => string;
  // output pane
  noNodeSelected: string;
  noOutput: string;
  noOutputYet: string;
  lines: (n: number) => string;
  scrolled: (n: number) => string;
  // troubleshooting pane
  tsStatus: { running: string; done: string; stopped: string; failed: string; live: string };
  tsNone: (node?: string) => string;
  tsPick: string;
  // help overlay
  helpTitle: string;
  inPanes: string;
  // ---- status line ----
  filterPrompt: string;
  failedOn: (step: string, node: string, reason: string) => string;
  interruptedOn: (step: string, node: string, command?: string) => string;
  interruptedChoice: { verify: string; rerun: string; 'mark-done': string; skip: string };
  ready: string;
  paused: string;
  aborting: string;
  /** `resume`: the command that goes on with the run (`runbook train --resume <run>` in a training). */
  preflightFailed: (failed: number, nodes: number, resume?: string) => string;
  /** `tally`: the run's counts (tally.ts); `resume`: the command that goes on with a run that did not pass. */
  runEnded: (outcome: string | undefined, tally?: Tally, resume?: string) => string;
  /** A step a `when:` left out, with the runbook's reason. */
  notRunWhy: (reason: string) => string;
  /** The rule that opens each attempt of a step in the output pane. */
  attempt: {
    rule: (n: number, step: string, at: string, end: string) => string;
    exit: (code: number) => string;
    fromJournal: (shown: number, total: number) => string;
  };
  /** The briefing a training opens with. */
  briefing: { title: string; keys: string; after: string; keyText: string; resumedTitle: string };
  preflightRunning: (nodes: number, elapsed: string) => string;
  confirmationsWaiting: (n: number) => string;
  /** What runs now: the step, where, for how long, a gate's next try, a countdown, other busy nodes. */
  activity: (a: {
    title: string;
    where: string;
    elapsed: string;
    /** `next` is undefined when the next try is due now. */
    gate?: { attempt: number; next?: string };
    deadline?: string;
    others: number;
  }) => string;
  /** Seconds to wait, short: "8s" / "8 秒". */
  seconds: (s: number) => string;
  /** The run goes on with nothing running this moment (between steps). */
  between: string;
  /** A confirmation waits: on which node, how many more, and which key answers. */
  confirmWaits: (node: string, more: number, typed: boolean, command: boolean) => string;
  // ---- dialogs ----
  dialogNode: string;
  dialogCommand: string;
  typeToRun: () => [before: string, after: string];
  moreUnlisted: (n: number, node: string) => string;
  moreWaiting: (n: number, list: string) => string;
  confirmKeys: {
    typed: string;
    group: (run: boolean, node: string, n: number) => string;
    groupShort: (n: number) => string;
    run: string;
    done: string;
  };
  confirmTitle: (run: boolean, node: string) => string;
  groupWait: (n: number) => string;
  groupAll: (run: boolean, n: number, same: boolean) => string;
  noCommand: string;
  quitTitle: string;
  quitNothing: (held: string, resume: string) => string;
  quitHeld: (nodes: number, reason: string) => string;
  quitGoing: (n: number) => string;
  quitMore: (n: number) => string;
  quitStops: string;
  quitResume: (resume: string) => string;
  quitKeys: string;
  reasonTitle: (purpose: 'skip' | 'mark-done') => string;
  reasonAbout: (purpose: 'skip' | 'mark-done', task: string) => [before: string, after: string];
  reasonLabel: string;
  reasonKeys: string;
  aNotOffered: (n: number, node: string) => string;
  /** Plain mode's prompts on stderr and the answers they take (plain/). */
  plain: {
    check: (items: string) => string;
    runOn: (node: string, command: string) => string;
    doneQ: string;
    typedAnswer: (text: string) => string;
    groupChoices: (n: number, names?: string) => string;
    groupWaitOn: (n: number, where: string) => string;
    failed: (task: string, reason: string, troubleshoot: boolean) => string;
    interrupted: (task: string, command: string | undefined, keys: string) => string;
    interruptedKeys: { verify: string; rerun: string; 'mark-done': string; skip: string; abort: string };
    reasonTo: (what: 'skip' | 'mark-done', task: string) => string;
    endOfInput: string;
    answerYN: (group: boolean) => string;
    answerFailure: (troubleshoot: boolean) => string;
    answerInterrupted: (keys: readonly string[], unavailable?: string) => string;
    tsPick: (node: string, count: number, preferred?: number) => string;
    answerNumber: (count: number) => string;
  };
  /** What runbook train says around a run (cli/train.ts). */
  train: {
    /** The header's word for a training: neutral, the scenario's name would give its fault away. */
    target: string;
    reportSaved: (file: string) => string;
    reportNotSaved: (file: string, why: string) => string;
    toContinue: (command: string) => string;
    snapshotWarning: (why: string) => string;
    resuming: (id: string, scenario: string, masters: number, agents: number) => string;
    restored: (restored: boolean) => string;
    notAgain: string;
    unkept: (steps: string) => string;
    startOver: (scenario: string) => string;
  };
  /** The pre-flight pane (preflight-pane.ts). */
  preflight: {
    title: string;
    connecting: (nodes: number) => string;
    allAnswered: string;
    fix: string;
    checking: (nodes: number, elapsed: string) => string;
    cannotUse: (failed: number, nodes: number) => string;
    passed: string;
    rowsOf: (from: number, to: number, of: number) => string;
    label: (failure: string) => string;
  };
  /** Messages the keys answer with (ui-state.ts). */
  msg: {
    troubleshootOpened: (node: string) => string;
    tooSoon: (key: string) => string;
    groupChanged: (key: string) => string;
    runOver: string;
    runGoing: string;
    onlyOne: (node: string) => string;
    typeExactly: (text: string) => string;
    nothingToRetry: string;
    nothingToSkip: string;
    nothingToVerify: string;
    verifyNotOffered: (why?: string) => string;
    onlyInterruptedDone: string;
    pausing: string;
    notGoing: string;
    selectNode: string;
    noTsCommand: (n: string, node: string) => string;
    notInTmuxShell: string;
    notInTmuxFollow: string;
    reasonRequired: string;
    alreadyAborting: string;
    abortingNow: (running: boolean) => string;
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const en: UiWords = {
  lang: 'en',
  sep: ': ',
  comma: ', ',
  fullStop: '.',
  nodes: (n) => plural(n, 'node'),
  state: (s) => s,
  reason: (t) => t,
  stepOf: (c, t, narrow) => (narrow ? `${c}/${t}` : `step ${c}/${t}`),
  preflightWord: 'pre-flight',
  phase: { ready: 'ready', paused: 'paused', aborting: 'aborting' },
  steps: 'Steps',
  nodesPane: 'Nodes',
  output: 'Output',
  troubleshoot: 'Troubleshoot',
  hint: (t) => `hint: ${t}`,
  why: (t) => `why: ${t}`,
  explainMore: ' e more',
  nWaiting: (n) => (n > 1 ? `${n} waiting` : 'waiting'),
  nInterrupted: (n) => (n > 1 ? `${n} interrupted` : 'interrupted'),
  skippedWhy: (r) => (r ? `skipped: ${r}` : 'skipped'),
  nFailed: (n) => ` (${n} failed)`,
  left: (clock) => `${clock} left`,
  refusedBy: (who) => `refused by ${who}`,
  gridFilter: (f, shown, total) => `filter: ${f} (${shown}/${total})`,
  waitingForYou: 'waiting for you',
  confirmed: 'confirmed',
  preflightTag: '(pre-flight)',
  notStarted: 'not started',
  noNodeMatches: (f) => `no node matches "${f}"`,
  noNodes: 'no nodes',
  moreNodes: (where, n) => `${where === 'above' ? '↑' : '↓'} ${plural(n, 'more node', 'more nodes')} (j/k moves, / filters)`,
  columns: {
    node: 'node',
    address: 'address',
    role: 'role',
    version: 'version',
    change: 'change',
    deadline: 'deadline',
    health: 'health',
    state: 'state',
  },
  over: 'over',
  heldPaused: 'paused',
  heldStopping: 'the run is stopping',
  heldEnded: 'the run ended',
  heldNothing: 'nothing runs on it now',
  heldWaitsOn: (node, more) => `waits for your decision on ${node}${more > 0 ? ` and ${more} more` : ''}`,
  noNodeSelected: 'no node selected',
  noOutput: '(no output)',
  noOutputYet: '(no output yet)',
  lines: (n) => `${n} lines`,
  scrolled: (n) => `↑${n} (End follows)`,
  tsStatus: { running: 'running', done: 'done', stopped: 'stopped', failed: 'failed', live: 'live' },
  tsNone: (node) => `the runbook has no troubleshooting commands for ${node ?? 'this node'}'s role`,
  tsPick: 'press a number to run that command on this node',
  helpTitle: 'Keys  (↑↓ scroll, ? or esc closes)',
  inPanes: 'In the panes',
  filterPrompt: 'filter nodes (name, address or state): ',
  failedOn: (step, node, reason) => `✖ ${step} failed on ${node}: ${reason}`,
  interruptedOn: (step, node, command) =>
    `! ${step} on ${node} was interrupted${command ? ` while running ${command}` : ''}: it may or may not have taken effect; you decide`,
  interruptedChoice: { verify: 'v verify', rerun: 'r run again', 'mark-done': 'd mark done', skip: 's skip' },
  ready: 'Ready. Press enter to start the run; ? shows every key.',
  paused: 'Paused: nothing new starts. Press enter to continue.',
  aborting: 'Aborting: nothing new starts; running commands are let finish. q leaves.',
  preflightFailed: (failed, nodes, resume = 'runbook play --resume') =>
    `Nothing ran: the pre-flight failed on ${nodes === 1 ? 'the node' : `${failed} of ${nodes} nodes`}. q quits; fix ${failed === 1 ? 'it' : 'them'}, then ${resume}.`,
  runEnded: (o, tally, resume) =>
    `The run ${o === 'passed' ? 'passed' : `ended: ${o ?? 'finished'}`}${tally ? ` (${tallyText(tally)})` : ''}. q quits${o !== 'passed' && resume ? `; ${resume} continues it` : ''}.`,
  notRunWhy: (reason) => `not run: ${reason}`,
  attempt: {
    rule: (n, step, at, end) => `attempt ${n} of ${step}, ${at}, ${end}`,
    exit: (code) => `exit ${code}`,
    fromJournal: (shown, total) => `(last ${shown} of ${total} lines, from the journal)`,
  },
  briefing: {
    title: 'Training briefing',
    keys: 'enter begin  q quit',
    after: 'The run starts when you press enter on the next screen; every step says why it exists. Your report comes at the end.',
    keyText: 'read the briefing, then press enter to begin',
    resumedTitle: 'Training resumed',
  },
  preflightRunning: (nodes, elapsed) =>
    `Pre-flight: checking host keys and logins on ${plural(nodes, 'node')}… ${elapsed}. Nothing runs until every node has answered; q then a aborts.`,
  confirmationsWaiting: (n) => `${n} confirmations waiting`,
  activity: (a) =>
    [
      `${a.title} on ${a.where} for ${a.elapsed}`,
      a.gate ? `attempt ${a.gate.attempt}, ${a.gate.next ? `next try in ${a.gate.next}` : 'trying again now'}` : '',
      a.deadline !== undefined ? `deadline in ${a.deadline}` : '',
      a.others > 0 ? `${plural(a.others, 'other node')} busy` : '',
    ]
      .filter(Boolean)
      .join(' · '),
  seconds: (s) => `${s}s`,
  between: 'Running: between steps, the next one starts by itself.',
  confirmWaits: (node, more, typed, command) =>
    `Waiting for your confirmation on ${node}${more > 0 ? ` (${more} more waiting)` : ''}: ${typed ? 'type the text and press enter, esc refuses' : `y ${command ? 'runs it' : 'confirms'}, n refuses`}`,
  dialogNode: 'node',
  dialogCommand: 'command',
  typeToRun: () => ['Type ', ' and press enter to run it: '],
  moreUnlisted: (n, node) =>
    `${n} more nodes wait on this step: too many to list at this size, so a (all) is not offered; y answers ${node} alone`,
  moreWaiting: (n, list) => `${n} more waiting: ${list}`,
  confirmKeys: {
    typed: 'enter run it (when the text matches)   esc refuse',
    group: (run, node, n) => `y ${run ? 'run' : 'done'} on ${node}   a ${run ? 'run' : 'done'} on all ${n}   n refuse   s skip (asks why)`,
    groupShort: (n) => `y this node   a all ${n}   n refuse   s skip`,
    run: 'y run it   n refuse   s skip (asks why)',
    done: 'y done   n refuse   s skip (asks why)',
  },
  confirmTitle: (run, node) => (run ? `Run on ${node}?` : `Confirm on ${node}`),
  groupWait: (n) => `${n} nodes wait on this step`,
  groupAll: (run, n, same) =>
    same || !run
      ? `a ${run ? 'runs it' : 'confirms it'} on all ${n}${run ? ', the same command on each' : ''}:`
      : `a ${run ? 'runs it' : 'confirms it'} on all ${n}, each its own command:`,
  noCommand: '(no command)',
  quitTitle: 'Quit?',
  quitNothing: (held, resume) =>
    `Nothing is running on the nodes now.${held} The journal keeps your place: ${resume} continues this run where it stopped.`,
  quitHeld: (nodes, reason) => ` ${nodes === 1 ? 'One node is' : `${nodes} nodes are`} held between steps (${reason}).`,
  quitGoing: (n) => `The run is going. Running now on ${n === 1 ? 'a node' : `${n} nodes`}:`,
  quitMore: (n) => `  and ${n} more`,
  quitStops:
    'Quitting asks these commands to stop and marks their steps interrupted. A command that does not stop when its session closes keeps running on its node, and what it did is then unknown.',
  quitResume: (resume) => `${resume} continues the run; for each interrupted step you decide: verify it, run it again, or mark it done.`,
  quitKeys: 'y quit now   a abort the run (running commands finish)   n stay',
  reasonTitle: (p) => `${p === 'skip' ? 'Skip' : 'Mark done'}: why?`,
  reasonAbout: (p) => [`${p === 'skip' ? 'Skip' : 'Mark done'} `, '. The reason goes to the journal and the report.'],
  reasonLabel: 'reason: ',
  reasonKeys: 'enter ok   esc cancel',
  aNotOffered: (n, node) => `a not offered: the ${n} nodes waiting do not fit on screen to be listed; y answers ${node}`,
  plain: {
    check: (items) => `Check: ${items}`,
    runOn: (node, command) => `Run on ${node}: ${command}`,
    doneQ: 'Done?',
    typedAnswer: (text) => `[type "${text}" to confirm]`,
    groupChoices: (n, names) =>
      `y=this node, a=${names !== undefined ? `all ${n} waiting on this step: ${names}` : `all ${n} listed above, each its own command`}; N=no`,
    groupWaitOn: (n, where) => `${n} nodes wait on ${where}:`,
    failed: (task, reason, ts) =>
      `? ${task} failed: ${reason} ${ts ? 'Retry, skip, troubleshoot or abort? [r/s/t/a]' : 'Retry, skip or abort? [r/s/a]'} `,
    interrupted: (task, command, keys) => `? ${task} was interrupted${command ? ` while running: ${command}` : ''} [${keys}] `,
    interruptedKeys: { verify: 'v=verify again', rerun: 'r=run again', 'mark-done': 'd=mark done', skip: 's=skip', abort: 'a=abort' },
    reasonTo: (what, task) => `? reason to ${what === 'skip' ? 'skip' : 'mark done'} ${task}: `,
    endOfInput: '(end of input)',
    answerYN: (group) => (group ? 'answer y, a or n' : 'answer y or n'),
    answerFailure: (ts) => (ts ? 'answer r, s, t or a' : 'answer r, s or a'),
    answerInterrupted: (keys, why) =>
      `answer ${keys.length > 1 ? `${keys.slice(0, -1).join(', ')} or ${keys.at(-1)}` : (keys[0] ?? '')}${why ? ` (verify again is not offered: ${why})` : ''}`,
    tsPick: (node, count, pref) =>
      `? troubleshooting command to run on ${node} [1-${count}${pref !== undefined ? `, enter=${pref}` : ''}] `,
    answerNumber: (count) => `answer a number from 1 to ${count}`,
  },
  train: {
    target: 'training',
    reportSaved: (file) => `Training report saved: ${file}`,
    reportNotSaved: (file, why) => `warning: the training report could not be saved as ${file}: ${why}`,
    toContinue: (command) => `To continue this training: ${command}`,
    snapshotWarning: (why) =>
      `warning: the simulated cluster could not be kept beside the journal (${why}); train --resume would start it in its first state`,
    resuming: (id, scenario, masters, agents) => `Resuming training ${id} (scenario ${scenario}, ${masters} masters, ${agents} agents).`,
    restored: (restored) =>
      restored
        ? 'Its simulated cluster stopped with its player; a new one starts now as it was after the last step that finished.'
        : 'Its simulated cluster stopped with its player before any step finished, so a new one like it starts now, in its first state.',
    notAgain: 'The steps the journal marks done are not run again. Interrupted steps are yours to verify, run again or mark done.',
    unkept: (steps) =>
      `These steps finished after the cluster was last kept, so the new cluster may not show what they did (check them): ${steps}.`,
    startOver: (scenario) => `To start over instead: runbook train --scenario ${scenario}.`,
  },
  preflight: {
    title: 'Pre-flight',
    connecting: (nodes) =>
      `Connecting to ${nodes === 1 ? 'the node' : `each of the ${nodes} nodes`} before the first step: its SSH host key must be known and unchanged, and the login must work. Nothing runs until every node has answered.`,
    allAnswered: 'Every node answered: the run goes on.',
    fix: 'Nothing ran, on any node. Fix these nodes (or take them out of the inventory); then `runbook play --resume` checks every node again.',
    checking: (nodes, elapsed) => `checking ${nodes === 1 ? '1 node' : `${nodes} nodes`}  ${elapsed}`,
    cannotUse: (failed, nodes) => `${failed} of ${nodes} ${nodes === 1 ? 'node' : 'nodes'} cannot be used: nothing ran`,
    passed: 'passed',
    rowsOf: (from, to, of) => `${from}-${to} of ${of}`,
    label: (f) =>
      (
        ({
          'host-key-unknown': 'host key unknown',
          'host-key-changed': 'host key changed',
          'auth-failed': 'login refused',
          'connect-failed': 'unreachable',
          timeout: 'no answer in time',
        }) as Record<string, string>
      )[f] ?? f.replace(/-/g, ' '),
  },
  msg: {
    troubleshootOpened: (node) => `a step failed on ${node}: troubleshooting opened`,
    tooSoon: (key) => `${key} ignored: it came too soon after the question appeared; press it again`,
    groupChanged: (key) => `${key} ignored: the nodes waiting on this step changed just now; read the list and press it again`,
    runOver: 'the run is over; q quits',
    runGoing: 'the run is going: nothing to start',
    onlyOne: (node) => `only ${node} waits on this step: y answers it`,
    typeExactly: (text) => `type ${text} exactly to run it, or esc to refuse`,
    nothingToRetry: 'nothing failed or was interrupted: nothing to retry',
    nothingToSkip: 'nothing failed or was interrupted: nothing to skip',
    nothingToVerify: 'nothing was interrupted: nothing to verify',
    verifyNotOffered: (why) => `verify is not offered${why ? `: ${why}` : ''}`,
    onlyInterruptedDone: 'only an interrupted step can be marked done',
    pausing: 'pausing: running commands finish, nothing new starts; enter continues',
    notGoing: 'the run is not going',
    selectNode: 'select a node first',
    noTsCommand: (n, node) => `no troubleshooting command ${n} for ${node}`,
    notInTmuxShell: 'o opens an SSH shell in a new tmux window: runbook is not running inside tmux',
    notInTmuxFollow: 'O follows a troubleshooting command in a new tmux window: runbook is not running inside tmux',
    reasonRequired: 'a reason is required',
    alreadyAborting: 'already aborting',
    abortingNow: (running) => `aborting: nothing new starts${running ? '; running commands are let finish' : ''}; q leaves`,
  },
};

const ZH_STATE: Readonly<Record<StateWord, string>> = {
  idle: '未开始',
  pending: '待执行',
  running: '运行中',
  held: '暂停等待',
  polling: '等待中',
  waiting: '等待中',
  confirm: '待确认',
  passed: '通过',
  failed: '失败',
  skipped: '已跳过',
  'not-run': '未运行',
  interrupted: '已中断',
  refused: '已拒绝',
  aborted: '已中止',
  finished: '已结束',
  before: '未变更',
  changing: '变更中',
  changed: '已变更',
};

/** A run's counts in Chinese (tally.ts says them in English for the journal and plain mode). */
const zhTally = (t: Tally): string =>
  [
    `通过 ${t.passed}`,
    `失败 ${t.failed}`,
    `跳过 ${t.skipped}`,
    `中断 ${t.interrupted}`,
    ...(t.notRunWhen > 0 ? [`未运行（when）${t.notRunWhen}`] : []),
    ...(t.notReached > 0 ? [`未到达 ${t.notReached}`] : []),
  ].join('，');

/** The engine's reasons in Chinese, by their shape (src/engine/update.ts writes them). */
const ZH_REASONS: readonly [RegExp, (...m: string[]) => string][] = [
  [/^exit (\S+), expected ([^:]+?)(?:: ([\s\S]*))?$/, (_, got, want, rest) => `退出状态 ${got}，应为 ${want}${rest ? `：${rest}` : ''}`],
  [/^exit (\S+)$/, (_, got) => `退出状态 ${got}`],
  [/^when: ([\s\S]*) is false$/, (_, cond) => `条件不成立：${cond}`],
  [/^section (\S+): when: ([\s\S]*) is false$/, (_, s, cond) => `章节 ${s} 的条件不成立：${cond}`],
  [/^timed out after ([\s\S]*?) \(outcome unknown\)$/, (_, d) => `${d} 后超时（结果未知）`],
  [/^timed out after ([\s\S]*)$/, (_, d) => `${d} 后超时`],
  [/^verified again after an interruption$/, () => '中断后已复核'],
  [/^it failed in section (\S+)$/, (_, s) => `它在章节 ${s} 中失败`],
  [/^no node has the role ([\s\S]*)$/, (_, r) => `没有节点具有角色 ${r.replace(/ or /g, ' 或 ')}`],
  [/^polling stopped: aborted by ([\s\S]*)$/, (_, by) => `轮询已停止：被 ${by} 中止`],
  [/^marked done$/, () => '已标记完成'],
  [/^refused by ([\s\S]*)$/, (_, by) => `被 ${by} 拒绝`],
];

function zhReason(text: string): string {
  for (const [re, say] of ZH_REASONS) {
    const m = re.exec(text);
    if (m) return say(...m);
  }
  return text;
}

export const zh: UiWords = {
  lang: 'zh-CN',
  sep: '：',
  comma: '、',
  fullStop: '。',
  nodes: (n) => `${n} 个节点`,
  state: (s) => ZH_STATE[s],
  reason: zhReason,
  stepOf: (c, t, narrow) => (narrow ? `${c}/${t}` : `步骤 ${c}/${t}`),
  preflightWord: '运行前检查',
  phase: { ready: '就绪', paused: '已暂停', aborting: '正在中止' },
  steps: '步骤',
  nodesPane: '节点',
  output: '输出',
  troubleshoot: '排障',
  hint: (t) => `提示：${t}`,
  why: (t) => `为什么：${t}`,
  explainMore: ' e 看全文',
  nWaiting: (n) => (n > 1 ? `${n} 个等待中` : '等待中'),
  nInterrupted: (n) => (n > 1 ? `${n} 个已中断` : '已中断'),
  skippedWhy: (r) => (r ? `已跳过：${r}` : '已跳过'),
  nFailed: (n) => `（${n} 个失败）`,
  left: (clock) => `剩 ${clock}`,
  refusedBy: (who) => `被 ${who} 拒绝`,
  gridFilter: (f, shown, total) => `筛选：${f}（${shown}/${total}）`,
  waitingForYou: '等待你确认',
  confirmed: '已确认',
  preflightTag: '（运行前检查）',
  notStarted: '未开始',
  noNodeMatches: (f) => `没有节点匹配“${f}”`,
  noNodes: '没有节点',
  moreNodes: (where, n) => `${where === 'above' ? '↑' : '↓'} 另有 ${n} 个节点（j/k 移动，/ 筛选）`,
  columns: {
    node: '节点',
    address: '地址',
    role: '角色',
    version: '版本',
    change: '变更',
    deadline: '时限',
    health: '健康',
    state: '状态',
  },
  over: '已超时',
  heldPaused: '已暂停',
  heldStopping: '运行正在停止',
  heldEnded: '运行已结束',
  heldNothing: '目前不在其上运行任何操作',
  heldWaitsOn: (node, more) => `等待你对 ${node}${more > 0 ? ` 等 ${more + 1} 个节点` : ''}作出决定`,
  noNodeSelected: '未选择节点',
  noOutput: '（无输出）',
  noOutputYet: '（尚无输出）',
  lines: (n) => `${n} 行`,
  scrolled: (n) => `↑${n}（End 键跟随）`,
  tsStatus: { running: '运行中', done: '完成', stopped: '已停止', failed: '失败', live: '实时' },
  tsNone: (node) => `运行手册没有为 ${node ?? '此节点'} 的角色提供排障命令`,
  tsPick: '按数字键在此节点上运行对应命令',
  helpTitle: '按键（↑↓ 滚动，? 或 esc 关闭）',
  inPanes: '在窗格中',
  filterPrompt: '筛选节点（名称、地址或状态）：',
  failedOn: (step, node, reason) => `✖ ${step} 在 ${node} 上失败：${reason}`,
  interruptedOn: (step, node, command) =>
    `! ${step} 在 ${node} 上被中断${command ? `（正在运行 ${command}）` : ''}：不确定是否已生效，由你决定`,
  interruptedChoice: { verify: 'v 复核', rerun: 'r 重新运行', 'mark-done': 'd 标记完成', skip: 's 跳过' },
  ready: '就绪。按回车开始运行；按 ? 查看所有按键。',
  paused: '已暂停：不启动新的操作。按回车继续。',
  aborting: '正在中止：不启动新的操作；正在运行的命令让其结束。按 q 离开。',
  preflightFailed: (failed, nodes, resume = 'runbook play --resume') =>
    `未运行任何操作：运行前检查在${nodes === 1 ? '该节点' : ` ${nodes} 个节点中的 ${failed} 个`}上失败。按 q 退出；修复后运行 ${resume}。`,
  runEnded: (o, tally, resume) =>
    `${o === 'passed' ? '运行通过' : `运行结束：${o ? (ZH_STATE[o as StateWord] ?? o) : '已结束'}`}${tally ? `（${zhTally(tally)}）` : ''}。按 q 退出${o !== 'passed' && resume ? `；用 ${resume} 继续` : ''}。`,
  notRunWhy: (reason) => `未运行：${reason}`,
  attempt: {
    rule: (n, step, at, end) => `${step} 第 ${n} 次尝试，${at}，${end}`,
    exit: (code) => `退出状态 ${code}`,
    fromJournal: (shown, total) => `（共 ${total} 行中的最后 ${shown} 行，来自日志）`,
  },
  briefing: {
    title: '培训说明',
    keys: 'enter 开始  q 退出',
    after: '在下一屏按回车后开始运行；每个步骤都说明它为何存在。结束时会给出你的报告。',
    keyText: '请先阅读培训说明，然后按回车开始',
    resumedTitle: '继续培训',
  },
  preflightRunning: (nodes, elapsed) =>
    `运行前检查：正在检查 ${nodes} 个节点的主机密钥和登录… ${elapsed}。所有节点应答前不运行任何操作；按 q 再按 a 中止。`,
  confirmationsWaiting: (n) => `${n} 个确认等待中`,
  activity: (a) =>
    [
      `${a.title}：${a.where}，已用 ${a.elapsed}`,
      a.gate ? `第 ${a.gate.attempt} 次尝试，${a.gate.next ? `${a.gate.next}后重试` : '正在重试'}` : '',
      a.deadline !== undefined ? `时限剩 ${a.deadline}` : '',
      a.others > 0 ? `另有 ${a.others} 个节点在忙` : '',
    ]
      .filter(Boolean)
      .join(' · '),
  seconds: (s) => `${s} 秒`,
  between: '运行中：步骤之间，下一步会自动开始。',
  confirmWaits: (node, more, typed, command) =>
    `等待你在 ${node} 上确认${more > 0 ? `（另有 ${more} 个等待中）` : ''}：${typed ? '输入文字后按回车，esc 拒绝' : `y ${command ? '运行' : '确认'}，n 拒绝`}`,
  dialogNode: '节点',
  dialogCommand: '命令',
  typeToRun: () => ['输入 ', ' 并按回车运行：'],
  moreUnlisted: (n, node) => `另有 ${n} 个节点等待此步骤：此尺寸下无法全部列出，因此不提供 a（全部）；y 只回答 ${node}`,
  moreWaiting: (n, list) => `另有 ${n} 个等待中：${list}`,
  confirmKeys: {
    typed: 'enter 运行（文字一致时）   esc 拒绝',
    group: (run, node, n) =>
      `y 在 ${node} 上${run ? '运行' : '完成'}   a 在全部 ${n} 个上${run ? '运行' : '完成'}   n 拒绝   s 跳过（询问原因）`,
    groupShort: (n) => `y 此节点   a 全部 ${n} 个   n 拒绝   s 跳过`,
    run: 'y 运行   n 拒绝   s 跳过（询问原因）',
    done: 'y 完成   n 拒绝   s 跳过（询问原因）',
  },
  confirmTitle: (run, node) => (run ? `在 ${node} 上运行？` : `在 ${node} 上确认`),
  groupWait: (n) => `${n} 个节点等待此步骤`,
  groupAll: (run, n, same) =>
    same || !run ? `a 在全部 ${n} 个上${run ? '运行，每个节点命令相同' : '确认'}：` : `a 在全部 ${n} 个上运行，每个节点命令不同：`,
  noCommand: '（无命令）',
  quitTitle: '退出？',
  quitNothing: (held, resume) => `节点上目前没有正在运行的操作。${held}日志记录了你的进度：${resume} 从停下的地方继续本次运行。`,
  quitHeld: (nodes, reason) => `${nodes === 1 ? '一个节点' : `${nodes} 个节点`}在步骤之间暂停等待（${reason}）。`,
  quitGoing: (n) => `运行进行中。正在${n === 1 ? '一个节点' : ` ${n} 个节点`}上运行：`,
  quitMore: (n) => `  另有 ${n} 个`,
  quitStops: '退出会要求这些命令停止，并将其步骤标记为已中断。会话关闭时不停止的命令会继续在节点上运行，其结果将无法得知。',
  quitResume: (resume) => `${resume} 继续本次运行；对每个中断的步骤由你决定：复核、重新运行或标记完成。`,
  quitKeys: 'y 立即退出   a 中止运行（正在运行的命令会结束）   n 留下',
  reasonTitle: (p) => `${p === 'skip' ? '跳过' : '标记完成'}：原因？`,
  reasonAbout: (p) => [`${p === 'skip' ? '跳过' : '标记完成'} `, '。原因会写入日志和报告。'],
  reasonLabel: '原因：',
  reasonKeys: 'enter 确定   esc 取消',
  aNotOffered: (n, node) => `不提供 a：等待中的 ${n} 个节点在屏幕上列不下；y 只回答 ${node}`,
  plain: {
    check: (items) => `核对：${items}`,
    runOn: (node, command) => `在 ${node} 上运行：${command}`,
    doneQ: '完成了吗？',
    typedAnswer: (text) => `[输入“${text}”以确认]`,
    groupChoices: (n, names) =>
      `y=此节点，a=${names !== undefined ? `等待此步骤的全部 ${n} 个：${names}` : `上面列出的全部 ${n} 个，各用各的命令`}；N=否`,
    groupWaitOn: (n, where) => `${n} 个节点等待 ${where}：`,
    failed: (task, reason, ts) =>
      `? ${task} 失败：${reason} ${ts ? '重试、跳过、排障还是中止？[r/s/t/a]' : '重试、跳过还是中止？[r/s/a]'} `,
    interrupted: (task, command, keys) => `? ${task} 被中断${command ? `，当时正在运行：${command}` : ''} [${keys}] `,
    interruptedKeys: { verify: 'v=复核', rerun: 'r=重新运行', 'mark-done': 'd=标记完成', skip: 's=跳过', abort: 'a=中止' },
    reasonTo: (what, task) => `? ${what === 'skip' ? '跳过' : '标记完成'} ${task} 的原因：`,
    endOfInput: '（输入结束）',
    answerYN: (group) => (group ? '请回答 y、a 或 n' : '请回答 y 或 n'),
    answerFailure: (ts) => (ts ? '请回答 r、s、t 或 a' : '请回答 r、s 或 a'),
    answerInterrupted: (keys, why) => `请回答 ${keys.join('、')}${why ? `（不提供复核：${why}）` : ''}`,
    tsPick: (node, count, pref) => `? 要在 ${node} 上运行的排障命令 [1-${count}${pref !== undefined ? `，回车=${pref}` : ''}] `,
    answerNumber: (count) => `请回答 1 到 ${count} 之间的数字`,
  },
  train: {
    target: '培训',
    reportSaved: (file) => `培训报告已保存：${file}`,
    reportNotSaved: (file, why) => `警告：培训报告无法保存为 ${file}：${why}`,
    toContinue: (command) => `继续本次训练：${command}`,
    snapshotWarning: (why) => `警告：无法在日志旁保存模拟集群（${why}）；train --resume 将从其初始状态启动`,
    resuming: (id, scenario, masters, agents) => `继续训练 ${id}（场景 ${scenario}，${masters} 个管理节点，${agents} 个代理节点）。`,
    restored: (restored) =>
      restored
        ? '它的模拟集群随播放器一起停止了；现在启动一个新的，状态与最后完成的步骤之后相同。'
        : '它的模拟集群在任何步骤完成之前就随播放器停止了，所以现在启动一个同样的新集群，处于初始状态。',
    notAgain: '日志标记为完成的步骤不会再次运行。中断的步骤由你复核、重新运行或标记完成。',
    unkept: (steps) => `这些步骤在集群最后一次保存之后才完成，新集群可能看不到它们的效果（请检查）：${steps}。`,
    startOver: (scenario) => `若要重新开始：runbook train --scenario ${scenario}。`,
  },
  preflight: {
    title: '运行前检查',
    connecting: (nodes) =>
      `在第一个步骤之前连接${nodes === 1 ? '该节点' : `全部 ${nodes} 个节点`}：其 SSH 主机密钥必须已知且未改变，登录必须成功。所有节点应答之前不运行任何操作。`,
    allAnswered: '所有节点都已应答：运行继续。',
    fix: '任何节点上都没有运行任何操作。修复这些节点（或将其移出节点清单）；然后 `runbook play --resume` 会再次检查每个节点。',
    checking: (nodes, elapsed) => `正在检查 ${nodes} 个节点  ${elapsed}`,
    cannotUse: (failed, nodes) => `${nodes} 个节点中有 ${failed} 个无法使用：未运行任何操作`,
    passed: '通过',
    rowsOf: (from, to, of) => `${from}-${to}/${of}`,
    label: (f) =>
      (
        ({
          'host-key-unknown': '主机密钥未知',
          'host-key-changed': '主机密钥已改变',
          'auth-failed': '登录被拒绝',
          'connect-failed': '无法连接',
          timeout: '未及时应答',
        }) as Record<string, string>
      )[f] ?? f,
  },
  msg: {
    troubleshootOpened: (node) => `${node} 上有步骤失败：已打开排障窗格`,
    tooSoon: (key) => `已忽略 ${key}：问题刚出现就按下了；请再按一次`,
    groupChanged: (key) => `已忽略 ${key}：等待此步骤的节点刚刚变了；请看清列表后再按一次`,
    runOver: '运行已结束；按 q 退出',
    runGoing: '运行进行中：没有可开始的',
    onlyOne: (node) => `只有 ${node} 在等待此步骤：按 y 回答`,
    typeExactly: (text) => `请准确输入 ${text} 以运行，或按 esc 拒绝`,
    nothingToRetry: '没有失败或中断的步骤：无可重试',
    nothingToSkip: '没有失败或中断的步骤：无可跳过',
    nothingToVerify: '没有中断的步骤：无可复核',
    verifyNotOffered: (why) => `不提供复核${why ? `：${why}` : ''}`,
    onlyInterruptedDone: '只有中断的步骤可以标记完成',
    pausing: '正在暂停：正在运行的命令会结束，不启动新的操作；按回车继续',
    notGoing: '运行未在进行',
    selectNode: '请先选择一个节点',
    noTsCommand: (n, node) => `${node} 没有编号 ${n} 的排障命令`,
    notInTmuxShell: 'o 会在新的 tmux 窗口中打开 SSH 终端：runbook 不在 tmux 中运行',
    notInTmuxFollow: 'O 会在新的 tmux 窗口中跟随排障命令：runbook 不在 tmux 中运行',
    reasonRequired: '必须填写原因',
    alreadyAborting: '已在中止',
    abortingNow: (running) => `正在中止：不启动新的操作${running ? '；正在运行的命令让其结束' : ''}；按 q 离开`,
  },
};

/** The UI's words for a language (zh, zh-CN, zh-Hans... get Chinese; anything else English). */
export function uiWordsFor(lang: string | undefined): UiWords {
  return lang !== undefined && /^zh\b/i.test(lang) ? zh : en;
}
