/*
 * The few terminal helpers the demo needs (colors, a progress bar, tables laid out to a width, a
 * status line), written out rather than pulled in as dependencies.
 */

/** ANSI styles the demo uses. */
export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

const CODES: Record<Style, string> = {
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  cyan: '\u001b[36m',
};

/** Paints text, or leaves it plain. */
export type Paint = (style: Style, text: string) => string;

/** A {@link Paint} with colors when `enabled`, else the identity. */
export function painter(enabled: boolean): Paint {
  return enabled ? (style, text) => `${CODES[style]}${text}\u001b[0m` : (_style, text) => text;
}

/** Colors on a terminal unless NO_COLOR is set (https://no-color.org), or when FORCE_COLOR is. */
export function wantsColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** Narrowest layout the demo lays out for. */
export const MIN_WIDTH = 40;

/**
 * The width to lay out for: the terminal's, else `COLUMNS`, else 100 (off a terminal: a file,
 * a pipe, a test).
 */
export function outputWidth(stream: { columns?: number }, env: NodeJS.ProcessEnv): number {
  const fromEnv = Number(env.COLUMNS);
  const width =
    typeof stream.columns === 'number' && stream.columns > 0
      ? stream.columns
      : Number.isInteger(fromEnv) && fromEnv > 0
        ? fromEnv
        : 100;
  return Math.max(MIN_WIDTH, width);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what it matches
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Columns `text` takes on a terminal: ANSI escapes take none (every character here takes one). */
export function visibleWidth(text: string): number {
  let n = 0;
  for (const _ of text.replace(ANSI_ESCAPE, '')) n++;
  return n;
}

/** Plain `text` cut to `width` columns, ending in `…` when cut. */
export function cut(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 0) return '';
  return `${chars.slice(0, width - 1).join('')}…`;
}

