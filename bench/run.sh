#!/usr/bin/env bash
# centrala benchmarks, one command:   bash bench/run.sh [--http-only | --sqlite-only | --bot-only | --chat-only]
#
# 1. builds build-bench/ (Release, -DCENTRALA_BENCH=ON),
# 2. HTTP: the same wrk load against the bare Beast baseline (GET /healthz) and
#    centrala (GET /healthz, authenticated GET /api/v1/me), with centrala's
#    log_level at "warn" and again at "info"; prints req/s, p50, p99 and the
#    ratios centrala/bare; then the virtual advisor: POST /api/v1/bot/ask with
#    the full knowledge base, phrasings of tests/data/bot_eval.json in turn
#    (--bot-only: the bare baseline and this alone),
# 3. SQLite: bench_sqlite (durable single-row commits, FULL vs NORMAL) and
#    bench_appointments (month slot listing and booking rate, 100,000 bookings).
# 4. chat under load: bench/chat_load.sh (its own knobs are described there).
#
# Everything talks to 127.0.0.1 only. Figures are printed, never asserted:
# this is not a CI test. See docs/benchmarks.md.
#
# Knobs (environment): DURATION=10s WARMUP=2s CONNECTIONS=50 THREADS=1 ROUNDS=3
#   QUIET_WAIT=60 (seconds to wait, before each wrk run, for other processes
#   to stop using the CPU; 0 = do not wait)
#   SQLITE_MIN_TIME=1 SQLITE_REPETITIONS=3 (seconds per SQLite benchmark and
#   repetition; repetitions run interleaved in random order, medians reported)
#   CENTRALA_BENCH_DIR=DIR (where the SQLite files go; default: the temp dir)
#   BUILD_DIR=DIR (default: build-bench next to this script's parent)
#   PRIORITY="chrt -f 50" (a command prefix for the servers and wrk: on a
#   machine busy with other work, real-time scheduling keeps compilers from
#   pre-empting them, so a light load (CONNECTIONS=1) shows the servers' own
#   latency tail. Needs root. Never with a load that saturates both cores:
#   the kernel then throttles real-time tasks for 50 ms a second.)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-bench}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-1}
SQLITE_MIN_TIME=${SQLITE_MIN_TIME:-1}
SQLITE_REPETITIONS=${SQLITE_REPETITIONS:-3}
ROUNDS=${ROUNDS:-3}
QUIET_WAIT=${QUIET_WAIT:-60}
BENCH_NAME=bench/run.sh
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

do_http=1
do_sqlite=1
do_bot=1
do_chat=1
case "${1:-}" in
  "") ;;
  --http-only) do_sqlite=0; do_chat=0 ;;
  --sqlite-only) do_http=0; do_bot=0; do_chat=0 ;;
  --bot-only) do_sqlite=0; do_chat=0 ;;
  --chat-only) exec bash "$(dirname "${BASH_SOURCE[0]}")/chat_load.sh" ;;
  *) echo "usage: bash bench/run.sh [--http-only | --sqlite-only | --bot-only | --chat-only]" >&2; exit 2 ;;
esac
bot_only=0
[[ ${1:-} == --bot-only ]] && bot_only=1


# ---- tools ------------------------------------------------------------------
if (( do_http )); then
  command -v curl >/dev/null || die "curl is needed (apt-get install -y curl)"
  need_tool wrk wrk
fi

# ---- build --------------------------------------------------------------------
say "building $BUILD (Release)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCENTRALA_BENCH=ON -DCENTRALA_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j2 --target centrala bare_beast_server bench_sqlite bench_appointments

# ---- scratch space and cleanup ------------------------------------------------
bench_scratch centrala-bench


# wrk's "785.00us" / "1.20ms" / "1.02s" in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
    printf "%.3f", n }'
}

HZ=$(getconf CLK_TCK)
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }                   # user+system, all threads
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
# user+system of this shell's finished children (wrk): `times` has to run in
# this shell itself, so snap_children writes it to a file outside of $(...).
snap_children() { times >"$TMP/times"; }
child_ticks() {
  awk -v hz="$HZ" 'NR == 2 {
    t = 0
    for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
    printf "%.0f", t * hz }' "$TMP/times"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Waits (up to QUIET_WAIT seconds) until other processes use under a quarter
# of a core, so that a compiler running next door does not end up in the figures.
wait_quiet() {
  local waited=0 b0 b1
  (( QUIET_WAIT > 0 )) || return 0
  while (( waited < QUIET_WAIT )); do
    b0=$(busy_ticks); sleep 1; b1=$(busy_ticks)
    (( (b1 - b0) * 4 < HZ )) && return 0
    (( waited == 0 )) && printf '  (waiting up to %ss for the machine to go quiet)\n' "$QUIET_WAIT"
    waited=$((waited + 1))
  done
  echo "  (still busy after ${QUIET_WAIT}s; measuring anyway; see 'other load')"
}

