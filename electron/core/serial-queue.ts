/**
 * Runs tasks one at a time, in arrival order. Every request through the gate and every lock
 * from outside (idle timer, OS lock) takes its turn, so a lock can never close the database
 * under a request that is halfway through.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
