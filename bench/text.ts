// Our text code (src/ui/terminal/text-width.ts) beside the maintained libraries that do the same
// jobs, on the work the panes do: cutting 2,000 styled grid rows to a pane's width, cutting plain
// rows, wrapping a step's explanation (English and Chinese) to a narrow column. A library takes
// a job over where it is as fast and does the same; ours stays where it is faster or where the
// library does something else (docs/architecture.md, "Text code: ours or a library's").
import cliTruncate from 'cli-truncate';
import sliceAnsi from 'slice-ansi';
import wrapAnsi from 'wrap-ansi';
import { truncate, truncateStyled, wrap } from '../src/ui/terminal/text-width.js';

const ROUNDS = 15;

function medianMs(f: () => void): number {
  const times: number[] = [];
  for (let k = 0; k < ROUNDS; k++) {
    const start = performance.now();
    f();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(ROUNDS / 2)]! * 100) / 100;
}

export async function run(): Promise<Record<string, number | string>> {
  const styled: string[] = [];
  for (let i = 0; i < 2000; i++)
    styled.push(
      `  agent-${i}  10.0.${i >> 8}.${i & 255}  1.11.4  \x1b[32m✔\x1b[0m ${i % 7 ? 'Remove libltdl.so.7, then run the node patch script' : '移除 libltdl.so.7，然后运行节点补丁脚本'}`,
    );
  const plain = styled.map((r) => r.replace(/\x1b\[[0-9;]*m/g, ''));
  const para =
    'Installs the new packages and restarts the DC/OS units on this master, then waits up to 5 minutes for the node and cluster checks. 在每个主节点上安装新软件包并重启 DC/OS 单元，然后最多等待 5 分钟，直到节点和集群检查通过。';
  // A wide character where the cut starts: slice-ansi shifts the rest of the row by a column.
  const straddle = 'ab补丁脚本cd';
  return {
    '2,000 styled rows cut to 60 columns: ours, ms': medianMs(() => styled.forEach((r) => truncateStyled(r, 60))),
    '2,000 styled rows cut to 60 columns: cli-truncate, ms': medianMs(() => styled.forEach((r) => cliTruncate(r, 60))),
    '2,000 plain rows cut to 60 columns: ours, ms': medianMs(() => plain.forEach((r) => truncate(r, 60))),
    '2,000 plain rows cut to 60 columns: cli-truncate, ms': medianMs(() => plain.forEach((r) => cliTruncate(r, 60))),
    'an explanation wrapped at 40 columns x 200: ours, ms': medianMs(() => {
      for (let i = 0; i < 200; i++) wrap(para, 40);
    }),
    'an explanation wrapped at 40 columns x 200: wrap-ansi, ms': medianMs(() => {
      for (let i = 0; i < 200; i++) wrapAnsi(para, 40, { hard: true });
    }),
    'the same rows from wrap and wrap-ansi': String(
      JSON.stringify(wrap(para, 40)) === JSON.stringify(wrapAnsi(para, 40, { hard: true }).split('\n')),
    ),
    'slice from column 3 of "ab补丁脚本cd": slice-ansi': JSON.stringify(sliceAnsi(straddle, 3)),
  };
}
