// The words of the printed runbook and the run report, in the runbook's language. A runbook's
// own text is the author's; these are only the labels and the plain-words gates around it.

/** The languages with their own labels; any other `lang` gets English labels. */
export type LabelLang = 'en' | 'zh-CN';

export interface Labels {
  lang: LabelLang;
  /** After a bold label, before a space: ":" or "：". */
  colon: string;
  /** Between a label and its text: ": " or "：". */
  sep: string;
  /** Text in parentheses after other text. */
  paren: (text: string) => string;
  // front matter
  runbook: string;
  file: string;
  digest: string;
  inventory: string;
  noInventory: string;
  generated: string;
  contents: string;
  parameters: string;
  name: string;
  value: string;
  notes: string;
  notGiven: string;
  secret: string;
  choices: string;
  pattern: string;
  defaultIs: string;
  askedOnlyWhen: string;
  noParameters: string;
  guards: string;
  guardsIntro: string;
  prerequisites: string;
  prerequisitesIntro: string;
  checklistIntro: string;
  procedure: string;
  appendix: string;
  troubleshooting: string;
  troubleshootingIntro: string;
  health: string;
  role: string;
  // sections and steps
  section: string;
  step: string;
  runsOn: string;
  local: string;
  strategySerial: string;
  strategyParallel: (concurrency: number) => string;
  strategyBatch: (n: number | string) => string;
  maxFailures: (n: number) => string;
  onlyWhen: string;
  notInThisRun: string;
  why: string;
  note: string;
  hint: string;
  destructive: string;
  destructiveNote: string;
  command: string;
  commandOn: string;
  allNodes: string;
  nodesIn: (role: string) => string;
  afterIt: string;
  check: string;
  checkWith: string;
  capture: (name: string) => string;
  confirm: string;
  acknowledged: string;
  confirmDestructive: string;
  confirmTyped: (text: string) => string;
  ifItFails: (title: string) => string;
  // sign-off
  signOff: string;
  node: string;
  address: string;
  done: string;
  time: string;
  initials: string;
  addRows: string;
  noTargets: string;
  checkedBy: string;
  // gates in plain words
  exitIs: (n: number) => string;
  exitRule: string;
  outputMatches: (re: string) => string;
  outputNotMatches: (re: string) => string;
  jsonEquals: (key: string, value: string) => string;
  columnAll: (column: string, value: string) => string;
  and: string;
  repeatUntil: (every: string, what: string) => string;
  giveUpAfter: (d: string) => string;
  probeEvery: (every: string, what: string) => string;
  attemptAtMost: (d: string) => string;
  deadline: (d: string) => string;
  /** The steps whose passing ends a deadline (answered_by). */
  deadlineAnsweredBy: (steps: string) => string;
  deadlineLabel: string;
  duration: (ms: number) => string;
  // the report
  report: string;
  run: string;
  who: string;
  started: string;
  finished: string;
  status: string;
  resumed: string;
  interruptedAt: string;
  summary: string;
  timeline: string;
  commands: string;
  /** Troubleshooting commands and health probes: what else ran on the nodes. */
  beside: string;
  kind: string;
  troubleshootingKind: string;
  healthProbe: string;
  /** "healthy" / "unhealthy" of a health record, with the probes it stands for. */
  healthSince: (ok: boolean, probes: number) => string;
  exit: string;
  durationCol: string;
  confirmations: string;
  by: string;
  skips: string;
  reason: string;
  failures: string;
  outputTail: string;
  gates: string;
  attempts: string;
  /** A step started more than once on a node: which start a row is. */
  attemptN: (n: number) => string;
  /** What became of a step after a failed attempt of it. */
  afterwards: string;
  outcome: string;
  event: string;
  none: string;
  masked: string;
  simulator: string;
  journal: string;
  /** Steps never reached. */
  notRun: string;
  notRunWhen: string;
  skippedByOperator: string;
  notFinished: string;
  prompt: string;
  answer: string;
  statusWord: (status: string) => string;
  /** Words of the report's timeline: started, section started, excluded, retry... */
  eventWord: (event: string) => string;
  /** The trainee's report after a training (trainee-report.ts). */
  trainee: {
    title: (title: string, name: string) => string;
    outcome: (o: string) => string;
    nodesAt: (version: string, n: number, of: number) => string;
    ticket: (said: string, ran: string) => string;
    phases: string;
    phaseEnd: (status: string, failed: number, skipped: number) => string;
    notRun: (reason: string) => string;
    noPhase: string;
    faults: string;
    none: string;
    nothingAfter: string;
    skipped: string;
    noReason: string;
    by: (who: string) => string;
    leftBehind: string;
    notActive: (units: string) => string;
    removed: string;
    lesson: (text: string) => string;
    ranAgain: (title: string, rerun: boolean) => string;
    stepEnded: (title: string, status: string, why?: string) => string;
    onNode: (detail: string) => string;
    /** A command the trainee typed in a shell on the node (through `o`). */
    youRan: (detail: string) => string;
    /** The run's counts, as its summary line and report say them. */
    steps: (tally: string) => string;
    notRunWhen: (n: number) => string;
  };
}