# One wrk run against a URL (after a warm-up): appends req/s, p50, p99, the
# server's CPU per request, wrk's CPU per request and what other processes
# used meanwhile (in cores) to the lists under the key $1.
# CURL_EXTRA / WRK_EXTRA: arguments for the check request / for wrk alone
# (a POST body; a wrk Lua script).
declare -A M NON2XX
CURL_EXTRA=()
WRK_EXTRA=()
measure() {
  local key=$1 pid=$2 url=$3
  shift 3
  local hdr=("$@") code out="$TMP/wrk-$key.txt"
  code=$(curl -s -o /dev/null -w '%{http_code}' "${hdr[@]}" "${CURL_EXTRA[@]}" "$url")
  [[ $code == 200 ]] || die "$key: $url answered $code, not 200 (before the load)"
  wait_quiet
  "${PRIO[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${hdr[@]}" "${WRK_EXTRA[@]}" "$url" >/dev/null
  local s0 c0 b0 s1 c1 b1 t0 t1
  snap_children; c0=$(child_ticks); s0=$(proc_ticks "$pid"); b0=$(busy_ticks); t0=$(date +%s.%N)
  "${PRIO[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${hdr[@]}" "${WRK_EXTRA[@]}" "$url" >"$out"
  snap_children; c1=$(child_ticks); s1=$(proc_ticks "$pid"); b1=$(busy_ticks); t1=$(date +%s.%N)
  local rps n p50 p99 srv cli other
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  n=$(awk '/ requests in / { print $1 }' "$out")
  [[ -n $rps && -n $n && $n -gt 0 ]] || { cat "$out" >&2; die "$key: cannot parse wrk's output"; }
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  srv=$(awk -v d=$((s1 - s0)) -v n="$n" -v hz="$HZ" 'BEGIN { printf "%.1f", d / hz * 1e6 / n }')
  cli=$(awk -v d=$((c1 - c0)) -v n="$n" -v hz="$HZ" 'BEGIN { printf "%.1f", d / hz * 1e6 / n }')
  other=$(awk -v d=$((b1 - b0 - (s1 - s0) - (c1 - c0))) -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
    -v hz="$HZ" 'BEGIN { v = d / hz / t; printf "%.2f", v < 0 ? 0 : v }')
  # Runs during which other processes used over a quarter of a core are kept
  # apart: the summary uses the undisturbed ones whenever there are any.
  local bucket=all
  awk -v o="$other" 'BEGIN { exit !(o <= 0.25) }' && bucket=clean
  local k v
  for k in rps p50 p99 srv cli other; do
    v=${!k}
    M[$key,$bucket,$k]+=" $v"
  done
  M[$key,runs]+=" $bucket"
  local bad
  bad=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
  [[ -z $bad ]] || NON2XX[$key]=$bad
  printf '  %-22s %8s req/s  p50 %7s ms  p99 %7s ms  server %5s us/req  wrk %5s us/req  other load %4s cores%s\n' \
    "$key" "$rps" "$p50" "$p99" "$srv" "$cli" "$other" "${bad:+  (non-2xx: $bad!)}"
}
# Median of metric $2 for key $1 over the undisturbed runs, or over all runs
# if every run was disturbed.
med() {
  if [[ -n ${M[$1,clean,$2]:-} ]]; then
    printf '%s' "${M[$1,clean,$2]}" | median
  else
    printf '%s' "${M[$1,all,$2]:-}" | median
  fi
}
clean_runs() { printf '%s' "${M[$1,runs]}" | tr ' ' '\n' | grep -c '^clean$' || true; }

# A copy of config/centrala.json with the given log level, the database in
# $TMP and the web root of this checkout.
make_config() {
  local level=$1 out="$TMP/centrala-$1.json"
  sed -e "s#\"log_level\": *\"[a-z]*\"#\"log_level\": \"$level\"#" \
      -e "s#\"database\": *\"[^\"]*\"#\"database\": \"$TMP/c.db\"#" \
      -e "s#\"web_root\": *\"[^\"]*\"#\"web_root\": \"$ROOT/web\"#" \
      "$ROOT/config/centrala.json" >"$out"
  { grep -q "\"log_level\": \"$level\"" "$out" && grep -q "\"database\": \"$TMP/c.db\"" "$out"; } ||
    die "could not rewrite config/centrala.json (log_level/database keys not found)"
  printf '%s' "$out"
}

