// Groups the values of one property that arrive within a short window into one entry of at most 10 values, so that a
// fast sensor costs one message per window instead of one per reading. Each group closes when it holds 10 values, when
// its window has passed since its first value, or when the grouper is flushed (a node stopping). Values of another type
// start a group of their own, since an entry's values all have one type.
import type { AssetPropertyValue } from '../../protocol/model';
import { SITEWISE_MAX_VALUES_PER_ENTRY } from '../../protocol/sitewise-rules';
import type { SiteWiseProperty } from './sitewise-entry';

export interface SiteWiseGroup<T> {
  stream: string;
  property: SiteWiseProperty;
  values: AssetPropertyValue[];
  /** What each value came with (a msg and its callbacks), in the order the values were added. */
  tickets: T[];
}

export class SiteWiseGrouper<T> {
  private readonly open = new Map<string, { group: SiteWiseGroup<T>; timer?: ReturnType<typeof setTimeout> }>();

  /** `windowMs` 0 closes every group at once: one entry per add. */
  constructor(
    private readonly windowMs: number,
    private readonly onGroup: (group: SiteWiseGroup<T>) => void,
  ) {}

  get openCount(): number {
    return this.open.size;
  }

  /** Adds values of one property (at most 10 at a time); they close with the group they join. */
  add(stream: string, property: SiteWiseProperty, values: AssetPropertyValue[], ticket: T): void {
    const type = Object.keys(values[0].value)[0];
    const key = JSON.stringify([stream, property.propertyAlias ?? null, property.assetId ?? null, property.propertyId ?? null, type]);
    let slot = this.open.get(key);
    if (slot && slot.group.values.length + values.length > SITEWISE_MAX_VALUES_PER_ENTRY) {
      this.close(key);
      slot = undefined;
    }
    if (!slot) {
      slot = { group: { stream, property, values: [], tickets: [] } };
      this.open.set(key, slot);
      if (this.windowMs > 0) {
        slot.timer = setTimeout(() => this.close(key), this.windowMs);
      }
    }
    slot.group.values.push(...values);
    slot.group.tickets.push(ticket);
    if (this.windowMs <= 0 || slot.group.values.length >= SITEWISE_MAX_VALUES_PER_ENTRY) this.close(key);
  }

  /** Closes every open group now. */
  flush(): void {
    for (const key of [...this.open.keys()]) this.close(key);
  }

  private close(key: string): void {
    const slot = this.open.get(key);
    if (!slot) return;
    this.open.delete(key);
    clearTimeout(slot.timer);
    this.onGroup(slot.group);
  }
}
