import type { Locks } from '../../src/platform/write-gate';

interface Request {
  mode: LockMode;
  grant: () => void;
}

/**
 * The Web Locks rules the gates rely on, for one process and one lock name (Node has no navigator.locks):
 * requests granted in order, shared ones together, an exclusive one alone; a pending request
 * withdrawn by its signal rejects with AbortError; one asked `ifAvailable` that cannot be granted
 * at once gets null instead of waiting; a lock is held until its callback's promise settles.
 * https://w3c.github.io/web-locks/#algorithms
 */
export class FakeLocks implements Locks {
  held: LockMode[] = [];
  queue: Request[] = [];
  names = new Set<string>();

  request(
    name: string,
    options: LockOptions,
    callback: (lock: Lock | null) => unknown,
  ): Promise<unknown> {
    this.names.add(name);
    const mode = options.mode ?? 'exclusive';
    if (options.ifAvailable && (this.queue.length > 0 || !this.free(mode))) {
      return Promise.resolve(callback(null));
    }
    return new Promise((resolve, reject) => {
      const entry: Request = {
        mode,
        grant: () => {
          this.held.push(mode);
          const release = () => {
            this.held.splice(this.held.indexOf(mode), 1);
            this.process();
          };
          // Let go of whether the callback resolves or rejects; the request settles as it did.
          void Promise.resolve(callback({ name, mode } as Lock)).then(
            (value) => (resolve(value), release()),
            (error: unknown) => (reject(error), release()),
          );
        },
      };
      options.signal?.addEventListener('abort', () => {
        const at = this.queue.indexOf(entry);
        if (at < 0) return; // granted already: the signal no longer matters
        this.queue.splice(at, 1);
        reject(new DOMException('withdrawn', 'AbortError'));
        this.process();
      });
      this.queue.push(entry);
      this.process();
    });
  }

  private process(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (!this.free(next.mode)) return;
      this.queue.shift();
      next.grant();
    }
  }

  private free(mode: LockMode): boolean {
    return mode === 'exclusive' ? this.held.length === 0 : !this.held.includes('exclusive');
  }
}
