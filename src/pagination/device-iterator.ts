import type { AdeDevice } from '../schemas/device.js';

type Result = IteratorResult<AdeDevice, void>;

/** `%AsyncIteratorPrototype%`: `[Symbol.asyncIterator]`, and `[Symbol.asyncDispose]` where the runtime has it. */
const asyncIteratorPrototype: object = Object.getPrototypeOf(
  Object.getPrototypeOf(async function* () {}).prototype,
);

const DONE: Readonly<Result> = Object.freeze({ value: undefined, done: true });

/**
 * The devices of a page iterator, one at a time (`AbmClient.devices()`), with the behaviour of the
 * async generator it replaces: calls are served in order, `return()` (a `break`) and `throw()`
 * close the page iterator, and a failure ends the iteration. A device of a page already in memory
 * is answered at once, without the promise turns an async generator spends on every `yield`.
 * @internal
 */
export class DeviceIterator implements AsyncGenerator<AdeDevice, void, undefined> {
  readonly #pages: AsyncGenerator<{ devices: readonly AdeDevice[] }, void, undefined>;
  #devices: readonly AdeDevice[] = [];
  #index = 0;
  #done = false;
  /** Queued calls not yet answered (a page being fetched, a close); later calls wait for them. */
  #queued = 0;
  /** Settles when the last queued call is answered. */
  #tail: Promise<void> | undefined;

  constructor(pages: AsyncGenerator<{ devices: readonly AdeDevice[] }, void, undefined>) {
    this.#pages = pages;
  }

  /** The next device: at once from the page in memory, else once the next page arrives. */
  next(): Promise<Result> {
    if (this.#queued === 0) {
      if (this.#index < this.#devices.length) {
        return Promise.resolve({ value: this.#devices[this.#index++] as AdeDevice, done: false });
      }
      if (this.#done) return Promise.resolve(DONE);
    }
    return this.#enqueue(() => this.#pull());
  }

  /** Ends the iteration (what `break` calls): closes the page iterator, after earlier calls. */
  return(): Promise<Result> {
    return this.#enqueue(async () => {
      if (!this.#done) {
        this.#finish();
        await this.#pages.return();
      }
      return DONE;
    });
  }

  /** Ends the iteration like {@link DeviceIterator.return}, then rejects with `error`. */
  throw(error: unknown): Promise<Result> {
    return this.#enqueue(async () => {
      if (!this.#done) {
        this.#finish();
        await this.#pages.return();
      }
      throw error;
    });
  }

  /** The iterator itself, for `for await`. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next device, fetching pages (empty ones skipped) until there is one or none is left. */
  async #pull(): Promise<Result> {
    for (;;) {
      if (this.#index < this.#devices.length) {
        return { value: this.#devices[this.#index++] as AdeDevice, done: false };
      }
      if (this.#done) return DONE;
      let page: IteratorResult<{ devices: readonly AdeDevice[] }, void>;
      try {
        page = await this.#pages.next();
      } catch (error) {
        this.#finish();
        throw error;
      }
      if (page.done) this.#finish();
      else {
        this.#devices = page.value.devices;
        this.#index = 0;
      }
    }
  }

  #finish(): void {
    this.#done = true;
    this.#devices = [];
    this.#index = 0;
  }

  /** Runs `step` after the calls before it, as an async generator queues its requests. */
  #enqueue(step: () => Promise<Result>): Promise<Result> {
    this.#queued++;
    const run = this.#tail === undefined ? step() : this.#tail.then(step);
    // Counted down before the caller sees the answer, so that its next call can take the fast path.
    const release = (): void => {
      this.#queued--;
      if (this.#queued === 0) this.#tail = undefined;
    };
    const answer = run.then(
      (result) => {
        release();
        return result;
      },
      (error: unknown) => {
        release();
        throw error;
      },
    );
    this.#tail = answer.then(
      () => {},
      () => {},
    );
    return answer;
  }
}

Object.setPrototypeOf(DeviceIterator.prototype, asyncIteratorPrototype);
