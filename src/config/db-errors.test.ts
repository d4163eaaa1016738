import { describe, expect, it } from 'vitest';
import { NotFoundError, UnavailableError } from '../core/errors.ts';
import { guardDb, isUnavailable } from './db-errors.ts';

function pgError(code: string): Error {
  return Object.assign(new Error(`sqlstate ${code}`), { code });
}

describe('isUnavailable', () => {
  it('treats connection-level failures as the database not answering', () => {
    // SQLSTATEs from https://www.postgresql.org/docs/15/errcodes-appendix.html
    for (const code of ['08006', '57P01', '57P03', '3D000', '53300', '55000']) {
      expect(isUnavailable(pgError(code)), code).toBe(true);
    }
    expect(isUnavailable(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isUnavailable(new Error('PGlite is closed'))).toBe(true);
    expect(isUnavailable(new UnavailableError('down'))).toBe(true);
  });

  it('treats bad statements and our own errors as not an outage', () => {
    for (const code of ['22P02', '23505', '42P01', '40001', 'P0001']) {
      expect(isUnavailable(pgError(code)), code).toBe(false);
    }
    expect(isUnavailable(new NotFoundError('x'))).toBe(false);
  });
});

describe('guardDb', () => {
  it('turns an outage into UnavailableError (503) naming the action, and passes the rest through', async () => {
    const down = guardDb('change parameter', () => Promise.reject(pgError('57P01')));
    await expect(down).rejects.toThrow(UnavailableError);
    await expect(guardDb('x', () => Promise.reject(pgError('57P01')))).rejects.toThrow(
      'database unavailable: cannot x',
    );
    await expect(guardDb('x', () => Promise.reject(pgError('23505')))).rejects.toThrow('sqlstate 23505');
    await expect(guardDb('x', async () => 7)).resolves.toBe(7);
  });
});
