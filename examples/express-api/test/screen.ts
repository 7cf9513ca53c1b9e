/**
 * A small terminal emulator for tests: what a reader of a `width`-column terminal sees after the
 * program wrote `output`. It knows what the demo writes: printable characters (a full line
 * wraps, as terminals do), `\n`, `\r`, "erase line" (`ESC [ 2 K`) and colors (ignored).
 */
export function screen(output: string, width: number): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  // Terminals wrap lazily: the character after a full line goes to the next one.
  let pending = false;
  for (let i = 0; i < output.length; i++) {
    const ch = output[i]!;
    if (ch === '\u001b') {
      const end = output.slice(i).search(/[A-Za-z]/);
      const sequence = output.slice(i, i + end + 1);
      if (sequence === '\u001b[2K') lines[row] = [];
      i += end;
      continue;
    }
    if (ch === '\r') {
      col = 0;
      pending = false;
      continue;
    }
    if (ch === '\n') {
      row++;
      col = 0;
      pending = false;
      lines[row] ??= [];
      continue;
    }
    if (pending) {
      row++;
      col = 0;
      pending = false;
      lines[row] ??= [];
    }
    lines[row]![col] = ch;
    col++;
    if (col === width) pending = true;
  }
  return lines.map((l) =>
    Array.from(l, (c) => c ?? ' ')
      .join('')
      .trimEnd(),
  );
}
