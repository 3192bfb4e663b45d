#!/usr/bin/env bash
# Goal 5 (issue 20): the job database's time for one jobs_internal.claim_targets call, this worktree's migrations
# against those of a base commit, alternating, on a throw-away PostgreSQL (the agent's embedded version, 14, when
# found). Each call claims up to 100 targets in a transaction that is rolled back, after a VACUUM, so every round
# sees the same rows. See "Goal 5" in BENCHMARKS.md.
#
#   bench/sql/claim_cost.sh [base-ref] [rounds] [targets...]     # defaults: HEAD~1 5 3000 10000
#   PLANS=1 bench/sql/claim_cost.sh ...                          # also print each statement's plan once (auto_explain)
#   MAXPAR=100 bench/sql/claim_cost.sh ...                       # the step with maxParallelism 100 per server
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
base=${1:-HEAD~1}
rounds=${2:-5}
shift $(( $# < 2 ? $# : 2 ))
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(3000 10000); fi
running=800
migrations=server/src/main/resources/db/migration

# The agent's embedded PostgreSQL (io.zonky.test unpacks it there), else the system's.
embedded=$(ls -d /tmp/embedded-pg/PG-*/bin/postgres ~/.embedpostgresql/*/bin/postgres 2>/dev/null | head -1 || true)
pgbin=${PGBIN:-$(dirname "${embedded:-/nonexistent/postgres}")}
[ -x "$pgbin/postgres" ] || pgbin=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
work=$(mktemp -d)
# PostgreSQL refuses to run as root.
server() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi }
[ "$(id -u)" = 0 ] && chown postgres "$work"
trap 'server "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
server "$pgbin/initdb" -D "$work/data" -U postgres -A trust >/dev/null
server "$pgbin/pg_ctl" -D "$work/data" -l "$work/log" -w \
  -o "-k $work -c listen_addresses= -c shared_buffers=128MB" start >/dev/null
export PGHOST=$work PGUSER=postgres
changes=$(git diff --quiet HEAD -- "$migrations" || echo ' + changes')
echo "$("$pgbin/postgres" --version); base $(git rev-parse --short "$base"), worktree $(git rev-parse --short HEAD)$changes"

# Flyway's order: versioned files by version, then repeatable ones by name, each in its own transaction.
migrate() { # database, directory of migrations
  psql -XqAt -v ON_ERROR_STOP=1 -d "$1" -c 'CREATE SCHEMA jobs_internal' >/dev/null
  for f in $(ls "$2"/V*.sql | sort -t_ -k1,1V) $(ls "$2"/R__*.sql | sort); do
    PGOPTIONS='-c search_path=jobs_internal -c client_min_messages=warning' \
      psql -XqAt -v ON_ERROR_STOP=1 -1 -d "$1" -f "$f" >/dev/null
  done
}
mkdir -p "$work/base"
git archive "$base" "$migrations" | tar -x -C "$work/base"

# Room for 100 beside the running ones; at most 100 in this call; a 60 s lease; ready by the database's clock.
claim="SELECT count(*) FROM jobs_internal.claim_targets('bench-agent', $((running + 100)), $((running + 100)), 100, 60,
                                                      now())"
time_one() { # database: prints "ms claimed buffers" of one call
  # As on the agent's pooled connection: the routine's plans cached by earlier calls (plpgsql picks its generic or
  # custom plans after five), then a VACUUM to clear what the rolled-back claims left.
  psql -XqAt -d "$1" <<SQL | awk -F'[ |=]+' '/Execution Time/ { ms = $3 } /Buffers: shared hit/ && !b { b = $5 }
                                             /^claimed/ { n = $2 } END { print ms, n, b }'
$(for i in 1 2 3 4 5 6; do echo "BEGIN; $claim; ROLLBACK;"; done)
VACUUM jobs_internal.target_executions;
BEGIN;
EXPLAIN (ANALYZE, BUFFERS) $claim;
SELECT 'claimed', count(*) FROM jobs_internal.target_executions WHERE lease_owner = 'bench-agent';
ROLLBACK;
SQL
}
plans() { # database
  psql -XqAt -d "$1" <<SQL 2>&1 | sed 's/^NOTICE:  //'
LOAD 'auto_explain';
SET auto_explain.log_min_duration = -1; SET auto_explain.log_analyze = on; SET auto_explain.log_buffers = on;
SET auto_explain.log_nested_statements = on; SET auto_explain.log_level = notice; SET client_min_messages = notice;
$(for i in 1 2 3 4 5 6; do echo "BEGIN; $claim; ROLLBACK;"; done)
VACUUM jobs_internal.target_executions;
SET auto_explain.log_min_duration = 0;
BEGIN; $claim; ROLLBACK;
SQL
}

for n in "${sizes[@]}"; do
  for v in base head; do
    psql -XqAt -c "CREATE DATABASE $v$n" >/dev/null
    if [ $v = base ]; then migrate "$v$n" "$work/base/$migrations"; else migrate "$v$n" "$migrations"; fi
    psql -XqAt -v ON_ERROR_STOP=1 -v targets="$n" -v running=$running -v maxpar="${MAXPAR:-NULL}" -d "$v$n" \
      -f bench/sql/claim_cost_seed.sql >/dev/null
  done
  if [ -n "${PLANS:-}" ]; then
    for v in base head; do echo "== plans, $v, $n targets"; plans "$v$n"; done
  fi
  echo
  echo "$n Created targets, $running InProgress, 3 finished executions of history, maxParallelism ${MAXPAR:-none};"
  echo "claim_targets(..., max 100), load average $(cut -d' ' -f1-3 /proc/loadavg):"
  echo -n "| round | base ms / call | base ms / target | base buffers / call "
  echo "| worktree ms / call | worktree ms / target | worktree buffers / call |"
  echo "|---|---|---|---|---|---|---|"
  for r in $(seq 1 "$rounds"); do
    read -r bms bn bb < <(time_one "base$n")
    read -r hms hn hb < <(time_one "head$n")
    echo "$bms $bn $bb $hms $hn $hb" >> "$work/rounds$n"
    awk -v r="$r" '{ printf "| %s | %.1f | %.3f | %d | %.1f | %.3f | %d |\n", r, $1, $1 / $2, $3, $4, $4 / $5, $6 }' \
      <(tail -1 "$work/rounds$n")
  done
  median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
  bm=$(cut -d' ' -f1 "$work/rounds$n" | median); hm=$(cut -d' ' -f4 "$work/rounds$n" | median)
  bbm=$(cut -d' ' -f3 "$work/rounds$n" | median); hbm=$(cut -d' ' -f6 "$work/rounds$n" | median)
  awk -v bm="$bm" -v hm="$hm" -v bn="$bn" -v hn="$hn" -v bb="$bbm" -v hb="$hbm" 'BEGIN {
    printf "| **median** | %.1f | %.3f | %d | %.1f | %.3f | %d |\n", bm, bm / bn, bb, hm, hm / hn, hb }'
done
