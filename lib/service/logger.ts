import winston from 'winston';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/**
 * The service's logger: JSON lines where no person is watching (a container's stdout), short readable
 * lines on a terminal.
 */
export function createLogger(level: LogLevel, stream: NodeJS.WritableStream = process.stdout, readable = (stream as NodeJS.WriteStream).isTTY === true): winston.Logger {
  const format = readable
    ? winston.format.combine(
        winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
        winston.format.printf(({ timestamp, level: lvl, message, ...rest }) => {
          const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
          return `${String(timestamp)} ${lvl.padEnd(5)} ${String(message)}${extra}`;
        }),
      )
    : winston.format.combine(winston.format.timestamp(), winston.format.json());
  return winston.createLogger({ level, format, transports: [new winston.transports.Stream({ stream })] });
}
