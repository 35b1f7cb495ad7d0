/**
 * Coalesces many concurrent single-item requests into batched calls. Each queue job stays one record
 * (its own retries, its own dead letter) while the API sees one call per batch: the worker runs many
 * jobs at once and their reads and writes meet here.
 */
export interface BatcherOptions<I, O> {
  /** Largest batch the API accepts (HubSpot 100, Salesforce 200). */
  maxSize: number;
  /** How long the first item of a batch waits for company, in ms. */
  maxWaitMs: number;
  /** Items in one batch must share a group (same object and operation). */
  groupOf: (item: I) => string;
  /** Runs one batch; returns one outcome per item, in item order. Throwing fails every item. */
  run: (group: string, items: I[]) => Promise<O[]>;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class Batcher<I, O> {
  private readonly groups = new Map<
    string,
    { pending: Pending<I, O>[]; timer: NodeJS.Timeout | undefined }
  >();

  constructor(private readonly options: BatcherOptions<I, O>) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const key = this.options.groupOf(item);
      let group = this.groups.get(key);
      if (!group) {
        group = { pending: [], timer: undefined };
        this.groups.set(key, group);
      }
      group.pending.push({ item, resolve, reject });
      if (group.pending.length >= this.options.maxSize) this.flush(key);
      else group.timer ??= setTimeout(() => this.flush(key), this.options.maxWaitMs);
    });
  }

  private flush(key: string): void {
    const group = this.groups.get(key);
    if (!group) return;
    if (group.timer) clearTimeout(group.timer);
    this.groups.delete(key);
    const batch = group.pending;
    void this.options
      .run(
        key,
        batch.map((p) => p.item),
      )
      .then(
        (outcomes) => {
          for (const [i, pending] of batch.entries()) pending.resolve(outcomes[i] as O);
        },
        (error: unknown) => {
          for (const pending of batch) pending.reject(error);
        },
      );
  }
}
