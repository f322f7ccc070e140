/**
 * What must happen before the server is ready: its data loaded from the data directory ("data"),
 * and with a shared tier, Redis reached once ("redis"). Until the data is loaded nothing but the
 * health routes is answered; without Redis the server serves degraded, so it is not held back.
 */
export class Readiness {
  private readonly pending: Set<string>
  /** False while the data loads: requests other than /health get 503. */
  serving: boolean

  constructor(waitingFor: ('data' | 'redis')[] = []) {
    this.pending = new Set(waitingFor)
    this.serving = !this.pending.has('data')
  }

  done(part: 'data' | 'redis'): void {
    this.pending.delete(part)
    if (part === 'data') this.serving = true
  }

  get ready(): boolean {
    return this.pending.size === 0
  }

  get waitingFor(): string[] {
    return [...this.pending]
  }
}
