import type { Clock } from '../clock.ts';

/**
 * A clock whose time lives in shared memory, so the thread that moves it (a test) and the core's
 * worker that reads it see the same moment without a message between them.
 */
export class SharedClock implements Clock {
  readonly buffer: SharedArrayBuffer;
  readonly #time: BigInt64Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(8), start?: number) {
    this.buffer = buffer;
    this.#time = new BigInt64Array(buffer);
    if (start !== undefined) Atomics.store(this.#time, 0, BigInt(start));
  }

  now(): number {
    return Number(Atomics.load(this.#time, 0));
  }

  advance(ms: number): void {
    Atomics.add(this.#time, 0, BigInt(ms));
  }
}
