import type { RouteModule } from '../deps.ts';
import { wsRoutes } from '../ws.ts';
import { adminConfigRoutes } from './admin-config.ts';
import { adminConfigVersionRoutes } from './admin-config-versions.ts';
import { alertRoutes } from './alerts.ts';
import { assetRoutes } from './asset.ts';
import { backtestRoutes } from './backtests.ts';
import { chatRoutes } from './chat.ts';
import { correlationRoutes } from './correlations.ts';
import { depegRoutes } from './depegs.ts';
import { economicRoutes } from './economic.ts';
import { eventRoutes } from './events.ts';
import { exportRoutes } from './export.ts';
import { healthRoutes } from './health.ts';
import { jobsAdminRoutes, jobsRoutes } from './jobs.ts';
import { marketRoutes } from './market.ts';
import { mcpRoutes } from './mcp.ts';
import { modelRoutes } from './models.ts';
import { monitorRoutes } from './monitor.ts';
import { newsRoutes } from './news.ts';
import { qualityRoutes } from './quality.ts';
import { reportRoutes } from './reports.ts';
import { riskRoutes } from './risk.ts';
import { supplyRoutes } from './supply.ts';
import { tradingAdminRoutes, tradingRoutes } from './trading.ts';
import { volatilityRoutes } from './volatility.ts';
import { watchlistRoutes } from './watchlist.ts';

/**
 * Every route module `buildApp` mounts, in order. To add a resource, write `routes/<resource>.ts`
 * exporting a `FastifyPluginAsync<RouteOptions>` (schemas on every route; `admin: true` for routes behind the JWT) and add ONE import line and ONE entry here.
 */
export const ROUTES: RouteModule[] = [
  { name: 'admin-config', plugin: adminConfigRoutes, admin: true },
  { name: 'admin-config-versions', plugin: adminConfigVersionRoutes, admin: true },
  { name: 'health', plugin: healthRoutes },
  { name: 'asset', plugin: assetRoutes },
  { name: 'watchlist', plugin: watchlistRoutes },
  { name: 'market', plugin: marketRoutes },
  { name: 'monitor', plugin: monitorRoutes },
  { name: 'correlations', plugin: correlationRoutes },
  { name: 'volatility', plugin: volatilityRoutes },
  { name: 'depegs', plugin: depegRoutes },
  { name: 'risk', plugin: riskRoutes },
  { name: 'alerts', plugin: alertRoutes },
  { name: 'supply', plugin: supplyRoutes },
  { name: 'models', plugin: modelRoutes },
  { name: 'quality', plugin: qualityRoutes },
  { name: 'backtests', plugin: backtestRoutes },
  { name: 'chat', plugin: chatRoutes },
  { name: 'export', plugin: exportRoutes },
  { name: 'mcp', plugin: mcpRoutes },
  { name: 'reports', plugin: reportRoutes },
  { name: 'jobs', plugin: jobsRoutes },
  { name: 'jobs-admin', plugin: jobsAdminRoutes, admin: true },
  { name: 'economic', plugin: economicRoutes },
  { name: 'news', plugin: newsRoutes },
  { name: 'events', plugin: eventRoutes },
  { name: 'trading', plugin: tradingRoutes },
  { name: 'trading-admin', plugin: tradingAdminRoutes, admin: true },
  { name: 'ws', plugin: wsRoutes() },
];
