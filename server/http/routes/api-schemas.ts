/** Shapes shared by every API route: the error body. */
import { z } from 'zod';
import { ERROR_CODES } from '../../../shared/errors.js';

export const errorBody = z.object({
  code: z.enum(ERROR_CODES as [string, ...string[]]),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
