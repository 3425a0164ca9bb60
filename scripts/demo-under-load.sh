# Sourced by scripts/bench and scripts/bench-compare: a release `ketenpoort demo` to put under load.
#
# serve_demo DIR [BINARY]: `ketenpoort demo` (BINARY, or this build's release binary) on DIR (its
# database and keys) on a free port, its pid in $demo and its address in $base; DEMO_ENV may
# point it at PostgreSQL. Returns once the demo has seeded its region, so the load meets a
# server that does nothing else.
serve_demo() {
  local dir="$1" binary="${2:-$CARGO_TARGET_DIR/release/ketenpoort}"
  port=$((20000 + RANDOM % 40000))
  # The figures are the machine's capacity: no rate per organisation, no bound in flight
  # below the load generator's 64 clients.
  env KETENPOORT_LIMITS__PER_ORG_PER_SECOND=0 KETENPOORT_LIMITS__IN_FLIGHT=4096 ${DEMO_ENV:-} \
    "$binary" demo --data-dir "$dir" --listen "127.0.0.1:$port" >"$dir/out" 2>&1 &
  demo=$!
  # The demo's own line, printed after seeding (the server logs "listening" before).
  for _ in $(seq 600); do
    grep -q "Ketenpoort demo listening" "$dir/out" 2>/dev/null && break
    kill -0 "$demo" 2>/dev/null || { cat "$dir/out"; exit 1; }
    sleep 0.2
  done
  base="https://127.0.0.1:$port"
}

stop_demo() {
  if [ -n "${demo:-}" ]; then
    kill -TERM "$demo" 2>/dev/null || true
    wait "$demo" 2>/dev/null || true
    demo=""
  fi
}
