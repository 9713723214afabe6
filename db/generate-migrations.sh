#!/usr/bin/env bash
# Regenerates drizzle-kit migrations after a table definition changes: the hub's own sets (one per
# feature: db/<feature>/schema.ts into db/<feature>/migrations) and each department's.
# drizzle-kit only adds a new numbered migration when something changed.
set -euo pipefail
# No options: anything given (a misspelt flag) is refused like the other tools' mistakes, before any work.
usage='usage: npm run db:generate   (takes no arguments)'
if [ $# -eq 1 ] && [[ $1 == -h || $1 == --help ]]; then echo "$usage"; exit 0; fi
# The codes of the shared parser's refusals (tools/command-args.ts usageErrorLine): an option, or a stray word.
if [ $# -gt 0 ]; then
  code=UNEXPECTED_ARGUMENT; [[ $1 == -* ]] && code=UNKNOWN_OPTION
  printf 'error: %s: no arguments are taken, got: %s\n%s\n' "$code" "$*" "$usage" >&2; exit 2
fi
cd "$(dirname "$0")/.."
gen() { npx drizzle-kit generate --dialect mysql --schema "$1" --out "$2"; }
for f in db/*/schema.ts; do
  gen "$f" "$(dirname "$f")/migrations"
done
for dir in federation/*/; do
  [ -f "$dir/tables.ts" ] && gen "$dir/tables.ts" "$dir/migrations"
done
# TiDB orders auto-increment ids only with AUTO_ID_CACHE 1 (db/tidb.ts); drizzle-kit does not write it.
npx tsx db/tidb.ts --fix db/*/migrations/*.sql federation/*/migrations/*.sql
