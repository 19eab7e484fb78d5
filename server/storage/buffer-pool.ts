/**
 * A few reusable buffers of one size, for work that needs a large buffer per
 * request (the segment an upload fills). A buffer allocated per request lives
 * as long as the request, so V8 moves it to its old generation, where it is
 * freed only by a full collection: with 64 MB PATCHes, a 1 GB upload would
 * leave 16 of them behind. Released buffers are zeroed (they held a citizen's
 * document) and kept up to `keep`; beyond that, take() allocates.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly size: number,
    private readonly keep: number,
  ) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.size);
  }

  release(buf: Buffer): void {
    if (buf.length !== this.size || this.free.length >= this.keep || this.free.includes(buf)) return;
    buf.fill(0);
    this.free.push(buf);
  }
}
