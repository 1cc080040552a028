// The small part of autocannon's programmatic API the benchmark uses (autocannon ships no
// types; this avoids a @types package for five members).

export interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface AutocannonOptions {
  url: string;
  connections: number;
  /** seconds */
  duration: number;
  /** seconds */
  timeout?: number;
  requests?: Array<{ setupRequest?: (req: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest }>;
}

export interface AutocannonInstance {
  on(event: "response", listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
  on(event: "reqError", listener: (error: unknown) => void): void;
  on(event: "done", listener: (result: unknown) => void): void;
  stop(): void;
}

export type AutocannonModule = (options: AutocannonOptions) => AutocannonInstance;
