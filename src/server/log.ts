// The server's log lines: pino, one JSON object a line for machines, or lines a person can read
// when standard output is a terminal (or NIOTEBOOK_LOG_FORMAT says so). pino-pretty runs in this
// process as a plain stream: a worker-thread transport would not survive bundling the server
// into one executable.
import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { PinoPretty } from "pino-pretty";
import type { Config } from "./config.js";

/** pretty or json, with auto decided by whether standard output is a terminal. */
export function resolveLogFormat(format: Config["logFormat"], isTerminal = process.stdout.isTTY === true): "json" | "pretty" {
  return format === "auto" ? (isTerminal ? "pretty" : "json") : format;
}

let shared: { format: "json" | "pretty"; stream: DestinationStream } | undefined;

/** The one stream every logger of this process writes to (Fastify's and ours), so lines never interleave mid-line. */
export function logDestination(format: "json" | "pretty"): DestinationStream {
  if (shared?.format !== format) {
    shared = {
      format,
      stream: format === "pretty"
        ? PinoPretty({ colorize: process.stdout.isTTY === true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname", sync: true })
        : pino.destination({ dest: 1, sync: true }),
    };
  }
  return shared.stream;
}

/** Options for Fastify's own logger: the level and the shared stream. */
export function fastifyLoggerOptions(config: Pick<Config, "logLevel" | "logFormat">): LoggerOptions & { stream: DestinationStream } {
  return { level: config.logLevel, stream: logDestination(resolveLogFormat(config.logFormat)) };
}

/** A logger for what happens outside a request (start-up, the worker primary, Redis outages). */
export function createLogger(config: Pick<Config, "logLevel" | "logFormat">, stream?: DestinationStream): Logger {
  return pino({ level: config.logLevel }, stream ?? logDestination(resolveLogFormat(config.logFormat)));
}
