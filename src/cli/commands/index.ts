import type { Command } from 'commander';
import type { ContextFactory } from '../context.ts';
import * as alerts from './alerts.ts';
import * as analytics from './analytics.ts';
import * as askCommand from './ask.ts';
import * as audit from './audit.ts';
import * as backtest from './backtest.ts';
import * as config from './config.ts';
import * as core from './core.ts';
import * as economic from './economic.ts';
import * as events from './events.ts';
import * as exportCommand from './export.ts';
import * as imports from './import.ts';
import * as ingest from './ingest.ts';
import * as instruments from './instruments.ts';
import * as jobs from './jobs.ts';
import * as mcp from './mcp.ts';
import * as models from './models.ts';
import * as news from './news.ts';
import * as quarantine from './quarantine.ts';
import * as quote from './quote.ts';
import * as reportCommand from './report.ts';
import * as risk from './risk.ts';
import * as scenarios from './scenarios.ts';
import * as serveCommand from './serve-command.ts';
import * as stream from './stream.ts';
import * as supply from './supply.ts';
import * as token from './token.ts';
import * as trade from './trade.ts';
import * as validate from './validate.ts';

/** A command module adds its commands to the program; `ctx()` opens the store on first use. */
export interface CommandModule {
  register(program: Command, ctx: ContextFactory): void;
}

/** Every command module, in the order `--help` lists them. Add one line per module. */
export const COMMAND_MODULES: CommandModule[] = [
  core,
  instruments,
  imports,
  ingest,
  economic,
  news,
  supply,
  events,
  jobs,
  validate,
  analytics,
  quarantine,
  exportCommand,
  config,
  audit,
  token,
  backtest,
  trade,
  risk,
  alerts,
  scenarios,
  models,
  quote,
  askCommand,
  mcp,
  reportCommand,
  serveCommand,
  stream,
];
