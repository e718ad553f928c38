/**
 * Requests per minute per client address, as a token bucket: a client may burst up to the
 * minute's allowance, then gets one request per 60/rate seconds. Buckets of clients gone
 * quiet are dropped, so the table stays bounded under many addresses.
 */
export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until one request is allowed again (for Retry-After). */
  retryAfter: number;
}

const MAX_CLIENTS = 50_000;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perMinute: number) {}

  take(client: string, now: number = Date.now()): RateDecision {
    const refill = this.perMinute / 60_000;
    const bucket = this.buckets.get(client) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * refill);
    bucket.at = now;
    // Re-inserted so that the map's order is least recently seen first.
    this.buckets.delete(client);
    this.buckets.set(client, bucket);
    if (this.buckets.size > MAX_CLIENTS) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfter: 0 };
    }
    return {
      allowed: false,
      retryAfter: Math.max(1, Math.ceil((1 - bucket.tokens) / refill / 1000)),
    };
  }
}
