#!/usr/bin/env bash
# The container test: docker/Dockerfile built with podman, docker/compose.yaml run with podman-compose, for real.
#  - The image runs the agent as a non-root user, and its HEALTHCHECK passes once the agent is ready.
#  - Two agents (compose's dashboard and agent services) share the compose file's job database; a job over 24
#    real target databases, on a PostgreSQL server of its own, ends Succeeded.
#  - Run again, the agent container that is running some of its targets is stopped mid-run: the run still ends
#    Succeeded, every target recorded once, and the registry shows that agent stopped.
#  - With FLEETJOBS_LOG_FORMAT=json every line the agents write is a JSON object.
# These machines reach no registry, so base-images.sh builds stand-ins for eclipse-temurin:17-jre and postgres from
# Debian's packages, kept between runs. Everything else the test makes (containers, volumes, network, the agent's
# image, a temporary directory) is removed at the end, passed or failed. It fails, never skips, when podman cannot
# run. Usage (as root, after mvn package): docker/test/compose-test.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
started=$SECONDS

say() {
  echo "compose-test [$((SECONDS - started))s]: $*"
}
fail() {
  echo "compose-test: FAILED: $*" >&2
  exit 1
}

for tool in podman podman-compose debootstrap curl python3; do
  command -v "$tool" >/dev/null || fail "$tool is missing; .ci/run installs it (README, Tests)"
done
podman info >/dev/null 2>&1 || fail "podman cannot run here: $(podman info 2>&1 | tail -3)"
jar="$root/server/target/fleetjobs.jar"
[ -f "$jar" ] || fail "$jar is missing; build it first: mvn -q -DskipTests package"

"$root/docker/test/base-images.sh"

project="fjct$$"
image="localhost/fleetjobs:compose-test-$$"
work="$(mktemp -d)"
compose() {
  (cd "$work" && podman-compose -p "$project" -f compose.yaml -f compose.test.yaml "$@")
}
cleanup() {
  code=$?
  if [ "$code" -ne 0 ]; then
    for service in dashboard agent jobdb; do
      echo "--- last lines of ${project}_${service}_1:" >&2
      podman logs --tail 40 "${project}_${service}_1" >&2 2>&1 || true
    done
  fi
  # -v: the anonymous volumes of the images' VOLUMEs go with their containers; compose down -v takes the named ones.
  podman ps -a --filter "label=io.podman.compose.project=$project" -q | xargs -r podman rm -f -v >/dev/null 2>&1 \
    || true
  compose down -v >/dev/null 2>&1 || true
  podman volume ls --filter "label=io.podman.compose.project=$project" -q | xargs -r podman volume rm -f \
    >/dev/null 2>&1 || true
  podman network rm -f "${project}_default" >/dev/null 2>&1 || true
  podman rmi -f "$image" >/dev/null 2>&1 || true
  rm -rf "$work"
  say "cleaned up"
  exit "$code"
}
trap cleanup EXIT

say "building the agent's image"
podman build --quiet --format docker --build-arg BASE_IMAGE=localhost/fleetjobs-test-jre:17 -t "$image" \
  -f "$root/docker/Dockerfile" "$root" >/dev/null

# The compose files run from a directory of their own, so no .env of a developer's (which podman-compose prefers
# to the environment) changes what the test runs.
cp "$root/docker/compose.yaml" "$root/docker/test/compose.test.yaml" "$work/"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token="fjt_compose_test_$(head -c 18 /dev/urandom | base64 | tr -d '+/=')"
export FLEETJOBS_IMAGE="$image" POSTGRES_IMAGE=localhost/fleetjobs-test-postgres:15 FLEETJOBS_PORT="$port"
export POSTGRES_PASSWORD="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
export TARGETS_PASSWORD="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
export FLEETJOBS_MASTER_KEY="$(head -c 32 /dev/urandom | base64)"
export FLEETJOBS_BOOTSTRAP_ADMIN_TOKEN="$token" FLEETJOBS_LOG_FORMAT=json

say "starting the job database and the target server"
compose up -d jobdb targets >>"$work/compose.log" 2>&1 || fail "podman-compose up: $(tail -20 "$work/compose.log")"
await() { # description, seconds, command...
  local what="$1" patience="$2"
  shift 2
  local deadline=$((SECONDS + patience))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$what did not happen within ${patience}s"
    sleep 2
  done
}
await "the job database accepting connections" 120 podman exec "${project}_jobdb_1" pg_isready -U fleetjobs -d fleetjobs
await "the target server accepting connections" 120 podman exec "${project}_targets_1" pg_isready -U postgres
# Services find each other by name only where podman's network has DNS (CNI's dnsname plugin, or netavark's
# aardvark-dns); say so at once rather than through agents that never start.
await "the name jobdb to resolve inside the compose network (podman network DNS: see README, Tests)" 30 \
  podman exec "${project}_targets_1" getent hosts jobdb
say "starting two agents"
compose up -d >>"$work/compose.log" 2>&1 || fail "podman-compose up: $(tail -20 "$work/compose.log")"
base="http://127.0.0.1:$port"
api() { # method path [json]
  curl -sS -f -m 20 -X "$1" "$base/api/v1$2" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    ${3:+-d "$3"}
}
json() { # python expression over the document j read from stdin
  python3 -c "import json, sys; j = json.load(sys.stdin); print($1)"
}
await "the dashboard's agent to be ready on port $port" 300 curl -sf -m 5 "$base/health/ready"
# The first admin token is made last in an agent's start, just after the port opens.
two_live_agents() {
  [ "$(api GET /agents | json "sum(1 for a in j['value'] if a['state'] == 'Live')")" = 2 ]
}
await "two live agents in the registry" 300 two_live_agents

