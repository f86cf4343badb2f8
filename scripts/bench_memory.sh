#!/usr/bin/env bash
# Memory benchmark for big projects (issue 8 item 10).
#  1. A project of NOTES notes (default 1,000,000, ~32 MB of project.toml): peak RSS and wall
#     time of `tdaw info DIR` (load) and of `tdaw import DIR click.wav` (load + save).
#     Targets: load ≤ 300 MB peak; save bounded the same way.
#  2. A project of TRACKS audio tracks (default 10,000), each one 1-s clip at its own place
#     (track i at beat i, 120 BPM: clips spread over the timeline, all reading a few files):
#     `tdaw play --null` for PLAY_S seconds: peak RSS and the most open fds seen.
#     Target: ≤ 500 MB and fds bounded by the clips near the playhead, not by the tracks.
# Peak RSS is GNU time's %M. Usage: scripts/bench_memory.sh [WORKDIR]
#   TDAW=path/to/tdaw to measure another binary (e.g. a build of main, for before/after).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${1:-$(mktemp -d /tmp/tdaw-bench-memory.XXXXXX)}
NOTES=${NOTES:-1000000}
TRACKS=${TRACKS:-10000}
PLAY_S=${PLAY_S:-6}
for tool in sox /usr/bin/time awk; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed (scripts need setup.sh --tests)" >&2; exit 1; }
done
if [ -z "${TDAW:-}" ]; then
  cargo build --release --quiet
  TDAW="$ROOT/target/release/tdaw"
fi
export TDAW_HOME="$WORK/home"
mkdir -p "$TDAW_HOME"

# One timed run: prints "wall_seconds max_rss_kb".
measure() {
  local log="$WORK/time.log"
  /usr/bin/time -f '%e %M' -o "$log" "$@" >/dev/null 2>"$WORK/stderr.log" || {
    echo "error: $* failed:" >&2; cat "$WORK/stderr.log" >&2; exit 1; }
  tail -1 "$log"
}

# --- 1. a big MIDI project -------------------------------------------------------------
BIG="$WORK/notes"
if [ ! -f "$BIG/project.toml" ]; then
  echo "generating $NOTES notes ..."
  mkdir -p "$BIG"
  # 10 tracks x 10 clips; every fourth length is a triplet (16 digits, as MIDI imports write).
  awk -v notes="$NOTES" 'BEGIN {
    printf "format_version = 1\nname = \"big\"\nsample_rate = 48000\ntempo = [{ beat = 0.0, bpm = 120.0 }]\n"
    per = int(notes / 100); id = 1
    for (t = 1; t <= 10; t++) {
      printf "\n[[track]]\nid = %d\nname = \"T%d\"\nkind = \"midi\"\ngain_db = 0.0\npan = 0.0\ninstrument = { type = \"general_midi\", program = 0 }\n", t, t
      for (c = 0; c < 10; c++) {
        printf "\n[[track.clip]]\nid = %d\nstart = %d.0\ntype = \"midi\"\nlength = %d.0\nnotes = [\n", id++, c * 4000, 4000
        for (n = 0; n < per; n++)
          printf "    [%d, %.16g, %.16g, %d, 0],\n", 36 + (n * 7) % 60, n / 4, (n % 4 == 3) ? 1 / 3 : 0.25 * (1 + n % 3), 1 + n % 127
        printf "]\n"
      }
    }
  }' > "$BIG/project.toml"
fi
SIZE=$(stat -c %s "$BIG/project.toml")
read -r LT LR < <(measure "$TDAW" info "$BIG")
cp "$BIG/project.toml" "$WORK/saved.toml"
sox -q -n -r 48000 -c 2 -b 16 "$WORK/click.wav" synth 0.1 sine 1000
read -r ST SR < <(measure "$TDAW" import "$BIG" "$WORK/click.wav")
cp "$WORK/saved.toml" "$BIG/project.toml"
echo "project.toml: $((SIZE / 1024 / 1024)) MB, $NOTES notes"
echo "load  (tdaw info)            : ${LT} s  peak RSS $((LR / 1024)) MB  (target <= 300 MB)"
echo "load + save (import a 0.1 s WAV): ${ST} s  peak RSS $((SR / 1024)) MB"

# --- 2. many audio tracks --------------------------------------------------------------
MANY="$WORK/tracks"
if [ ! -f "$MANY/project.toml" ]; then
  echo "generating $TRACKS audio tracks ..."
  mkdir -p "$MANY/audio"
  for f in 1 2 3 4; do
    sox -q -n -r 48000 -c 2 -b 16 "$MANY/audio/s$f.wav" synth 1 sine $((220 * f)) gain -20
  done
  awk -v tracks="$TRACKS" 'BEGIN {
    printf "format_version = 1\nname = \"many\"\nsample_rate = 48000\ntempo = [{ beat = 0.0, bpm = 120.0 }]\n"
    for (t = 1; t <= tracks; t++) {
      printf "\n[[track]]\nid = %d\nname = \"A%d\"\nkind = \"audio\"\n", t, t
      printf "clip = [{ id = %d, start = %d.0, type = \"audio\", file = \"audio/s%d.wav\", length = 1.0 }]\n", t, t - 1, 1 + t % 4
    }
  }' > "$MANY/project.toml"
fi
/usr/bin/time -f '%e %M' -o "$WORK/play.log" "$TDAW" play "$MANY" --null >/dev/null 2>"$WORK/play.err" &
TPID=$!
sleep 0.5
PID=$(pgrep -P "$TPID" -n || true)
MAXFD=0
# Count fds while it loads and plays; stop PLAY_S seconds after playback starts.
for _ in $(seq 1 600); do
  [ -n "$PID" ] && [ -d "/proc/$PID" ] || break
  n=$(ls "/proc/$PID/fd" 2>/dev/null | wc -l)
  [ "$n" -gt "$MAXFD" ] && MAXFD=$n
  if grep -q "no audio device" "$WORK/play.err" 2>/dev/null; then
    PLAYING_SINCE=${PLAYING_SINCE:-$(date +%s.%N)}
    awk -v a="$PLAYING_SINCE" -v b="$(date +%s.%N)" -v p="$PLAY_S" 'BEGIN { exit !(b - a >= p) }' && break
  fi
  sleep 0.1
done
[ -n "$PID" ] && kill -INT "$PID" 2>/dev/null || true
wait "$TPID" || true
read -r PT PR < "$WORK/play.log"
echo "play $TRACKS audio tracks for ${PLAY_S} s: peak RSS $((PR / 1024)) MB, most open fds $MAXFD  (target <= 500 MB)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
