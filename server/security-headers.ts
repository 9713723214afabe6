/**
 * Security headers on every route (helmet), with a Content-Security-Policy that allows exactly
 * what the hub serves: the query page's one inline script and style (by hash) and its requests to
 * this origin; nothing from anywhere else. The meeting brief sets a stricter policy of its own
 * (no script at all; server/case-pages.ts). JSON answers are not rendered, so the policy costs
 * them nothing.
 *
 * `upgrade-insecure-requests` is left out: hubs on a government intranet are often served over
 * plain HTTP behind the network's own protection, and the directive would make the query page's
 * requests fail there. HSTS is sent (helmet's default); browsers ignore it over plain HTTP.
 */
import type express from 'express';
import helmet from 'helmet';
import { QUERY_PAGE_CSP_HASHES } from './query-page';

export function securityHeaders(): express.RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: [QUERY_PAGE_CSP_HASHES.script],
        styleSrc: [QUERY_PAGE_CSP_HASHES.style],
        connectSrc: ["'self'"],
        imgSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    // The hub is an API and two pages: nothing may frame it, and it links nowhere.
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