for service in dashboard agent; do
  container="${project}_${service}_1"
  uid="$(podman exec "$container" id -u)"
  [ "$uid" != 0 ] || fail "$container runs as root"
  user="$(podman top "$container" user | awk 'NR == 2 {print $1}')"
  [ "$user" != root ] && [ "$user" != 0 ] || fail "the agent's process in $container runs as root"
done
say "both agents run as uid $uid, not root"
podman healthcheck run "${project}_dashboard_1" >/dev/null 2>&1 || fail "the image's HEALTHCHECK fails on a ready agent"
say "the image's HEALTHCHECK passes"

databases=24
targets="${project}_targets_1"
for i in $(seq -w 1 "$databases"); do
  echo "CREATE DATABASE ct_$i;"
done | podman exec -i "$targets" psql -q -v ON_ERROR_STOP=1 -U postgres -d postgres >/dev/null
members="$(for i in $(seq -w 1 "$databases"); do
  printf '{"type": "SqlDatabase", "serverName": "targets:5432", "databaseName": "ct_%s"},' "$i"
done)"
api PUT /credentials/ct "{\"username\": \"postgres\", \"password\": \"$TARGETS_PASSWORD\"}" >/dev/null
api PUT /targetGroups/ct "{\"members\": [${members%,}]}" >/dev/null
api PUT /jobs/ct '{"description": "compose test"}' >/dev/null
api PUT /jobs/ct/steps/sleep '{"targetGroup": "ct", "credential": "ct", "action": {"value": "SELECT pg_sleep(3);"}}' \
  >/dev/null

run_job() {
  api POST /jobs/ct/start | json "j['jobExecutionId']"
}
lifecycle() {
  api GET "/jobs/ct/executions/$1" | json "j['lifecycle']"
}
await_end() {
  local id="$1" deadline=$((SECONDS + 240)) state
  while :; do
    state="$(lifecycle "$id")"
    case "$state" in
      Created | InProgress | WaitingForRetry | WaitingForChildJobExecutions) ;;
      *) echo "$state"; return ;;
    esac
    [ "$SECONDS" -lt "$deadline" ] || fail "execution $id still $state after 240s"
    sleep 2
  done
}
# Every database once, each Succeeded.
check_targets() {
  api GET "/jobs/ct/executions/$1/targets?\$top=1000" | json "sorted((t['target']['databaseName'], \
    t['lifecycle']) for t in j['value']) == [('ct_%02d' % i, 'Succeeded') for i in range(1, $databases + 1)] or j"
}
expect_succeeded() { # run-name execution-id
  local ended
  ended="$(await_end "$2")"
  [ "$ended" = Succeeded ] || fail "$1 ended $ended: $(api GET "/jobs/ct/executions/$2/targets")"
  [ "$(check_targets "$2")" = True ] || fail "$1's targets: $(check_targets "$2")"
}
agents_that_ran() {
  podman exec "${project}_jobdb_1" psql -At -U fleetjobs -d fleetjobs -c "SELECT count(DISTINCT a.agent)
    FROM jobs_internal.target_attempts a JOIN jobs_internal.target_executions t USING (target_execution_id)
   WHERE t.job_execution_id = '$1'"
}

say "run 1: $databases targets, two agents"
first="$(run_job)"
expect_succeeded "run 1" "$first"
[ "$(agents_that_ran "$first")" = 2 ] || fail "run 1 ran on $(agents_that_ran "$first") agents, not both"
say "run 1 ended Succeeded, every target once, both agents ran some"

say "run 2: stopping the agent container while it runs some of the targets"
stopped="${project}_agent_1"
host="$(podman inspect -f '{{.Config.Hostname}}' "$stopped")"
second="$(run_job)"
in_flight() {
  api GET /agents \
    | json "sum(a['targetsInFlight'] or 0 for a in j['value'] if a['host'] == '$host' and a['state'] == 'Live')"
}
stopped_agent_runs_targets() {
  [ "$(in_flight)" -gt 0 ]
}
await "the agent in $stopped to run some targets" 60 stopped_agent_runs_targets
podman stop -t 30 "$stopped" >/dev/null 2>&1
say "stopped $stopped mid-run"
expect_succeeded "run 2" "$second"
state="$(api GET /agents | json "[a['state'] for a in j['value'] if a['host'] == '$host']")"
[ "$state" = "['Stopped']" ] || fail "the registry shows the stopped agent as $state"
say "run 2 ended Succeeded, every target once; the registry shows the stopped agent Stopped"

for service in dashboard agent; do
  podman logs "${project}_${service}_1" 2>/dev/null | python3 -c '
import json, sys
lines = [line for line in sys.stdin if line.strip()]
for line in lines:
    event = json.loads(line)
    missing = {"time", "level", "logger", "message"} - event.keys()
    assert not missing, "a log line without %s: %s" % (missing, line)
assert lines, "no log lines"
' || fail "the agents' stdout is not one JSON object per line (FLEETJOBS_LOG_FORMAT=json)"
done
say "every log line is a JSON object"
say "passed"
