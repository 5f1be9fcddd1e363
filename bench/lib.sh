# Shared by bench/run.sh and bench/chat_load.sh: messages, tools, scratch space
# with cleanup, and starting servers that print "listening on http://127.0.0.1:PORT".
# Source it after setting BENCH_NAME (used in error messages).
# shellcheck shell=bash

say() { printf '\n== %s\n' "$*"; }
die() { printf '%s: %s\n' "${BENCH_NAME:-bench}" "$*" >&2; exit 1; }

# need_tool COMMAND PACKAGE: installs the Debian package when the command is missing.
need_tool() {
  command -v "$1" >/dev/null && return 0
  say "installing $2"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get install -y "$2" || { $sudo apt-get update && $sudo apt-get install -y "$2"; }
}

# PRIORITY="chrt -f 50" (environment): a command prefix for servers and load
# clients, e.g. real-time scheduling so that a busy machine's compilers cannot
# pre-empt them. Only for loads that leave CPU free: at saturation the kernel
# throttles real-time tasks (50 ms a second) and the figures mean nothing.
read -r -a PRIO <<<"${PRIORITY:-}"

# bench_scratch PREFIX: sets TMP (removed on exit) and PIDS (stopped on exit).
# A function bench_on_exit, if defined, runs before TMP is removed.
bench_scratch() {
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  PIDS=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}
bench_cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if declare -F bench_on_exit >/dev/null; then bench_on_exit || true; fi
  rm -rf "$TMP"
}

# start_server NAME COMMAND...: runs it in the background (stdout in
# $TMP/NAME.out, stderr in $TMP/NAME.err), waits up to 20 s for its
# "listening on" line; sets PORT and SERVER_PID.
start_server() {
  local name=$1
  shift
  : >"$TMP/$name.out"
  "${PRIO[@]}" "$@" >>"$TMP/$name.out" 2>>"$TMP/$name.err" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9]*\)$#\1#p' "$TMP/$name.out" || true)
    [[ -n $PORT ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$TMP/$name.err" >&2 || true
  die "$name did not start"
}
stop_server() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
