#!/usr/bin/env bash
# Chat under load (issue 4), one command:   bash bench/chat_load.sh
# (also `bash bench/run.sh --chat-only`; see docs/benchmarks.md "Chat under load")
#
# 1. builds build-bench/ (Release): centrala, chat_load, bare_ws_relay, bare_sqlite_batch,
# 2. bare SQLite: batched-commit insert loop into centrala's schema (WAL, FULL),
# 3. the same load client against bare_ws_relay and against centrala: N
#    conversations, message rates stepping up (open loop), then closed loop
#    ("max": WINDOW messages in flight per conversation): delivered msg/s,
#    p50/p99 send -> delivery, acks, losses, CPU of server and client,
# 4. IDLE_COUNT idle authenticated resident sockets: server VmRSS per connection,
# 5. a summary with the ratios centrala / bare and the goals of issue 4.
#
# Everything talks to 127.0.0.1 only; every process started here is stopped on
# exit. Figures are printed, never asserted.
#
# Knobs (environment): CONVERSATIONS=1000 RATES=1000,2000,3000,4000,5000
#   STEP_SECONDS=10 WARMUP_SECONDS=2 MAX_SECONDS=10 WINDOW=2 IDLE_COUNT=10000
#   QUIET_WAIT=30 SQLITE_SECONDS=3 SQLITE_ROUNDS=3 SQLITE_BATCHES=1,10,100,1000
#   CENTRALA_BENCH_DIR=DIR (databases; must be on disk, not tmpfs; default: a temp dir)
#   BUILD_DIR=DIR  SKIP_BUILD=1  PARTS="sqlite relay centrala idle" (any subset)
#   RESULTS_FILE=FILE (keep the raw `RESULT key=value` lines there)
#   NICE=N (e.g. -10, needs root: run the servers, the client and the SQLite
#   loop at that nice level, and give this script's autogroup the same nice
#   where the kernel groups processes by session (sched_autogroup), since a
#   process's own nice then only counts within its session; on a shared
#   machine that takes CPU from the other users; the other load is still
#   measured and printed)
#   PRIORITY="chrt -f 50" (root: real-time scheduling for the servers and the
#   load client, so a busy machine's other work cannot pre-empt them; meaningful
#   for the fixed rates, not for the closed loop, which saturates the cores and
#   is then throttled by the kernel; see bench/lib.sh)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-bench}
CONVERSATIONS=${CONVERSATIONS:-1000}
RATES=${RATES:-1000,2000,3000,4000,5000}
STEP_SECONDS=${STEP_SECONDS:-10}
WARMUP_SECONDS=${WARMUP_SECONDS:-2}
MAX_SECONDS=${MAX_SECONDS:-10}
WINDOW=${WINDOW:-2}
IDLE_COUNT=${IDLE_COUNT:-10000}
QUIET_WAIT=${QUIET_WAIT:-30}
SQLITE_SECONDS=${SQLITE_SECONDS:-3}
SQLITE_ROUNDS=${SQLITE_ROUNDS:-3}
SQLITE_BATCHES=${SQLITE_BATCHES:-1,10,100,1000}
PARTS=${PARTS:-sqlite relay centrala idle}
BENCH_NAME=bench/chat_load.sh
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

has() { [[ " $PARTS " == *" $1 "* ]]; }

command -v curl >/dev/null || die "curl is needed (apt-get install -y curl)"
need_tool jq jq

if [[ -z ${SKIP_BUILD:-} ]]; then
  say "building $BUILD (Release)"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCENTRALA_BENCH=ON -DCENTRALA_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j2 --target centrala chat_load bare_ws_relay bare_sqlite_batch
fi

if [[ -n ${NICE:-} ]]; then
  renice -n "$NICE" -p $$ >/dev/null || die "cannot renice to $NICE (root needed for negative values)"
  if [[ $(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo 0) == 1 && -w /proc/$$/autogroup ]]; then
    echo "$NICE" >"/proc/$$/autogroup" || echo "  (could not set the autogroup's nice)"
  fi
  echo "  running at nice $NICE (servers, client and SQLite loop inherit it)"