const unitEn = (ms: number): string => {
  if (ms % 3_600_000 === 0 && ms >= 3_600_000) return `${ms / 3_600_000} h`;
  // Under two minutes, seconds read better ("every 60 s", "every 90 s").
  if (ms % 60_000 === 0 && ms >= 120_000) return `${ms / 60_000} min`;
  if (ms >= 120_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(1))} s`;
  return `${ms} ms`;
};

const unitZh = (ms: number): string => {
  if (ms % 3_600_000 === 0 && ms >= 3_600_000) return `${ms / 3_600_000} 小时`;
  if (ms % 60_000 === 0 && ms >= 120_000) return `${ms / 60_000} 分钟`;
  if (ms >= 120_000) return `${Math.floor(ms / 60_000)} 分 ${Math.round((ms % 60_000) / 1000)} 秒`;
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(1))} 秒`;
  return `${ms} 毫秒`;
};

const en: Labels = {
  lang: 'en',
  colon: ':',
  sep: ': ',
  paren: (t) => ` (${t})`,
  runbook: 'Runbook',
  file: 'File',
  digest: 'Digest',
  inventory: 'Inventory',
  noInventory: 'none: commands show placeholders such as <node.ip>',
  generated: 'Generated',
  contents: 'Contents',
  parameters: 'Parameters',
  name: 'Name',
  value: 'Value',
  notes: 'Notes',
  notGiven: 'asked when the run starts',
  secret: 'secret: never printed',
  choices: 'one of',
  pattern: 'must match',
  defaultIs: 'default',
  askedOnlyWhen: 'asked only when',
  noParameters: 'This runbook takes no parameters.',
  guards: 'Guards',
  guardsIntro: 'Checked before anything changes; if one fails, nothing runs.',
  prerequisites: 'Prerequisites',
  prerequisitesIntro: 'Every item must be true before the procedure starts.',
  checklistIntro: 'Read and tick each item.',
  procedure: 'Procedure',
  appendix: 'Appendix',
  troubleshooting: 'Troubleshooting',
  troubleshootingIntro: 'Commands to run on a node of the role when something goes wrong.',
  health: 'Health probe',
  role: 'Role',
  section: 'Section',
  step: 'Step',
  runsOn: 'Runs on',
  local: 'this machine (local)',
  strategySerial: 'one node at a time, through all steps, then the next',
  strategyParallel: (n) => `all nodes at once (at most ${n} at a time)`,
  strategyBatch: (n) => `${n} nodes at a time`,
  maxFailures: (n) => (n === 0 ? 'stops at the first failed node' : `stops after ${n} failed node${n === 1 ? '' : 's'}`),
  onlyWhen: 'Only when',
  notInThisRun: 'Not in this run: with the parameters given, this condition is false',
  why: 'Why',
  note: 'Note',
  hint: 'Hint',
  destructive: 'DESTRUCTIVE',
  destructiveNote: 'changes the node; runs only after a confirmation naming the command and the node',
  command: 'Command',
  commandOn: 'on',
  allNodes: 'every node',
  nodesIn: (role) => `every ${role} node`,
  afterIt: 'Must be true after it',
  check: 'Check',
  checkWith: 'with',
  capture: (name) => `Remembers vars.${name} from the output`,
  confirm: 'Confirm',
  acknowledged: 'Read and acknowledged',
  confirmDestructive: 'Confirmed: command and node checked before it ran',
  confirmTyped: (text) => `type "${text}" to confirm`,
  ifItFails: (title) => `If it fails: troubleshooting "${title}"`,
  signOff: 'Sign-off',
  node: 'Node',
  address: 'Address',
  done: 'Done',
  time: 'Time',
  initials: 'Initials',
  addRows: 'one row per node; add rows as needed',
  noTargets: 'No node in the inventory has this role: the run skips this section.',
  checkedBy: 'Checked by',
  exitIs: (n) => `exit status is ${n}`,
  exitRule: 'Every command must exit 0 unless its gate names another exit status.',
  outputMatches: (re) => `the output matches /${re}/`,
  outputNotMatches: (re) => `the output does not match /${re}/`,
  jsonEquals: (key, value) => `${key} in the JSON output is ${value}`,
  columnAll: (column, value) => `every value of column ${column} is ${value}`,
  and: ' and ',
  repeatUntil: (every, what) => `repeat every ${every} until ${what}`,
  giveUpAfter: (d) => `give up after ${d}`,
  probeEvery: (every, what) => `every ${every}, healthy when ${what}`,
  attemptAtMost: (d) => `each attempt may take at most ${d}`,
  deadline: (d) => `must finish within ${d} of the step's start`,
  deadlineAnsweredBy: (steps) => `the countdown ends when ${steps} passes on the node`,
  deadlineLabel: 'Deadline',
  duration: unitEn,
  report: 'Run report',
  run: 'Run',
  who: 'Who',
  started: 'Started',
  finished: 'Finished',
  status: 'Status',
  resumed: 'Resumed',
  interruptedAt: 'Interrupted',
  summary: 'Summary',
  timeline: 'Timeline',
  commands: 'Commands',
  beside: 'Troubleshooting commands and health probes',
  kind: 'Kind',
  troubleshootingKind: 'troubleshooting',
  healthProbe: 'health probe',
  healthSince: (ok, probes) => `${ok ? 'healthy' : 'unhealthy'} (${probes} ${probes === 1 ? 'probe' : 'probes'} since the last change)`,
  exit: 'Exit',
  durationCol: 'Duration',
  confirmations: 'Confirmations',
  by: 'By',
  skips: 'Skips',
  reason: 'Reason',
  failures: 'Failures',
  outputTail: 'Last lines of output',
  gates: 'Gates',
  attempts: 'Attempts',
  attemptN: (n) => `attempt ${n}`,
  afterwards: 'Afterwards',
  outcome: 'Outcome',
  event: 'Event',
  none: 'none',
  masked: 'masked',
  simulator: 'simulator',
  journal: 'Journal',
  notRun: 'not reached',
  notRunWhen: 'not run (when)',
  skippedByOperator: 'skipped by the operator',
  notFinished: 'the journal ends before the run did',
  prompt: 'Asked',
  answer: 'Answer',
  statusWord: (s) => s,
  eventWord: (w) => ({ preflight: 'pre-flight (host keys and logins)', 'host-key-accepted': 'new host key trusted' })[w] ?? w,
  trainee: {
    title: (title, name) => `Training report: ${title} (scenario ${name})`,
    outcome: (o) => `Outcome: ${o}`,
    nodesAt: (v, n, of) => `Nodes at ${v}: ${n} of ${of}`,
    ticket: (said, ran) => `The ticket said ${said}; the nodes ran ${ran}.`,
    phases: 'Time per phase (cluster time):',
    phaseEnd: (status, failed, skipped) => `${status}${failed ? `, ${failed} failed` : ''}${skipped ? `, ${skipped} skipped` : ''}`,
    notRun: (reason) => `not run: ${reason}`,
    noPhase: '(no phase finished)',
    faults: 'Faults met, and what you did:',
    none: 'none',
    nothingAfter: 'nothing on this node afterwards',
    skipped: 'Gates and steps you skipped:',
    noReason: 'no reason given',
    by: (who) => ` (by ${who})`,
    leftBehind: 'Left behind:',
    notActive: (units) => `${units} not active`,
    removed: 'removed by the masters (away more than 5 minutes)',
    lesson: (text) => `Lesson: ${text}`,
    ranAgain: (title, rerun) => `${rerun ? 'ran again' : 'retried'}: ${title}`,
    stepEnded: (title, status, why) => `${title}: ${status}${why ? ` (${why})` : ''}`,
    onNode: (detail) => `on the node: ${detail}`,
    youRan: (detail) => `you ran on the node: ${detail}`,
    steps: (tally) => `Steps: ${tally}`,
    notRunWhen: (n) => `(${n} not run because a when: of the runbook was false: not your choice, not listed)`,
  },
};

