#!/usr/bin/env bash
# Effects-heavy render benchmark: 16 stereo 24-bit 48 kHz tracks of 3 minutes, each with a
# 3-band EQ and a compressor, post-fader sends to a reverb bus and a delay bus, and a master
# limiter. `tdaw render` (release) against sox doing the same chain: per track `equalizer` +
# `bass` + `treble` + `compand` (two sox processes at a time, as tdaw uses two cores), then the
# mix, `reverb` and `echos` on the summed sends, and the final mix. Alternating, median of 5
# wall times. Targets: tdaw ≥ 150x real time, and ≤ 0.5x sox's wall time.
# Usage: scripts/bench_fx_render.sh [WORKDIR]   (needs sox and /usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${1:-$(mktemp -d /tmp/tdaw-bench-fx.XXXXXX)}
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
mkdir -p "$PROJ/audio" "$TDAW_HOME" "$WORK/sox"

if [ ! -f "$PROJ/project.toml" ]; then
  echo "generating $TRACKS stereo 24-bit 48 kHz tracks of ${SECONDS_LONG} s ..."
  REV=$((TRACKS + 1)); DLY=$((TRACKS + 2))
  {
    printf 'format_version = 1\nname = "bench fx"\nsample_rate = 48000\n\n[[tempo]]\nbeat = 0.0\nbpm = 120.0\n\n'
    printf '[master]\ngain_db = 0.0\neffects = [{ id = 1000, kind = "limiter", params = { ceiling_dbtp = -1.0, release_ms = 60.0, lookahead_ms = 5.0 } }]\n\n'
    for i in $(seq 1 "$TRACKS"); do
      f=$((110 * i))
      sox -q -n -r 48000 -c 2 -b 24 "$PROJ/audio/t$i.wav" \
        synth "$SECONDS_LONG" sine "$f" pinknoise remix 1 2 gain -12
      printf '[[track]]\nid = %d\nname = "T%d"\nkind = "audio"\ngain_db = -6.0\n' "$i" "$i"
      printf 'effects = [\n'
      printf '  { id = %d, kind = "eq", params = { b1_type = "lowshelf", b1_freq = 100.0, b1_gain_db = -3.0, b2_type = "peak", b2_freq = 1000.0, b2_gain_db = 3.0, b2_q = 1.0, b3_type = "highshelf", b3_freq = 8000.0, b3_gain_db = 2.0 } },\n' $((i * 2))
      printf '  { id = %d, kind = "compressor", params = { threshold_db = -18.0, ratio = 4.0, knee_db = 6.0, attack_ms = 10.0, release_ms = 120.0 } },\n' $((i * 2 + 1))
      printf ']\n'
      printf 'sends = [{ to = %d, level_db = -12.0 }, { to = %d, level_db = -18.0 }]\n\n' "$REV" "$DLY"
      printf '[[track.clip]]\nid = %d\nstart = 0.0\ntype = "audio"\nfile = "audio/t%d.wav"\nlength = %d.0\n\n' "$i" "$i" "$SECONDS_LONG"
    done
    printf '[[track]]\nid = %d\nname = "Reverb"\nkind = "bus"\neffects = [{ id = 1001, kind = "reverb", params = { decay_s = 2.0, mix = 1.0 } }]\n\n' "$REV"
    printf '[[track]]\nid = %d\nname = "Delay"\nkind = "bus"\neffects = [{ id = 1002, kind = "delay", params = { time_ms = 375.0, feedback = 0.35, mix = 1.0 } }]\n\n' "$DLY"
  } > "$PROJ/project.toml"
  "$TDAW" info "$PROJ" >/dev/null
fi

# The sox pipeline, as one timed command.
cat > "$WORK/sox.sh" <<EOF
#!/usr/bin/env bash
set -e
cd "$WORK/sox"
seq 1 $TRACKS | xargs -P 2 -I{} sox -q "$PROJ/audio/t{}.wav" -b 32 -e floating-point t{}.wav \
  equalizer 1000 1q 3 bass -3 100 treble 2 8000 compand 0.01,0.12 6:-60,-60,-18,-18,0,-13.5 0 -90 0.01 gain -6
sox -q -m t*.wav -b 32 -e floating-point mix.wav
sox -q mix.wav -b 32 -e floating-point rev.wav gain -12 reverb 50 50 100 100 0 0
sox -q mix.wav -b 32 -e floating-point dly.wav gain -18 echos 0.8 0.9 375 0.35 750 0.12
sox -q -m mix.wav rev.wav dly.wav -b 24 out.wav gain -n -1
EOF
chmod +x "$WORK/sox.sh"

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
  rm -f "$WORK/tdaw.wav"
  measure "$TDAW" render "$PROJ" -o "$WORK/tdaw.wav" --bit-depth 24 >> "$WORK/tdaw.txt"
  measure "$WORK/sox.sh" >> "$WORK/sox.txt"
  echo "run $r: tdaw $(tail -1 "$WORK/tdaw.txt")  sox $(tail -1 "$WORK/sox.txt")  (wall s, RSS KB, CPU s)"
done
T=$(awk '{print $1}' "$WORK/tdaw.txt" | median)
S=$(awk '{print $1}' "$WORK/sox.txt" | median)
TC=$(awk '{print $3}' "$WORK/tdaw.txt" | median)
SC=$(awk '{print $3}' "$WORK/sox.txt" | median)
TR=$(awk '{print $2}' "$WORK/tdaw.txt" | median)
RATIO=$(awk -v t="$T" -v s="$S" 'BEGIN { printf "%.2f", t / s }')
# How many cores the render kept busy (2.0 = both, on a 2-core machine).
TUSE=$(awk -v c="$TC" -v t="$T" 'BEGIN { printf "%.2f", c / t }')
RT=$(awk -v t="$T" -v d="$SECONDS_LONG" 'BEGIN { printf "%.0f", d / t }')
echo
echo "tracks: $TRACKS x ${SECONDS_LONG} s stereo 24-bit 48 kHz, EQ + compressor each, reverb and delay buses, master limiter; $RUNS runs alternating, median"
echo "tdaw render : ${T} s wall  ${TC} s CPU (CPU/wall ${TUSE})  peak RSS $((TR / 1024)) MB  = ${RT}x real time"
echo "sox chain   : ${S} s wall  ${SC} s CPU"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other work skews wall times)"
echo "ratio tdaw/sox: ${RATIO}x   (targets: >= 150x real time, <= 0.5x sox)"
# Load-independent figures of one more render: CPU time and instructions do not move with
# other work on the machine as wall time does (PERF=0 skips; needs perf).
if [ "${PERF:-1}" != 0 ] && command -v perf >/dev/null; then
  rm -f "$WORK/tdaw.wav"
  perf stat -e task-clock,instructions,context-switches -o "$WORK/perf-stat.txt" \
    "$TDAW" render "$PROJ" -o "$WORK/tdaw.wav" --bit-depth 24 >/dev/null 2>&1 \
    && grep -E "task-clock|instructions|context-switches|elapsed" "$WORK/perf-stat.txt"
fi