fi

# Thousands of sockets on each side.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(( $(ulimit -n) > IDLE_COUNT + 200 )) || echo "  WARNING: ulimit -n is $(ulimit -n); the idle test needs more than $((IDLE_COUNT + 200))"

bench_scratch centrala-chatbench
DB_DIR=${CENTRALA_BENCH_DIR:-$TMP}
bench_on_exit() { [[ -z ${RESULTS_FILE:-} || ! -f $TMP/results.txt ]] || cp "$TMP/results.txt" "$RESULTS_FILE"; }

[[ $(stat -f -c %T "$DB_DIR") != tmpfs ]] ||
  echo "  WARNING: $DB_DIR is tmpfs, where fsync costs nothing; set CENTRALA_BENCH_DIR to a directory on disk"

# The shipped config with what a load test needs: connection and per-address
# limits raised, every queue open around the clock with room for everyone,
# no wrap-up, resident rate limit at its maximum.
make_config() {  # db-path out-file
  jq --arg db "$1" --arg web "$ROOT/web" '
    .database = $db | .web_root = $web |
    .limits.max_connections = 30000 | .limits.ws_queue_frames = 4096 |
    .chat.messages_per_10s = 10000 | .chat.max_open_chats_per_address = 100000 |
    .queues |= map(.hours = "always" | .wrap_up_seconds = 0 | .max_waiting = 100000)
  ' "$ROOT/config/centrala.json" >"$2"
}

# A fresh centrala on a fresh database with an admin user; sets PORT, SERVER_PID.
start_centrala() {  # name
  local name=$1 db="$DB_DIR/$1.db"
  rm -f "$db" "$db-wal" "$db-shm"
  make_config "$db" "$TMP/$name.json"
  ADMIN_PW=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
  printf '%s\n' "$ADMIN_PW" >"$TMP/admin.pw"
  printf '%s\n' "$ADMIN_PW" |
    "$BUILD/centrala" user add --db "$db" --username benchadmin --role admin --config "$TMP/$name.json" >/dev/null
  start_server "$name" "$BUILD/centrala" serve --config "$TMP/$name.json" --listen 127.0.0.1:0 --db "$db"
}

LOAD_ARGS=(--conversations "$CONVERSATIONS" --rates "$RATES" --step-seconds "$STEP_SECONDS"
  --warmup-seconds "$WARMUP_SECONDS" --max-seconds "$MAX_SECONDS" --window "$WINDOW" --quiet-wait "$QUIET_WAIT")
RESULTS="$TMP/results.txt"
: >"$RESULTS"
run_client() {  # label args...
  local label=$1
  shift
  "${PRIO[@]}" "$BUILD/chat_load" "$@" | tee -a "$RESULTS" | grep --line-buffered -v '^RESULT ' || die "chat_load failed ($label)"
}

echo "  $(nproc) cores; load average now: $(cut -d' ' -f1-3 /proc/loadavg); databases in $DB_DIR ($(stat -f -c %T "$DB_DIR"))"

if has sqlite; then
  say "bare SQLite: batched commits into centrala's schema (WAL, synchronous=FULL), ${SQLITE_SECONDS}s x $SQLITE_ROUNDS rounds"
  "$BUILD/bare_sqlite_batch" "$DB_DIR" "$SQLITE_SECONDS" "$SQLITE_ROUNDS" "$SQLITE_BATCHES" | tee -a "$RESULTS" | grep --line-buffered -v '^RESULT '
fi

if has relay; then
  say "bare WebSocket relay (bare_ws_relay): $CONVERSATIONS conversations, rates $RATES msg/s, then closed loop"
  start_server relay "$BUILD/bare_ws_relay" 0
  run_client relay load --target relay --port "$PORT" --server-pid "$SERVER_PID" "${LOAD_ARGS[@]}"
  stop_server "$SERVER_PID"
fi

