/**
 * `--help --json`: the command tree as data (names, arguments, options, descriptions), for scripts and
 * completion generators. Built from the registered commander commands, so it never drifts from the text help.
 */
import type { Argument, Command, Option } from 'commander';

interface ArgumentJson {
  name: string;
  description: string;
  required: boolean;
  variadic: boolean;
  default?: unknown;
  choices?: string[];
}

interface OptionJson {
  /** As written in the help, e.g. `--window <days>`. */
  flags: string;
  /** The key in the parsed options, e.g. `window`, `asOf`. */
  name: string;
  description: string;
  /** Takes a value (`<v>` required, `[v]` optional). */
  takes_value: boolean;
  /** Must be given. */
  mandatory: boolean;
  default?: unknown;
  choices?: string[];
  env?: string;
}

export interface CommandJson {
  name: string;
  usage: string;
  description: string;
  aliases: string[];
  arguments: ArgumentJson[];
  options: OptionJson[];
  commands: CommandJson[];
}

function argumentJson(a: Argument): ArgumentJson {
  return {
    name: a.name(),
    description: a.description,
    required: a.required,
    variadic: a.variadic,
    ...(a.defaultValue === undefined ? {} : { default: a.defaultValue }),
    ...(a.argChoices ? { choices: a.argChoices } : {}),
  };
}

function optionJson(o: Option): OptionJson {
  return {
    flags: o.flags,
    name: o.attributeName(),
    description: o.description,
    takes_value: o.required || o.optional,
    mandatory: o.mandatory,
    ...(o.defaultValue === undefined || o.negate ? {} : { default: o.defaultValue }),
    ...(o.argChoices ? { choices: o.argChoices } : {}),
    ...(o.envVar ? { env: o.envVar } : {}),
  };
}

/** `cmd` and every command below it; hidden options are left out as in the text help. */
export function commandJson(cmd: Command): CommandJson {
  return {
    name: cmd.name(),
    usage: cmd.usage(),
    description: cmd.description(),
    aliases: cmd.aliases(),
    arguments: cmd.registeredArguments.map(argumentJson),
    options: cmd.options.filter((o) => !o.hidden).map(optionJson),
    commands: cmd.commands.map(commandJson),
  };
}
