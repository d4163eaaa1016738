/**
 * A risk portfolio: positions per asset plus the capital that backs them. A position is either
 * `coverage` (depeg cover sold: we pay the holder the shortfall below the peg, so we lose
 * exposure × max(0, −return), at most the exposure) or `holding` (assets we own: we lose
 * −exposure × return, at most the exposure).
 */
import { z } from 'zod';
import { ValidationError } from './errors.ts';

const POSITION_KINDS = ['coverage', 'holding'] as const;
export type PositionKind = (typeof POSITION_KINDS)[number];

interface Position {
  asset: string;
  /** Money at risk in USD: coverage sold, or market value held. */
  exposure: number;
  kind: PositionKind;
}

export interface Portfolio {
  name: string;
  /** Capital (USD) backing the book; stress losses and LTV are measured against it. */
  capital: number;
  positions: Position[];
  /** Number of cover policies in force (informational, for the report). */
  activePolicies?: number;
  /** Capacity (USD) of cover the book may sell; utilisation = coverage / capacity. Defaults to capital. */
  capacity?: number;
}

const PortfolioFile = z.object({
  name: z.string().min(1).default('default'),
  capital: z.number().positive(),
  capacity: z.number().positive().optional(),
  active_policies: z.number().int().nonnegative().optional(),
  positions: z
    .array(
      z.object({
        asset: z.string().min(1),
        exposure: z.number().nonnegative(),
        kind: z.enum(POSITION_KINDS).default('coverage'),
      }),
    )
    .min(1),
});

/** Parses a portfolio document (`samples/portfolio.json` shape, snake_case) into a Portfolio. */
export function parsePortfolio(doc: unknown, source = 'portfolio'): Portfolio {
  const r = PortfolioFile.safeParse(doc);
  if (!r.success) {
    const first = r.error.issues[0];
    const where = first ? first.path.join('.') || '(root)' : '(root)';
    throw new ValidationError(`${source}: ${where}: ${first?.message ?? 'invalid portfolio'}`);
  }
  const d = r.data;
  return {
    name: d.name,
    capital: d.capital,
    capacity: d.capacity,
    activePolicies: d.active_policies,
    positions: d.positions.map((p) => ({ asset: p.asset.toUpperCase(), exposure: p.exposure, kind: p.kind })),
  };
}

/** The portfolio as its JSON document (inverse of parsePortfolio). */
export function portfolioToJson(p: Portfolio): Record<string, unknown> {
  return {
    name: p.name,
    capital: p.capital,
    ...(p.capacity === undefined ? {} : { capacity: p.capacity }),
    ...(p.activePolicies === undefined ? {} : { active_policies: p.activePolicies }),
    positions: p.positions.map((x) => ({ asset: x.asset, exposure: x.exposure, kind: x.kind })),
  };
}
