/**
 * Requests Node's HTTP parser refuses before Express sees them (a header block over the limit, a
 * malformed Content-Length or request line) get the same error contract as every route: a status,
 * and a JSON body `{ errors: [{ message, extensions: { code, reason } }] }`. Node's default answer
 * is an empty 400 or 431.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

const REASONS: Record<string, { status: number; reason: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'HEADERS_TOO_LARGE', message: 'The request headers are larger than the hub accepts' },
  HPE_INVALID_CONTENT_LENGTH: { status: 400, reason: 'MALFORMED_CONTENT_LENGTH', message: 'The Content-Length header is not a valid length' },
  HPE_UNEXPECTED_CONTENT_LENGTH: { status: 400, reason: 'MALFORMED_CONTENT_LENGTH', message: 'Content-Length and Transfer-Encoding may not both be sent' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'REQUEST_TIMEOUT', message: 'The request took too long to arrive' },
};

const FALLBACK = { status: 400, reason: 'MALFORMED_REQUEST', message: 'The request is not valid HTTP' };

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** The bytes of the answer to a request the parser refused. */
export function clientErrorResponse(code: string | undefined): Buffer {
  const { status, reason, message } = (code && REASONS[code]) || FALLBACK;
  const body = JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST', reason } }] });
  return Buffer.from(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function answerClientErrors(server: http.Server, logger: Logger): void {
  server.on('clientError', (err: ParserError, socket: Duplex) => {
    // A connection the peer already dropped has no one to answer; nothing but the code is logged
    // (the raw packet would carry whatever the caller sent), and at debug: any caller can cause it.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    logger.debug({ code: err.code }, 'malformed request refused by the HTTP parser');
    socket.end(clientErrorResponse(err.code));
  });
}
