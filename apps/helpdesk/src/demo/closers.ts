/** Things started by the demo, stopped in the reverse order of starting, each awaited. */
export class Closers {
  private readonly stack: Array<{ name: string; close: () => Promise<void> }> = [];

  add(name: string, close: () => Promise<void>): void {
    this.stack.push({ name, close });
  }

  /** Closes everything, carrying on past failures; true when all closed cleanly. */
  async closeAll(report: (line: string) => void): Promise<boolean> {
    let clean = true;
    for (let next = this.stack.pop(); next; next = this.stack.pop()) {
      try {
        await next.close();
        report(`  stopped ${next.name}`);
      } catch (error) {
        clean = false;
        report(`  stopping ${next.name} failed: ${(error as Error).message}`);
      }
    }
    return clean;
  }
}