login() {
  local port=$1 body token
  body=$(printf '{"username":"bench","password":"%s"}' "$PASSWORD")
  token=$(curl -s -X POST -H 'Content-Type: application/json' --data "$body" \
    "http://127.0.0.1:$port/api/v1/auth/login" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  [[ -n $token ]] || die "login as bench failed"
  printf '%s' "$token"
}

pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "-" }'; }

if (( do_http )); then
  say "HTTP load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $ROUNDS round(s), each after a $WARMUP warm-up"
  echo "  127.0.0.1 only; wrk and the servers share this machine's $(nproc) cores."
  echo "  'other load' is CPU used meanwhile by processes other than wrk and the server under test:"
  echo "  anything well above 0 means the figures of that run are disturbed."

  CFG_WARN=$(make_config warn)
  # shellcheck disable=SC2034  # read as ${!cfg} below
  CFG_INFO=$(make_config info)
  # The user must exist before `serve` starts: the server loads its users at startup.
  PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
  printf '%s\n' "$PASSWORD" |
    "$BUILD/centrala" user add --db "$TMP/c.db" --username bench --role supervisor --config "$CFG_WARN" >/dev/null

  # All three servers run for the whole benchmark (an idle one costs nothing)
  # and the targets take turns, so that drift hits them all alike.
  start_server bare "$BUILD/bare_beast_server" 0
  BARE_PID=$SERVER_PID BARE_PORT=$PORT
  for level in warn info; do
    cfg=CFG_${level^^}
    start_server "centrala-$level" "$BUILD/centrala" serve --config "${!cfg}" --listen 127.0.0.1:0 --db "$TMP/c.db"
    printf -v "PID_$level" '%s' "$SERVER_PID"
    printf -v "PORT_$level" '%s' "$PORT"
    printf -v "TOKEN_$level" '%s' "$(login "$PORT")"
  done

  # The advisor: a wrk script that asks the evaluation phrasings in turn.
  python3 - "$ROOT/tests/data/bot_eval.json" >"$TMP/bot-ask.lua" <<'PY'
import json, sys
items = json.load(open(sys.argv[1]))
items = items["items"] if isinstance(items, dict) else items
bodies = [json.dumps({"text": i["text"], "lang": "pl"}, ensure_ascii=False) for i in items]
print('wrk.method = "POST"')
print('wrk.headers["Content-Type"] = "application/json"')
print("local bodies = {")
for b in bodies:
    print("  [==[" + b + "]==],")
