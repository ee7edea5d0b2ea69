// $(( ... )): integer arithmetic with the usual C operators, variables read as integers.

export function evalArith(src: string, lookup: (name: string) => string | undefined): number {
  const tokens = src.match(/\d+|[A-Za-z_][A-Za-z0-9_]*|\$[A-Za-z_][A-Za-z0-9_]*|<=|>=|==|!=|&&|\|\||[-+*/%()<>!]/g) ?? [];
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const take = (): string => {
    const t = tokens[i++];
    if (t === undefined) throw new Error(`${src}: syntax error: operand expected`);
    return t;
  };
  const value = (name: string): number => {
    const raw = lookup(name.replace(/^\$/, ''));
    const n = Number.parseInt(raw ?? '0', 10);
    return Number.isNaN(n) ? 0 : n;
  };
  const primary = (): number => {
    const t = take();
    if (t === '(') {
      const v = or();
      if (take() !== ')') throw new Error(`${src}: missing \`)'`);
      return v;
    }
    if (t === '-') return -primary();
    if (t === '+') return primary();
    if (t === '!') return primary() ? 0 : 1;
    if (/^\d+$/.test(t)) return Number.parseInt(t, 10);
    if (/^\$?[A-Za-z_]/.test(t)) return value(t);
    throw new Error(`${src}: syntax error: operand expected (error token is "${t}")`);
  };
  const mul = (): number => {
    let v = primary();
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const op = take();
      const r = primary();
      if ((op === '/' || op === '%') && r === 0) throw new Error(`${src}: division by 0`);
      v = op === '*' ? v * r : op === '/' ? Math.trunc(v / r) : v % r;
    }
    return v;
  };
  const add = (): number => {
    let v = mul();
    while (peek() === '+' || peek() === '-') v = take() === '+' ? v + mul() : v - mul();
    return v;
  };
  const cmp = (): number => {
    let v = add();
    for (;;) {
      const op = peek();
      if (op !== '<' && op !== '>' && op !== '<=' && op !== '>=' && op !== '==' && op !== '!=') return v;
      take();
      const r = add();
      const res = op === '<' ? v < r : op === '>' ? v > r : op === '<=' ? v <= r : op === '>=' ? v >= r : op === '==' ? v === r : v !== r;
      v = res ? 1 : 0;
    }
  };
  const and = (): number => {
    let v = cmp();
    while (peek() === '&&') {
      take();
      const r = cmp();
      v = v && r ? 1 : 0;
    }
    return v;
  };
  const or = (): number => {
    let v = and();
    while (peek() === '||') {
      take();
      const r = and();
      v = v || r ? 1 : 0;
    }
    return v;
  };
  if (tokens.length === 0) return 0;
  const result = or();
  if (i < tokens.length) throw new Error(`${src}: syntax error in expression (error token is "${tokens[i]}")`);
  return result;
}
