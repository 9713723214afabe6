/**
 * A hub id as the hub gives it: a positive whole number, no leading zero, at most 15 digits, so
 * every one is a safe integer (Number.MAX_SAFE_INTEGER has 16). The one pattern of every place that
 * takes a hub table's id as text: an argument (access/errors.ts requireHubId), a path, a cursor, a
 * key read back from a store (a ledger row's need_id, an alert delivery's alert id).
 */
export const HUB_ID = /^[1-9]\d{0,14}$/;

/** HUB_ID unanchored, to compose into a longer pattern (a route's path, a cursor). */
export const HUB_ID_DIGITS = HUB_ID.source.slice(1, -1);
