// The client's requests on node:http (node:https for https: servers) instead of Node's fetch.
// fetch is undici, compiled and set up on its first call: 40-100 ms of one thread before the
// first answer, on the path to the TUI's painted timeline and to every `niotebook whoami`
// (docs/startup.md). This does the little ApiClient asks of fetch: a method, headers, a text
// body, a timeout or abort signal; the answer's status, headers, text or body as a stream.
// A redirect is handed to fetch, which follows it as it always did.
import type { ClientRequest, IncomingMessage, RequestOptions } from "node:http";

export interface HttpInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** What ApiClient reads of an answer: a subset of fetch's Response, which fits it too. */
export interface HttpResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  readonly body: { getReader(): BodyReader } | null;
}

export interface BodyReader {
  read(): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }>;
  releaseLock(): void;
}

export type HttpFetch = (url: string, init: HttpInit) => Promise<HttpResponse>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A request as fetch would make it for ApiClient, on node:http. */
export const httpFetch: HttpFetch = (url, init) => {
  const target = new URL(url);
  // Taken when asked for, so https (and TLS) is loaded only for an https: server.
  const transport = target.protocol === "https:" ? process.getBuiltinModule("node:https") : process.getBuiltinModule("node:http");
  return new Promise<HttpResponse>((resolve, reject) => {
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) headers["content-length"] = Buffer.byteLength(init.body);
    const options: RequestOptions = { method: init.method ?? "GET", headers, ...(init.signal ? { signal: init.signal } : {}) };
    let request: ClientRequest;
    try {
      request = transport.request(target, options, (response) => {
        if (REDIRECTS.has(response.statusCode ?? 0)) {
          response.resume();
          resolve(globalThis.fetch(url, init));
          return;
        }
        resolve(answerOf(response, init.signal));
      });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    // Listening for good: an error after the answer came (an abort, a reset) is its reader's.
    request.on("error", (error) => reject(abortedAs(init.signal) ?? error));
    request.end(init.body);
  });
};

function answerOf(response: IncomingMessage, signal: AbortSignal | undefined): HttpResponse {
  const status = response.statusCode ?? 0;
  let used = false;
  const take = (): void => {
    if (used) throw new TypeError("Body is unusable: Body has already been read");
    used = true;
  };
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: {
      get(name) {
        const value = response.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
    },
    async text() {
      take();
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of response) chunks.push(chunk as Buffer);
      } catch (error) {
        throw abortedAs(signal) ?? error;
      }
      if (!response.complete) throw abortedAs(signal) ?? new TypeError("terminated");
      return new TextDecoder().decode(Buffer.concat(chunks));
    },
    get body() {
      return {
        getReader(): BodyReader {
          take();
          const chunks = response[Symbol.asyncIterator]();
          return {
            async read() {
              let next: IteratorResult<unknown>;
              try {
                next = await chunks.next();
              } catch (error) {
                throw abortedAs(signal) ?? error;
              }
              // An abort ends the reading with an error, as fetch's does, not as a finished body.
              if (next.done) {
                const aborted = abortedAs(signal) ?? (response.complete ? null : new TypeError("terminated"));
                if (aborted) throw aborted;
                return { done: true };
              }
              return { done: false, value: next.value as Uint8Array };
            },
            releaseLock() {},
          };
        },
      };
    },
  };
}

/** The error fetch gives when its signal ended the request: the signal's reason. */
function abortedAs(signal: AbortSignal | undefined): Error | null {
  if (!signal?.aborted) return null;
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : Object.assign(new Error("This operation was aborted"), { name: "AbortError" });
}