const zh: Labels = {
  lang: 'zh-CN',
  colon: '：',
  sep: '：',
  paren: (t) => `（${t}）`,
  runbook: '运行手册',
  file: '文件',
  digest: '摘要',
  inventory: '节点清单',
  noInventory: '无：命令中显示 <node.ip> 等占位符',
  generated: '生成时间',
  contents: '目录',
  parameters: '参数',
  name: '名称',
  value: '值',
  notes: '说明',
  notGiven: '运行开始时询问',
  secret: '机密：从不打印',
  choices: '可选值',
  pattern: '必须匹配',
  defaultIs: '默认',
  askedOnlyWhen: '仅在以下条件时询问',
  noParameters: '此运行手册没有参数。',
  guards: '守卫检查',
  guardsIntro: '在任何更改之前检查；任何一项失败，都不会执行任何操作。',
  prerequisites: '先决条件',
  prerequisitesIntro: '开始操作之前，每一项都必须满足。',
  checklistIntro: '阅读并勾选每一项。',
  procedure: '操作步骤',
  appendix: '附录',
  troubleshooting: '故障排除',
  troubleshootingIntro: '出现问题时在该角色的节点上运行的命令。',
  health: '健康探测',
  role: '角色',
  section: '章节',
  step: '步骤',
  runsOn: '运行于',
  local: '本机（local）',
  strategySerial: '一次一个节点，完成所有步骤后再进行下一个',
  strategyParallel: (n) => `所有节点同时进行（最多同时 ${n} 个）`,
  strategyBatch: (n) => `每批 ${n} 个节点`,
  maxFailures: (n) => (n === 0 ? '第一个节点失败即停止' : `失败 ${n} 个节点后停止`),
  onlyWhen: '仅当',
  notInThisRun: '本次运行不执行：按给定的参数，此条件不成立',
  why: '原因',
  note: '注意',
  hint: '提示',
  destructive: '破坏性操作',
  destructiveNote: '会更改节点；须先确认命令和节点后才会运行',
  command: '命令',
  commandOn: '节点',
  allNodes: '所有节点',
  nodesIn: (role) => `所有 ${role} 节点`,
  afterIt: '完成后必须满足',
  check: '检查',
  checkWith: '参数',
  capture: (name) => `从输出中记录 vars.${name}`,
  confirm: '确认',
  acknowledged: '已阅读并确认',
  confirmDestructive: '已确认：运行前已核对命令和节点',
  confirmTyped: (text) => `输入“${text}”以确认`,
  ifItFails: (title) => `失败时：故障排除“${title}”`,
  signOff: '签字确认',
  node: '节点',
  address: '地址',
  done: '完成',
  time: '时间',
  initials: '签名',
  addRows: '每个节点一行；可按需增加',
  noTargets: '节点清单中没有该角色的节点：运行时将跳过本章节。',
  checkedBy: '检查人',
  exitIs: (n) => `退出状态为 ${n}`,
  exitRule: '除非关卡指定了其他退出状态，每条命令都必须以 0 退出。',
  outputMatches: (re) => `输出匹配 /${re}/`,
  outputNotMatches: (re) => `输出不匹配 /${re}/`,
  jsonEquals: (key, value) => `JSON 输出中 ${key} 为 ${value}`,
  columnAll: (column, value) => `${column} 列的每个值都为 ${value}`,
  and: '，并且',
  repeatUntil: (every, what) => `每 ${every} 重复一次，直到 ${what}`,
  giveUpAfter: (d) => `${d} 后放弃`,
  probeEvery: (every, what) => `每 ${every} 检查一次，健康的条件：${what}`,
  attemptAtMost: (d) => `每次尝试最多 ${d}`,
  deadline: (d) => `必须在步骤开始后 ${d} 内完成`,
  deadlineAnsweredBy: (steps) => `${steps} 在该节点上通过时倒计时结束`,
  deadlineLabel: '时限',
  duration: unitZh,
  report: '运行报告',
  run: '运行',
  who: '执行人',
  started: '开始',
  finished: '结束',
  status: '状态',
  resumed: '已恢复',
  interruptedAt: '中断',
  summary: '概要',
  timeline: '时间线',
  commands: '命令',
  beside: '排障命令与健康探测',
  kind: '类别',
  troubleshootingKind: '排障',
  healthProbe: '健康探测',
  healthSince: (ok, probes) => `${ok ? '健康' : '不健康'}（距上次变化共探测 ${probes} 次）`,
  exit: '退出状态',
  durationCol: '耗时',
  confirmations: '确认记录',
  by: '确认人',
  skips: '跳过',
  reason: '原因',
  failures: '失败',
  outputTail: '输出的最后几行',
  gates: '关卡',
  attempts: '尝试次数',
  attemptN: (n) => `第 ${n} 次尝试`,
  afterwards: '之后',
  outcome: '结果',
  event: '事件',
  none: '无',
  masked: '已隐藏',
  simulator: '模拟集群',
  journal: '日志',
  notRun: '未到达',
  notRunWhen: '未运行（when 不成立）',
  skippedByOperator: '操作员跳过',
  notFinished: '日志在运行结束前中止',
  prompt: '询问内容',
  answer: '回答',
  statusWord: (s) =>
    ({ passed: '通过', failed: '失败', skipped: '已跳过', interrupted: '已中断', running: '运行中', aborted: '已中止', refused: '已拒绝' })[
      s
    ] ?? s,
  eventWord: (w) =>
    ({
      started: '开始',
      'section started': '章节开始',
      excluded: '已排除',
      verify: '复核',
      'deadline passed': '已超过时限',
      retry: '重试',
      rerun: '重新运行',
      'operator asked': '等待操作员决定',
      paused: '暂停',
      continued: '继续',
      preflight: '运行前连接检查',
      disconnected: '连接断开',
      reconnecting: '重新连接',
      'host-key-accepted': '已信任新的主机密钥',
    })[w] ?? w,
  trainee: {
    title: (title, name) => `训练报告：${title}（场景 ${name}）`,
    outcome: (o) =>
      `结果：${({ passed: '通过', failed: '失败', aborted: '已中止', interrupted: '已中断', 'not finished': '未完成' } as Record<string, string>)[o] ?? o}`,
    nodesAt: (v, n, of) => `处于 ${v} 的节点：${n}/${of}`,
    ticket: (said, ran) => `工单写的是 ${said}；节点实际运行的是 ${ran}。`,
    phases: '各阶段耗时（集群时间）：',
    phaseEnd: (status, failed, skipped) =>
      `${({ passed: '通过', failed: '失败', skipped: '已跳过' } as Record<string, string>)[status] ?? status}${failed ? `，${failed} 个失败` : ''}${skipped ? `，${skipped} 个跳过` : ''}`,
    notRun: (reason) => `未运行：${reason}`,
    noPhase: '（没有完成的阶段）',
    faults: '遇到的故障，以及你的处理：',
    none: '无',
    nothingAfter: '之后在此节点上没有任何操作',
    skipped: '你跳过的关卡和步骤：',
    noReason: '未给出原因',
    by: (who) => `（${who}）`,
    leftBehind: '遗留问题：',
    notActive: (units) => `${units} 未处于活动状态`,
    removed: '被管理节点移除（离线超过 5 分钟）',
    lesson: (text) => `要点：${text}`,
    ranAgain: (title, rerun) => `${rerun ? '重新运行' : '重试'}：${title}`,
    stepEnded: (title, status, why) =>
      `${title}：${({ passed: '通过', failed: '失败', skipped: '已跳过', refused: '已拒绝', interrupted: '已中断' } as Record<string, string>)[status] ?? status}${why ? `（${why}）` : ''}`,
    onNode: (detail) => `节点上：${detail}`,
    youRan: (detail) => `你在节点上运行了：${detail}`,
    steps: (tally) => `步骤：${tally}`,
    notRunWhen: (n) => `（${n} 个因运行手册的 when: 不成立而未运行：不由你决定，不列出）`,
  },
};

/** Labels for a runbook's `lang` (zh, zh-CN, zh-Hans... get Chinese; anything else English). */
export function labelsFor(lang: string | undefined): Labels {
  return lang !== undefined && /^zh\b/i.test(lang) ? zh : en;
}