/** `[█████░░░░░]`, `width` cells wide. */
export function bar(done: number, total: number, width: number): string {
  const filled = total <= 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/**
 * One column of a table, as data: a table is a list of these, so a column is added (or dropped
 * at a narrow width) in one place.
 */
export interface Column<R> {
  header: string;
  /** Numbers are right-aligned. @defaultValue 'left' */
  align?: 'left' | 'right';
  cell(row: R): string;
  /** Widest the column gets; longer cells are cut with `…`. */
  maxWidth?: number;
  /**
   * Width used whatever the rows, for tables printed a row at a time (the rows are not known
   * when the layout is made); longer cells are cut.
   */
  fixedWidth?: number;
  /**
   * When the table is too wide, columns with a `drop` rank go, lowest rank first; columns
   * without one always stay.
   */
  drop?: number;
  /**
   * The column that takes what width is left: its cells are cut (`'cut'`) or wrapped onto
   * continuation lines at spaces (`'wrap'`). At most one per table, normally the last.
   */
  rest?: 'cut' | 'wrap';
  /** Narrowed first (before the widest column) when the table is still too wide. */
  shrink?: boolean;
  /** Left out when every row's cell is `-` (nothing known), e.g. errors a message does not carry. */
  optional?: boolean;
  /** Narrowest a `rest` column gets before the other columns are narrowed instead. */
  minWidth?: number;
  /** A style for the row's cell, e.g. red for errors. */
  style?(row: R): Style | undefined;
}

/** Column widths chosen for one output width: made once, used for every row. */
export interface Layout<R> {
  readonly columns: ReadonlyArray<{ column: Column<R>; width: number }>;
  readonly indent: string;
  readonly width: number;
}

const GAP = '  ';

/**
 * Chooses widths for `columns` so that every line fits in `width` columns (less one, so that a
 * full line never makes a terminal wrap): natural widths from `rows` (or `fixedWidth`), then
 * columns with a `drop` rank dropped lowest first, then the `rest` column narrowed, then the
 * widest `shrink` column (else the widest other left-aligned one) narrowed.
 */
export function layoutColumns<R>(
  columns: ReadonlyArray<Column<R>>,
  rows: readonly R[],
  width: number,
  indent = '  ',
): Layout<R> {
  const budget = width - 1;
  const shown = columns.filter(
    (c) => c.optional !== true || rows.some((row) => c.cell(row) !== '-'),
  );
  let chosen = shown.map((column) => {
    let w = column.fixedWidth;
    if (w === undefined) {
      w = visibleWidth(column.header);
      for (const row of rows) w = Math.max(w, visibleWidth(column.cell(row)));
      if (column.maxWidth !== undefined) w = Math.min(w, column.maxWidth);
    }
    return { column, width: w };
  });
  const total = () =>
    indent.length + chosen.reduce((sum, c) => sum + c.width, 0) + GAP.length * (chosen.length - 1);
  while (total() > budget) {
    const droppable = chosen.filter((c) => c.column.drop !== undefined);
    if (droppable.length === 0) break;
    const lowest = droppable.reduce((a, b) => (b.column.drop! < a.column.drop! ? b : a));
    chosen = chosen.filter((c) => c !== lowest);
  }
  const rest = chosen.find((c) => c.column.rest !== undefined);
  if (rest !== undefined && total() > budget) {
    const least = Math.min(
      rest.width,
      Math.max(visibleWidth(rest.column.header), rest.column.minWidth ?? 0),
    );
    rest.width = Math.max(least, rest.width - (total() - budget));
  }
  if (total() > budget) {
    const shrinkable = chosen.filter((c) => c.column.shrink === true);
    const left =
      shrinkable.length > 0
        ? shrinkable
        : chosen.filter((c) => c !== rest && c.column.align !== 'right');
    const widest = left.reduce<(typeof chosen)[number] | undefined>(
      (a, b) => (a === undefined || b.width > a.width ? b : a),
      undefined,
    );
    if (widest !== undefined) {
      widest.width = Math.max(4, widest.width - (total() - budget));
    }
  }
  return { columns: chosen, indent, width };
}

function pad(text: string, width: number, align: 'left' | 'right' | undefined): string {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** Splits `text` at spaces into lines of at most `width` columns (a longer word is cut). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (visibleWidth(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    line = cut(word, width);
  }
  lines.push(line);
  return lines;
}

/** The header line of a laid-out table, painted dim. */
export function headerLine<R>(layout: Layout<R>, paint: Paint): string {
  const cells = layout.columns.map(({ column, width }) =>
    pad(cut(column.header, width), width, column.align),
  );
  return paint('dim', `${layout.indent}${cells.join(GAP)}`.trimEnd());
}

/** The line of one row (more than one when its `rest: 'wrap'` cell wraps). */
export function rowLines<R>(layout: Layout<R>, row: R, paint: Paint): string[] {
  const first: string[] = [];
  let continuation: string[] = [];
  let offset = layout.indent.length;
  for (const { column, width } of layout.columns) {
    const text = column.cell(row);
    let shown: string;
    if (column.rest === 'wrap' && visibleWidth(text) > width) {
      const [head = '', ...more] = wrap(text, width);
      shown = head;
      const at = ' '.repeat(offset);
      continuation = more.map((l) => at + l);
    } else {
      shown = cut(text, width);
    }
    const style = column.style?.(row);
    const padded = pad(shown, width, column.align);
    first.push(style === undefined ? padded : paint(style, padded));
    offset += width + GAP.length;
  }
  return [`${layout.indent}${first.join(GAP)}`.trimEnd(), ...continuation];
}

/** A whole table: the header, then every row, laid out to fit `width`. */
export function table<R>(
  columns: ReadonlyArray<Column<R>>,
  rows: readonly R[],
  width: number,
  paint: Paint,
  indent = '  ',
): string[] {
  const layout = layoutColumns(columns, rows, width, indent);
  return [headerLine(layout, paint), ...rows.flatMap((row) => rowLines(layout, row, paint))];
}

/** A part of a one-line summary; parts with a `drop` rank go first (lowest first) when too wide. */
export interface Part {
  text: string;
  style?: Style;
  drop?: number;
}

/** Joins `parts` with `gap` into one line of at most `width - 1` columns. */
export function fitParts(
  parts: readonly Part[],
  width: number,
  paint: Paint,
  indent = '',
  gap = '  ',
): string {
  const budget = width - 1 - visibleWidth(indent);
  let kept = parts.filter((p) => p.text !== '');
  const length = () =>
    kept.reduce((n, p) => n + visibleWidth(p.text), 0) + gap.length * (kept.length - 1);
  while (length() > budget && kept.some((p) => p.drop !== undefined)) {
    const lowest = kept
      .filter((p) => p.drop !== undefined)
      .reduce((a, b) => (b.drop! < a.drop! ? b : a));
    kept = kept.filter((p) => p !== lowest);
  }
  let room = budget;
  const shown: string[] = [];
  for (const p of kept) {
    if (room <= 0) break;
    const text = cut(p.text, room);
    shown.push(p.style === undefined ? text : paint(p.style, text));
    room -= visibleWidth(text) + gap.length;
  }
  return indent + shown.join(gap);
}

/** A stream the status line writes to (a TTY's `columns` change on resize). */
export interface StatusStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * A status line that, on a terminal, is redrawn in place with `\r` and "erase line"; other output
 * is printed above it. It is made by a function of the width and never written wider than the
 * terminal less one column: a line that wrapped could not be erased by `\r`, and its first part
 * would stay on screen as a stale copy. Off a terminal it prints a plain line now and then instead.
 */
export class StatusLine {
  private readonly out: StatusStream;
  private readonly tty: boolean;
  private readonly env: NodeJS.ProcessEnv;
  private render: ((width: number) => string) | undefined = undefined;
  private drawn = false;

  constructor(out: StatusStream, env: NodeJS.ProcessEnv = process.env) {
    this.out = out;
    this.tty = out.isTTY === true;
    this.env = env;
  }

  /** The status as it fits `width` (the terminal's, at each redraw). */
  private text(): string {
    const width = outputWidth(this.out, this.env);
    const text = this.render!(width);
    return visibleWidth(text) <= width - 1 ? text : cut(text.replace(ANSI_ESCAPE, ''), width - 1);
  }

  /** Sets what the status shows, as a function of the width, and redraws it (terminal only). */
  update(render: (width: number) => string): void {
    if (!this.tty) return;
    this.render = render;
    this.out.write(`\r\u001b[2K${this.text()}`);
    this.drawn = true;
  }

  /** Redraws the status at the terminal's current width (after a resize). */
  redraw(): void {
    if (this.tty && this.render !== undefined) this.out.write(`\r\u001b[2K${this.text()}`);
  }

  /** Prints a plain progress line (off a terminal only). */
  note(text: string): void {
    if (!this.tty) this.out.write(`${text}\n`);
  }

  /** Prints `text` (lines) above the status line and redraws the status under it. */
  print(text: string): void {
    if (this.tty && this.drawn) {
      this.out.write(`\r\u001b[2K${text}\n${this.text()}`);
    } else {
      this.out.write(`${text}\n`);
    }
  }

  /** Removes the status line for good. */
  clear(): void {
    if (this.tty && this.drawn) this.out.write('\r\u001b[2K');
    this.drawn = false;
    this.render = undefined;
  }
}
