// The keys' words: each command's word for the help bar and its sentence for the `?` overlay, and
// the modes' titles, in the run's language. English is the keymap's own (keymap.ts, which
// docs/keys.md is made from); the other languages are here, one entry per command (a command
// missing in one does not compile).
import type { UiWords } from '../words/words.js';
import { BINDINGS, MODE_TITLES, type CommandId, type Mode } from './app/keymap.js';

export interface KeyWords {
  commands: Readonly<Record<CommandId, { label: string; help: string }>>;
  modeTitles: Readonly<Record<Mode, string>>;
}

const EN: KeyWords = {
  commands: Object.fromEntries(BINDINGS.map((b) => [b.id, { label: b.label, help: b.help }])) as Record<
    CommandId,
    { label: string; help: string }
  >,
  modeTitles: MODE_TITLES,
};

const ZH_COMMANDS: Readonly<Record<CommandId, { label: string; help: string }>> = {
  run: { label: '运行', help: '开始运行，或在暂停后继续。' },
  'confirm.yes': {
    label: '是',
    help: '在确认框所列的节点上运行它所列的步骤（只有 y 有效；确认框出现后的 150 毫秒内以及按键按住时不响应）。',
  },
  'confirm.all': {
    label: '全部',
    help: '多个节点等待同一步骤时：在确认框列出的每个节点上运行（与 y 同样受保护；需输入确认的步骤不适用，每个节点各自输入）。',
  },
  'confirm.no': { label: '否', help: '拒绝：不运行该步骤，记为失败；之后可重试、跳过或中止。' },
  'confirm.skip': { label: '跳过', help: '改为在此节点上跳过该步骤（会询问原因）。' },
  'typed.submit': { label: '确认', help: '用输入的文字确认；必须与提示要求的一致。' },
  'typed.refuse': { label: '拒绝', help: '拒绝需输入的确认：不运行该步骤。' },
  retry: { label: '重试', help: '在其节点上重试失败的步骤（或重新运行中断的步骤）。' },
  skip: { label: '跳过', help: '在其节点上跳过失败或中断的步骤；会询问原因。' },
  verify: { label: '复核', help: '再次检查中断的步骤，但不以产生效果为目的运行它。' },
  'mark-done': { label: '标记完成', help: '将中断的步骤标记为已完成（你已手动完成）；会询问原因。' },
  pause: { label: '暂停', help: '暂停运行：正在运行的命令会结束，按回车前不启动新的操作。' },
  troubleshoot: { label: '排障', help: '打开或关闭故障排除窗格：运行手册中所选节点角色的命令。' },
  'troubleshoot.pick': { label: '运行命令', help: '在所选节点上运行对应编号的排障命令，实时显示输出。' },
  'troubleshoot.stop': { label: '停止', help: '停止正在输出的排障命令。' },
  shell: { label: '终端', help: '在 tmux 中：打开一个新的 tmux 窗口，通过 SSH 登录所选节点。' },
  follow: { label: '跟随', help: '在 tmux 中：打开一个新的 tmux 窗口，实时跟随所选的排障命令。' },
  'focus.next': { label: '切换', help: '把焦点移到下一个窗格。' },
  'focus.prev': { label: '后退', help: '把焦点移到上一个窗格。' },
  up: { label: '上', help: '选择上一行（步骤、节点），或向上滚动（输出，或位于该处的运行前检查报告）。' },
  down: { label: '下', help: '选择下一行（步骤、节点），或向下滚动（输出，或位于该处的运行前检查报告）。' },
  'page.up': { label: '上一页', help: '向上翻一页。' },
  'page.down': { label: '下一页', help: '向下翻一页。' },
  first: { label: '首行', help: '第一行，或输出的顶部。' },
  last: { label: '末行', help: '最后一行，或输出的末尾（重新跟随新输出）。' },
  filter: { label: '筛选', help: '按名称或地址，或按状态（失败、运行中、等待中、待执行、通过、已变更……）筛选节点。' },
  'input.submit': { label: '确定', help: '接受输入的文字（原因、筛选条件）。' },
  'input.cancel': { label: '取消', help: '取消文字输入（清除筛选条件）。' },
  help: { label: '帮助', help: '显示所有按键。' },
  'help.close': { label: '关闭', help: '关闭帮助。' },
  quit: { label: '退出', help: '退出；运行进行中时会先询问，并说明哪些命令仍在节点上运行。ctrl+c 在任何模式下都如此。' },
  'quit.yes': { label: '退出', help: '立即退出：正在运行的步骤变为已中断；之后用 --resume 继续本次运行。' },
  'quit.abort': { label: '中止运行', help: '中止运行：不启动新的操作，轮询停止，正在运行的命令让其结束。' },
  'quit.no': { label: '留下', help: '留在运行中。' },
  wrap: { label: '折行', help: '把输出和排障窗格中的长行折成多行显示，或再次在边缘截断。' },
  explain: { label: '说明', help: '培训中：在步骤列表下显示所选步骤的完整说明（被截断时以 … e 结尾），或再次只显示前几行。' },
  'scroll.left': { label: '向左滚动', help: '输出（或排障）中的行被截断而未折行时，向左滚回。' },
  'scroll.right': { label: '向右滚动', help: '输出（或排障）中的行被截断而未折行时，向右滚动以阅读边缘之外的内容（… 表示截断处）。' },
};

const ZH_MODE_TITLES: Readonly<Record<Mode, string>> = {
  steps: '步骤窗格',
  nodes: '节点窗格',
  output: '输出窗格',
  troubleshoot: '故障排除窗格',
  confirm: '确认',
  typed: '输入确认',
  reason: '原因输入',
  filter: '节点筛选',
  help: '帮助',
  quit: '退出对话框',
};

const ZH: KeyWords = { commands: ZH_COMMANDS, modeTitles: ZH_MODE_TITLES };

/** The keys' words in the language of `words`. */
export const keyWords = (words: Pick<UiWords, 'lang'>): KeyWords => (words.lang === 'zh-CN' ? ZH : EN);
