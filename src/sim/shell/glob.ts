// Shell patterns (*, ?, [...]) for globbing, case and ${x%pattern}.

/** A piece of a word after expansion; `glob` pieces may hold pattern characters. */
export interface Segment {
  text: string;
  glob: boolean;
}

export function hasGlob(segments: readonly Segment[]): boolean {
  return segments.some((s) => s.glob && /[*?[]/.test(s.text));
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The regular expression source for a pattern; `slash` false keeps * from crossing "/". */
export function patternSource(segments: readonly Segment[], slash = true): string {
  let out = '';
  const any = slash ? '[\\s\\S]' : '[^/]';
  for (const seg of segments) {
    if (!seg.glob) {
      out += escapeRegex(seg.text);
      continue;
    }
    const t = seg.text;
    for (let i = 0; i < t.length; i++) {
      const c = t[i] as string;
      if (c === '*') out += `${any}*`;
      else if (c === '?') out += any;
      else if (c === '[') {
        const end = t.indexOf(']', i + 2);
        if (end < 0) {
          out += '\\[';
          continue;
        }
        let body = t.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      } else if (c === '\\' && i + 1 < t.length) {
        out += escapeRegex(t[i + 1] as string);
        i++;
      } else out += escapeRegex(c);
    }
  }
  return out;
}

export function matchPattern(segments: readonly Segment[], text: string): boolean {
  return new RegExp(`^${patternSource(segments)}$`).test(text);
}

/** Expands a path pattern against a directory lister; returns matches sorted, or [] for none. */
export function globPaths(pattern: readonly Segment[], cwd: string, list: (dir: string) => string[] | null): string[] {
  const full = pattern.map((s) => s.text).join('');
  const absolute = full.startsWith('/');
  // Split the segments on "/" keeping which characters may glob.
  const comps: Segment[][] = [[]];
  for (const seg of pattern) {
    const pieces = seg.text.split('/');
    pieces.forEach((piece, i) => {
      if (i > 0) comps.push([]);
      if (piece) (comps[comps.length - 1] as Segment[]).push({ text: piece, glob: seg.glob });
    });
  }
  let bases: string[] = [absolute ? '/' : ''];
  for (const comp of comps) {
    if (comp.length === 0) continue;
    const next: string[] = [];
    for (const base of bases) {
      const dir = base === '' ? cwd : base;
      if (!hasGlob(comp)) {
        const name = comp.map((c) => c.text).join('');
        const candidate = base === '' ? name : `${base === '/' ? '' : base}/${name}`;
        next.push(candidate);
        continue;
      }
      const names = list(dir.startsWith('/') ? dir : `${cwd}/${dir}`);
      if (!names) continue;
      const re = new RegExp(`^${patternSource(comp, false)}$`);
      const dotOk = (comp[0]?.text ?? '').startsWith('.');
      for (const name of names) {
        if (name.startsWith('.') && !dotOk) continue;
        if (re.test(name)) next.push(base === '' ? name : `${base === '/' ? '' : base}/${name}`);
      }
    }
    bases = next;
  }
  return bases.sort();
}