if has centrala; then
  say "centrala: $CONVERSATIONS conversations, rates $RATES msg/s, then closed loop"
  start_centrala centrala-load
  run_client centrala load --target centrala --port "$PORT" --server-pid "$SERVER_PID" \
    --admin-user benchadmin --admin-password-file "$TMP/admin.pw" "${LOAD_ARGS[@]}"
  # Group commit: how many messages shared a commit on average.
  curl -s "http://127.0.0.1:$PORT/metrics" >"$TMP/metrics.txt" || true
  commits=$(awk '$1 ~ /^centrala_db_write_seconds_count/ { s += $2 } END { print s + 0 }' "$TMP/metrics.txt")
  stored=$(awk '$1 ~ /^centrala_messages_stored_total/ { s += $2 } END { print s + 0 }' "$TMP/metrics.txt")
  echo "RESULT kind=groupcommit commits=$commits stored=$stored" >>"$RESULTS"
  # How long the message transactions took (centrala_db_write_seconds, whole run
  # including the set-up; the server times them in whole milliseconds).
  awk -v c="$commits" '$1 ~ /^centrala_db_write_seconds_bucket/ && c > 0 {
      match($1, /le="[^"]*"/); le = substr($1, RSTART + 4, RLENGTH - 5)
      if (le == "0.005" || le == "0.01" || le == "0.025" || le == "0.1" || le == "1") printf "  %s%.2f%% of commits over %s s", (n++ ? "," : "  message commits:"), 100 * (c - $2) / c, le
    } $1 ~ /^centrala_db_write_seconds_sum/ { sum = $2 } END { if (c > 0) printf "; mean %.2f ms\n", 1000 * sum / c }' "$TMP/metrics.txt"
  awk -v c="$commits" -v s="$stored" 'BEGIN { if (c > 0) printf "  group commit over the whole run: %d messages in %d commits, %.1f per commit\n", s, c, s / c }'
  grep -c 'too slow' "$TMP/centrala-load.err" >/dev/null && echo "  WARNING: centrala dropped slow sockets: $(grep -c 'too slow' "$TMP/centrala-load.err")"
  grep -iE ' (error|critical)' "$TMP/centrala-load.err" | head -5 || true
  stop_server "$SERVER_PID"
fi

if has idle; then
  say "$IDLE_COUNT idle resident sockets (authenticated, no traffic): server VmRSS"
  start_server relay-idle "$BUILD/bare_ws_relay" 0
  run_client relay-idle idle --target relay --port "$PORT" --server-pid "$SERVER_PID" --count "$IDLE_COUNT"
  stop_server "$SERVER_PID"
  start_centrala centrala-idle
  run_client centrala-idle idle --target centrala --port "$PORT" --server-pid "$SERVER_PID" --count "$IDLE_COUNT"
  stop_server "$SERVER_PID"
fi

# ---- summary -------------------------------------------------------------------
say "summary ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
get() {  # kind target step field
  awk -v k="$1" -v t="$2" -v s="$3" -v f="$4" '
    $1 == "RESULT" { delete v; for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      if (v["kind"] == k && (t == "" || v["target"] == t) && (s == "" || v["step"] == s || v["batch"] == s)) r = v[f] }
    END { print r }' "$RESULTS"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "") printf "%.0f%%", 100 * a / b; else print "-" }'; }
