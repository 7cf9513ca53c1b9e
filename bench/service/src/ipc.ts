import type { ChildProcess } from 'node:child_process';

/**
 * Request and answer over a child's IPC channel: {@link next} resolves with the next message of a
 * type (messages nobody waits for yet are kept), and rejects when the child exits first.
 */
export class Ipc<Command, Report extends { type: string }> {
  readonly child: ChildProcess;
  private readonly kept: Report[] = [];
  private readonly waiting: Array<{
    type: string;
    resolve: (r: Report) => void;
    reject: (e: Error) => void;
  }> = [];
  private exit: Error | undefined;

  constructor(child: ChildProcess, what: string) {
    this.child = child;
    child.on('message', (message: Report) => {
      const i = this.waiting.findIndex((w) => w.type === message.type);
      if (i === -1) this.kept.push(message);
      else this.waiting.splice(i, 1)[0]!.resolve(message);
    });
    child.once('exit', (code, signal) => {
      this.exit = new Error(`${what} exited (${signal ?? `code ${code}`})`);
      for (const w of this.waiting.splice(0)) w.reject(this.exit);
    });
  }

  /** Sends a command to the child. */
  send(command: Command): void {
    this.child.send(command as object);
  }

  /** The next message of `type`. */
  next<T extends Report['type']>(type: T): Promise<Extract<Report, { type: T }>> {
    const i = this.kept.findIndex((m) => m.type === type);
    if (i !== -1) return Promise.resolve(this.kept.splice(i, 1)[0] as Extract<Report, { type: T }>);
    if (this.exit !== undefined) return Promise.reject(this.exit);
    return new Promise((resolve, reject) => {
      this.waiting.push({ type, resolve: resolve as (r: Report) => void, reject });
    });
  }

  /** Sends `command` and resolves with the next message of `type`. */
  ask<T extends Report['type']>(command: Command, type: T): Promise<Extract<Report, { type: T }>> {
    const answer = this.next(type);
    this.send(command);
    return answer;
  }
}
