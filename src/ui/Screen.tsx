// The whole screen as a pure function of its props: header, step list beside the node grid,
// then the output and troubleshooting panes (or a dialog in their place), the status line and
// the help bar. Every part is exactly as tall as the layout says, so the frame is the terminal's
// size, always.
import { Box } from 'ink';
import React from 'react';
import { Dialog } from './Dialog.js';
import type { DialogText } from './dialogs.js';
import { Header } from './Header.js';
import { HelpBar } from './HelpBar.js';
import { HelpOverlay } from './HelpOverlay.js';
import type { Mode } from './keymap.js';
import type { Layout } from './layout.js';
import { Lines } from './Lines.js';
import { NodeGrid, type NodeGridProps } from './NodeGrid.js';
import { OutputPane, type OutputPaneProps } from './OutputPane.js';
import { StatusLine, type StatusLineProps } from './StatusLine.js';
import { StepList, type StepListProps } from './StepList.js';
import type { Theme } from './theme.js';
import { fit, wrap } from './text-width.js';
import { TroubleshootPane, type TroubleshootPaneProps } from './TroubleshootPane.js';
import type { HeaderView } from './view-model.js';

type Sized<T> = Omit<T, 'width' | 'height' | 'theme'>;

export interface ScreenProps {
  layout: Layout;
  theme: Theme;
  mode: Mode;
  /** Several nodes wait on the confirmation's step and are listed: `a` applies. */
  group?: boolean;
  header: HeaderView;
  steps: Sized<StepListProps>;
  grid: Sized<NodeGridProps>;
  output: Sized<OutputPaneProps>;
  troubleshoot?: Sized<TroubleshootPaneProps>;
  dialog?: DialogText;
  help?: { scroll: number };
  status: Omit<StatusLineProps, 'width' | 'theme'>;
}

export function Screen(p: ScreenProps) {
  const { layout: l, theme } = p;
  if (l.tooSmall) {
    const lines = wrap(l.tooSmall, Math.max(1, l.columns)).slice(0, l.rows).map((t) => fit(t, l.columns));
    return <Lines lines={lines} width={l.columns} height={l.rows} />;
  }
  const middle = l.body + l.output + l.troubleshoot + l.modal;
  return (
    <Box flexDirection="column" width={l.columns} height={l.rows}>
      <Header view={p.header} width={l.columns} theme={theme} />
      {p.help ? (
        <HelpOverlay scroll={p.help.scroll} width={l.columns} height={middle} theme={theme} />
      ) : (
        <>
          <Box flexDirection="row" width={l.columns} height={l.body}>
            <StepList {...p.steps} width={l.stepsWidth} height={l.body} theme={theme} />
            <Lines lines={[]} width={1} height={l.body} />
            <NodeGrid {...p.grid} width={l.nodesWidth} height={l.body} theme={theme} />
          </Box>
          {p.dialog ? (
            <Dialog dialog={p.dialog} width={l.columns} height={l.modal} theme={theme} />
          ) : (
            <>
              <OutputPane {...p.output} width={l.columns} height={l.output} theme={theme} />
              {p.troubleshoot && l.troubleshoot > 0 ? <TroubleshootPane {...p.troubleshoot} width={l.columns} height={l.troubleshoot} theme={theme} /> : null}
            </>
          )}
        </>
      )}
      <StatusLine {...p.status} width={l.columns} theme={theme} />
      <HelpBar mode={p.mode} group={p.group ?? false} width={l.columns} theme={theme} />
    </Box>
  );
}
