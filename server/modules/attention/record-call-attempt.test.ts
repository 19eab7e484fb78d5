import { describe, expect, it } from 'vitest';
import { callAttemptEffect } from './record-call-attempt.js';

describe('callAttemptEffect', () => {
  it('starts the talk on an answer without counting a failure', () => {
    expect(callAttemptEffect({ outcome: 'answered', failuresBefore: 2, maxCallAttempts: 3 })).toEqual({ attempts: 2, connect: true, giveUp: false });
  });

  it('counts failures and gives up when they reach the maximum', () => {
    expect(callAttemptEffect({ outcome: 'no_answer', failuresBefore: 0, maxCallAttempts: 3 })).toEqual({ attempts: 1, connect: false, giveUp: false });
    expect(callAttemptEffect({ outcome: 'busy', failuresBefore: 1, maxCallAttempts: 3 })).toEqual({ attempts: 2, connect: false, giveUp: false });
    expect(callAttemptEffect({ outcome: 'no_answer', failuresBefore: 2, maxCallAttempts: 3 })).toEqual({ attempts: 3, connect: false, giveUp: true });
  });

  it('gives up at once on a wrong number', () => {
    expect(callAttemptEffect({ outcome: 'wrong_number', failuresBefore: 0, maxCallAttempts: 3 })).toEqual({ attempts: 1, connect: false, giveUp: true });
  });

  it('treats a nonsensical maximum as one attempt', () => {
    expect(callAttemptEffect({ outcome: 'busy', failuresBefore: 0, maxCallAttempts: 0 }).giveUp).toBe(true);
    expect(callAttemptEffect({ outcome: 'busy', failuresBefore: 0, maxCallAttempts: Number.NaN }).giveUp).toBe(true);
    expect(callAttemptEffect({ outcome: 'busy', failuresBefore: 3, maxCallAttempts: 5 }).giveUp).toBe(false);
  });
});
