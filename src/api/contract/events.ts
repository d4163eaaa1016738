import { z } from 'zod';
import { EVENT_TYPES } from '../../core/events.ts';
import { errorResponses, QueryDate } from './common.ts';

/** Earnings, dividends, splits and economic releases (`GET /api/events`). */

const EventType = z.enum(EVENT_TYPES);

const EventsQuery = z.object({
  symbol: z.string().max(32).optional(),
  type: EventType.optional(),
  from: QueryDate.optional(),
  to: QueryDate.optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(200),
});

/** Every event has its type, symbol (the FRED id for economic) and date, plus the fields of its type. */
const EventItem = z.looseObject({ type: EventType, symbol: z.string(), date: z.string() });

/** Route schemas (OpenAPI document, validation, serialisation). */
export const eventRoutes = {
  list: {
    summary:
      'Events newest first; every row has type, symbol (FRED id for economic) and date, plus its own fields',
    description:
      'dividend: ex_date, record_date, pay_date, amount, currency · split: split_from, split_to, ratio · earnings: estimate, actual, surprise, time_of_day (bmo/amc/dmh) · economic: period, actual, forecast, previous, release_name',
    tags: ['events'],
    querystring: EventsQuery,
    response: { 200: z.object({ events: z.array(EventItem) }), ...errorResponses },
  },
} as const;
