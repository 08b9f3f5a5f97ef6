# Sourced by the benchmark scripts that run against `romwatch sim`: builds
# romwatch ($bin), makes a work directory ($work) removed on exit with the
# simulator, and defines `start_sim VARIANTS`, which starts the simulator on
# a free loopback port (more flags after VARIANTS go to `romwatch sim`) and
# sets $addr to its base URL.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -p romwatch --quiet
bin="$CARGO_TARGET_DIR/release/romwatch"
work=$(mktemp -d)
sim_pid=
cleanup() {
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

start_sim() { # VARIANTS [SIM FLAGS…]
  local variants=$1; shift
  "$bin" sim --listen 127.0.0.1:0 --devices "$variants" --seed 1 "$@" 2>"$work/sim.log" &
  sim_pid=$!
  addr=
  for _ in $(seq 1 300); do
    addr=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/sim.log" | head -1 || true)
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "the simulator did not start" >&2; exit 1; }
}
