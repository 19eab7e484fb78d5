/**
 * Frees at once the Buffers a stream has finished with. A Buffer's bytes live
 * outside V8's heap and are freed only when V8 collects its small wrapper,
 * which it does after some 64 MB of them have piled up: a 4 GB upload would
 * hold that much garbage all along. With `node --expose-gc` (the `npm start`
 * command), a young-generation collection (a scavenge: well under a
 * millisecond, it visits only recent objects) frees them right after each
 * write; without the flag this does nothing and memory is merely higher.
 */
const gc = (globalThis as { gc?: (options: { type: 'minor'; execution: 'sync' }) => void }).gc;

export function releaseSpentBuffers(): void {
  gc?.({ type: 'minor', execution: 'sync' });
}
