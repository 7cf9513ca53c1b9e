/*
 * The few terminal helpers the demo needs (colors, a progress bar, a table), written out
 * rather than pulled in as dependencies.
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

/** `[█████░░░░░]`, `width` cells wide. */
export function bar(done: number, total: number, width: number): string {
  const filled = total <= 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/** Milliseconds for a table: two decimals, '-' when unknown. */
export function ms(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(2);
}

/**
 * Lays rows out in columns: the first column left-aligned, the others right-aligned (numbers).
 * The header row is painted bold.
 */
export function table(header: string[], rows: string[][], paint: Paint, indent = '  '): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [paint('bold', line(header)), ...rows.map(line)];
}

/**
 * A status line that, on a terminal, is redrawn in place with `\r`; other output is printed
 * above it. Off a terminal it prints a plain line now and then instead (every `plainEvery`).
 */
export class StatusLine {
  private readonly out: NodeJS.WriteStream;
  private readonly tty: boolean;
  private current = '';

  constructor(out: NodeJS.WriteStream) {
    this.out = out;
    this.tty = out.isTTY === true;
  }

  /** Redraws the status (terminal only). */
  update(text: string): void {
    if (!this.tty) return;
    this.current = text;
    this.out.write(`\r\u001b[2K${text}`);
  }

  /** Prints a plain progress line (off a terminal only). */
  note(text: string): void {
    if (!this.tty) this.out.write(`${text}\n`);
  }

  /** Prints `text` above the status line and redraws the status under it. */
  print(text: string): void {
    if (this.tty && this.current !== '') {
      this.out.write(`\r\u001b[2K${text}\n${this.current}`);
    } else {
      this.out.write(`${text}\n`);
    }
  }

  /** Removes the status line for good. */
  clear(): void {
    if (this.tty && this.current !== '') this.out.write('\r\u001b[2K');
    this.current = '';
  }
}
