#!/usr/bin/env bash
# Render benchmark: 16 stereo 24-bit 48 kHz tracks of 3 minutes each.
# `tdaw render` (release) vs `sox -m` on the same files, alternating, median of 5 wall times,
# plus peak RSS (/usr/bin/time -v). Target: tdaw ≤ 0.5x sox's wall time, peak RSS ≤ 256 MB.
# Usage: scripts/bench_render.sh [WORKDIR]   (needs sox and /usr/bin/time; see setup.sh --tests)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${1:-$(mktemp -d /tmp/tdaw-bench-render.XXXXXX)}
RUNS=${RUNS:-5}
TRACKS=${TRACKS:-16}
SECONDS_LONG=${SECONDS_LONG:-180}
for tool in sox /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed (scripts need setup.sh --tests)" >&2; exit 1; }
done
cargo build --release --quiet
TDAW="$ROOT/target/release/tdaw"
export TDAW_HOME="$WORK/home"
PROJ="$WORK/project"
mkdir -p "$PROJ/audio" "$TDAW_HOME"

if [ ! -f "$PROJ/project.toml" ]; then
  echo "generating $TRACKS stereo 24-bit 48 kHz tracks of ${SECONDS_LONG} s ..."
  {
    printf 'format_version = 1\nname = "bench"\nsample_rate = 48000\n\n[[tempo]]\nbeat = 0.0\nbpm = 120.0\n\n'
    for i in $(seq 1 "$TRACKS"); do
      f=$((110 * i))
      sox -q -n -r 48000 -c 2 -b 24 "$PROJ/audio/t$i.wav" \
        synth "$SECONDS_LONG" sine "$f" pinknoise remix 1 2 gain -12
      printf '[[track]]\nid = %d\nname = "T%d"\nkind = "audio"\n\n' "$i" "$i"
      printf '[[track.clip]]\nid = %d\nstart = 0.0\ntype = "audio"\nfile = "audio/t%d.wav"\nlength = %d.0\n\n' "$i" "$i" "$SECONDS_LONG"
    done
  } > "$PROJ/project.toml"
fi

FILES=()
for i in $(seq 1 "$TRACKS"); do FILES+=("$PROJ/audio/t$i.wav"); done

# One timed run: prints "wall_seconds max_rss_kb cpu_seconds".
measure() {
  local log="$WORK/time.log"
  /usr/bin/time -v -o "$log" "$@" >/dev/null 2>&1
  local wall rss cpu
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" \
    | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u+s}' "$log")
  echo "$wall $rss $cpu"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: > "$WORK/tdaw.txt"; : > "$WORK/sox.txt"
for r in $(seq 1 "$RUNS"); do
  measure "$TDAW" render "$PROJ" -o "$WORK/tdaw.wav" --bit-depth 24 >> "$WORK/tdaw.txt"
  measure sox -m "${FILES[@]}" -b 24 "$WORK/sox.wav" >> "$WORK/sox.txt"
  echo "run $r: tdaw $(tail -1 "$WORK/tdaw.txt")  sox $(tail -1 "$WORK/sox.txt")  (wall s, RSS KB, CPU s)"
done
T=$(awk '{print $1}' "$WORK/tdaw.txt" | median)
S=$(awk '{print $1}' "$WORK/sox.txt" | median)
TR=$(awk '{print $2}' "$WORK/tdaw.txt" | median)
SR=$(awk '{print $2}' "$WORK/sox.txt" | median)
TC=$(awk '{print $3}' "$WORK/tdaw.txt" | median)
SC=$(awk '{print $3}' "$WORK/sox.txt" | median)
RATIO=$(awk -v t="$T" -v s="$S" 'BEGIN { printf "%.2f", t / s }')
echo
echo "tracks: $TRACKS x ${SECONDS_LONG} s stereo 24-bit 48 kHz, $RUNS runs alternating, median"
echo "tdaw render : ${T} s wall  ${TC} s CPU  peak RSS $((TR / 1024)) MB"
echo "sox -m      : ${S} s wall  ${SC} s CPU  peak RSS $((SR / 1024)) MB"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other work skews wall times)"
echo "ratio tdaw/sox: ${RATIO}x   (target <= 0.5x, RSS <= 256 MB)"
