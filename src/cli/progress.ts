/** A one-line progress counter on stderr, only when stderr is a terminal (never in pipes or CI logs). */
export class Progress {
  private last = 0;
  private readonly start = Date.now();

  constructor(private readonly stream: NodeJS.WriteStream) {}

  static forStderr(): Progress | null {
    return process.stderr.isTTY ? new Progress(process.stderr) : null;
  }

  tick(rows: number): void {
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const rate = rows / Math.max(0.001, (now - this.start) / 1000);
    this.stream.write(`\rscored ${rows} rows  ${rate.toFixed(1)} rows/s `);
  }

  done(rows: number): void {
    this.last = 0;
    this.tick(rows);
    this.stream.write("\n");
  }
}
