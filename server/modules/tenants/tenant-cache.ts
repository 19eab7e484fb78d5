/** Tenants by slug, kept for a few seconds: read on every request, changed rarely. */
import type { Db } from '../../db/client.js';
import { findTenantBySlug, type Tenant } from './tenants.repository.js';

export class TenantCache {
  private entries = new Map<string, { at: number; value: Promise<Tenant | undefined> }>();
  constructor(
    private readonly db: Db,
    private readonly ttlMs = 5_000,
  ) {}

  bySlug(slug: string): Promise<Tenant | undefined> {
    const hit = this.entries.get(slug);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = findTenantBySlug(this.db, slug);
    this.entries.set(slug, { at: Date.now(), value });
    value.catch(() => this.entries.delete(slug));
    if (this.entries.size > 10_000) this.entries.clear();
    return value;
  }

  invalidate(slug: string): void {
    this.entries.delete(slug);
  }
}