print("}")
print("local n = 0")
print("request = function()")
print("  n = n % #bodies + 1")
print("  return wrk.format(nil, nil, nil, bodies[n])")
print("end")
PY
  echo "  advisor: $(grep -c '^  \[==\[' "$TMP/bot-ask.lua") phrasings in turn"

  for round in $(seq 1 "$ROUNDS"); do
    echo "  -- round $round"
    measure bare_healthz "$BARE_PID" "http://127.0.0.1:$BARE_PORT/healthz"
    if (( do_bot )); then
      CURL_EXTRA=(-X POST -H 'Content-Type: application/json' --data '{"text":"blachy do samochodu","lang":"pl"}')
      WRK_EXTRA=(-s "$TMP/bot-ask.lua")
      measure centrala_bot_ask "$PID_warn" "http://127.0.0.1:$PORT_warn/api/v1/bot/ask" -H "Authorization: Bearer $TOKEN_warn"
      CURL_EXTRA=()
      WRK_EXTRA=()
    fi
    (( bot_only )) && continue
    for level in warn info; do
      pid=PID_$level port=PORT_$level token=TOKEN_$level
      : >"$TMP/centrala-$level.err"  # the info log grows by megabytes per run
      measure "centrala_healthz_$level" "${!pid}" "http://127.0.0.1:${!port}/healthz"
      measure "centrala_me_$level" "${!pid}" "http://127.0.0.1:${!port}/api/v1/me" -H "Authorization: Bearer ${!token}"
    done
  done

  say "HTTP results ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d$DURATION)"
  echo "  Medians over the undisturbed runs (other load <= 0.25 cores); 'clean' says how many there were."
  echo "  A row with 0 clean runs shows the median of its disturbed runs and should not be trusted."
  printf '  %-34s %-4s %8s %8s %8s %8s %10s %8s %6s\n' "target" "log" "req/s" "vs bare" "p50 ms" "p99 ms" \
    "server us" "wrk us" "clean"
  bare_rps=$(med bare_healthz rps)
  row() {  # key label log
    printf '  %-34s %-4s %8.0f %8s %8.3f %8.3f %10.1f %8.1f %6s\n' "$2" "$3" "$(med "$1" rps)" \
      "$(pct "$(med "$1" rps)" "$bare_rps")" "$(med "$1" p50)" "$(med "$1" p99)" "$(med "$1" srv)" \
      "$(med "$1" cli)" "$(clean_runs "$1")/$ROUNDS"
  }
  row bare_healthz "bare_beast_server GET /healthz" "-"
  (( do_bot )) && row centrala_bot_ask "centrala POST /api/v1/bot/ask" "warn"
  if (( do_bot )); then
    goal=$(awk -v p="$(med centrala_bot_ask p99)" 'BEGIN { print (p < 2) ? "met" : "NOT met" }')
    (( $(clean_runs centrala_bot_ask) > 0 )) || goal="$goal (but no undisturbed run)"
    # With many connections in a closed loop, the p99 is the wait behind the
    # other connections' requests (Little's law), not the time of one answer.
    (( CONNECTIONS <= 4 )) || goal="$goal (at -c$CONNECTIONS the p99 is queueing; judge it with CONNECTIONS=1)"
    printf '  advisor: %s answers/s = %s of the bare server; goal (POST /api/v1/bot/ask p99 < 2 ms): %s\n' \
      "$(med centrala_bot_ask rps)" "$(pct "$(med centrala_bot_ask rps)" "$bare_rps")" "$goal"
  fi
  if (( bot_only )); then
    echo "  (server us / wrk us: CPU time per request of the server, all its threads, and of wrk)"
  else
  for level in warn info; do
    row "centrala_healthz_$level" "centrala GET /healthz" "$level"
    row "centrala_me_$level" "centrala GET /api/v1/me (Bearer)" "$level"
  done
  echo "  (server us / wrk us: CPU time per request of the server, all its threads, and of wrk)"
  echo
  for level in warn info; do
    printf '  ratio centrala/bare, req/s (log %s):             /healthz %4s   /api/v1/me %4s\n' "$level" \
      "$(pct "$(med "centrala_healthz_$level" rps)" "$bare_rps")" "$(pct "$(med "centrala_me_$level" rps)" "$bare_rps")"
  done
  for level in warn info; do
    printf '  ratio bare/centrala, server CPU per request (log %s): /healthz %4s   /api/v1/me %4s\n' "$level" \
      "$(pct "$(med bare_healthz srv)" "$(med "centrala_healthz_$level" srv)")" \
      "$(pct "$(med bare_healthz srv)" "$(med "centrala_me_$level" srv)")"
  done
  echo "  (the CPU ratio hardly moves when other processes load the machine; req/s does)"
  if (( $(clean_runs bare_healthz) == 0 || $(clean_runs centrala_me_warn) == 0 )); then
    goal="inconclusive: no undisturbed run of bare /healthz or centrala /api/v1/me; run again on a quiet machine"
  else
    goal=$(awk -v a="$(med centrala_me_warn rps)" -v b="$bare_rps" 'BEGIN { print (a >= 0.6 * b) ? "met" : "NOT met" }')
  fi
  echo "  goal (authenticated GET /api/v1/me >= 60% of the bare server's req/s, log warn): $goal"
  fi
  for key in "${!NON2XX[@]}"; do
    echo "  WARNING: $key had ${NON2XX[$key]} non-2xx responses; its figures are not comparable"
  done
fi

if (( do_sqlite )); then
  DB_DIR=${CENTRALA_BENCH_DIR:-$TMP}
  say "SQLite durability: bench_sqlite, files in $DB_DIR ($(stat -f -c %T "$DB_DIR"))"
  [[ $(stat -f -c %T "$DB_DIR") != tmpfs ]] ||
    echo "  WARNING: $DB_DIR is tmpfs, where fsync costs nothing; set CENTRALA_BENCH_DIR to a directory on disk"
  CENTRALA_BENCH_DIR=$DB_DIR "$BUILD/bench_sqlite" --benchmark_min_time="$SQLITE_MIN_TIME" \
    --benchmark_repetitions="$SQLITE_REPETITIONS" --benchmark_enable_random_interleaving=true \
    --benchmark_report_aggregates_only=true
  say "Appointments: bench_appointments (100,000 bookings; ratios to bare SQLite)"
  CENTRALA_BENCH_DIR=$DB_DIR "$BUILD/bench/bench_appointments" "$SQLITE_MIN_TIME"
fi

if (( do_chat )); then
  say "chat under load: bench/chat_load.sh"
  SKIP_BUILD=${SKIP_BUILD:-} BUILD_DIR="$BUILD" QUIET_WAIT="$QUIET_WAIT" bash "$ROOT/bench/chat_load.sh"
fi