if has relay || has centrala; then
  printf '  %-6s | %-30s | %-30s | %s\n' "" "bare_ws_relay" "centrala" "centrala/bare"
  printf '  %-6s | %8s %7s %7s %5s | %8s %7s %7s %5s | %6s %6s\n' "msg/s" "deliv/s" "p50 ms" "p99 ms" "srv%" "deliv/s" "p50 ms" \
    "p99 ms" "srv%" "rate" "CPU/msg"
  IFS=, read -ra steps <<<"$RATES"
  (( MAX_SECONDS > 0 )) && steps+=(max)
  for s in "${steps[@]}"; do
    printf '  %-6s | %8s %7s %7s %5s | %8s %7s %7s %5s | %6s %6s\n' "$s" \
      "$(get load relay "$s" delivered_per_s)" "$(get load relay "$s" p50_ms)" "$(get load relay "$s" p99_ms)" \
      "$(awk -v c="$(get load relay "$s" server_cores)" 'BEGIN { if (c != "") printf "%.0f", 100 * c }')" \
      "$(get load centrala "$s" delivered_per_s)" "$(get load centrala "$s" p50_ms)" "$(get load centrala "$s" p99_ms)" \
      "$(awk -v c="$(get load centrala "$s" server_cores)" 'BEGIN { if (c != "") printf "%.0f", 100 * c }')" \
      "$(ratio "$(get load centrala "$s" delivered_per_s)" "$(get load relay "$s" delivered_per_s)")" \
      "$(ratio "$(get load relay "$s" server_us_per_msg)" "$(get load centrala "$s" server_us_per_msg)")"
  done
  echo "  (srv%: server CPU in % of one core; CPU/msg: bare relay's server CPU per message ÷ centrala's)"
  for t in relay centrala; do
    for s in "${steps[@]}"; do
      l=$(get load "$t" "$s" lost_deliveries); a=$(get load "$t" "$s" lost_acks); d=$(get load "$t" "$s" dup_deliveries)
      e=$(get load "$t" "$s" errors); c=$(get load "$t" "$s" closed_sockets); o=$(get load "$t" "$s" other_cores)
      cl=$(get load "$t" "$s" client_cores)
      [[ -n $l ]] && printf '  %-8s %-5s not delivered / not acked within the drain %s / %s, duplicates %s, errors %s, closed sockets %s, client %s cores, other load %s cores\n' \
        "$t" "$s" "$l" "$a" "$d" "$e" "$c" "$cl" "$o"
    done
    [[ -n $(get integrity "$t" "" messages) ]] && printf '  %-8s whole run: %s messages, never acked %s, never delivered %s, delivered twice %s, acked twice %s, errors %s\n' \
      "$t" "$(get integrity "$t" "" messages)" "$(get integrity "$t" "" never_acked)" "$(get integrity "$t" "" never_delivered)" \
      "$(get integrity "$t" "" dup_deliveries)" "$(get integrity "$t" "" dup_acks)" "$(get integrity "$t" "" errors)"
  done
  for s in "${steps[@]}"; do
    th=$(get load centrala "$s" threads)
    [[ -n $th ]] && printf '  centrala %-5s server CPU per thread (cores): %s; %s us of server CPU per message\n' "$s" "$th" "$(get load centrala "$s" server_us_per_msg)"
  done
fi
if has sqlite; then
  IFS=, read -ra batches <<<"$SQLITE_BATCHES"
  for b in "${batches[@]}"; do printf '  bare SQLite, %4s rows per commit: %9.0f rows/s\n' "$b" "$(get sqlite "" "$b" rows_per_s)"; done
fi
if has centrala; then
  p99=$(get load centrala 5000 p99_ms); d5=$(get load centrala 5000 delivered_per_s)
  if [[ -n $p99 ]]; then
    echo "  goal 1 (p99 < 10 ms at 5,000 msg/s): centrala p99 $p99 ms at $d5 delivered/s: $(awk -v p="$p99" -v d="$d5" 'BEGIN { print (p < 10 && d >= 4900) ? "met" : "NOT met" }')"
  fi
  if has sqlite; then
    mx=$(get load centrala max acked_per_s); b100=$(get sqlite "" 100 rows_per_s)
    [[ -n $mx && -n $b100 ]] && echo "  goal 2 (durable msg/s >= 50% of bare SQLite at 100 rows/commit): centrala $mx acked/s vs $b100 rows/s = $(ratio "$mx" "$b100"): $(awk -v a="$mx" -v b="$b100" 'BEGIN { print (a >= 0.5 * b) ? "met" : "NOT met" }')"
  fi
fi
if has idle; then
  echo "  idle sockets: bare relay $(get idle relay "" kib_per_conn) KiB/connection; centrala $(get idle centrala "" kib_per_conn) KiB/connection ($(get idle centrala "" kib_per_chat_and_conn) KiB with the chat created over REST); goal < 50 KiB: $(awk -v k="$(get idle centrala "" kib_per_conn)" 'BEGIN { if (k == "") print "-"; else print (k < 50) ? "met" : "NOT met" }')"
fi
