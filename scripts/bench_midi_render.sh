#!/usr/bin/env bash
# MIDI render benchmark: a real Standard MIDI File imported into a project and rendered by
# `tdaw render` (release) vs `fluidsynth -F` through the same General MIDI SoundFont,
# alternating, median of 5 wall times (plus CPU time and peak RSS). Target: tdaw ≤ 1.0x.
# Usage: scripts/bench_midi_render.sh [FILE.mid] [WORKDIR]
# The default MIDI file is a 10-minute, 4-track game score from the Debian package
# planetblupi-music-midi; the SoundFont is TDAW_SOUNDFONT or /usr/share/sounds/sf2/default-GM.sf2.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MID=${1:-/usr/share/planetblupi/music/music004.mid}
WORK=${2:-$(mktemp -d /tmp/tdaw-bench-midi.XXXXXX)}
RUNS=${RUNS:-5}
SF2=${TDAW_SOUNDFONT:-/usr/share/sounds/sf2/default-GM.sf2}
RATE=44100
# tdaw's SoundFont instruments are dry (reverb/chorus belong on an effects bus), so fluidsynth
# is measured twice: as it ships (reverb and chorus on) and dry (-R 0 -C 0), the like-for-like case.
[ -f "$MID" ] || { echo "error: no MIDI file '$MID' (apt-get install planetblupi-music-midi, or pass one)" >&2; exit 1; }
[ -f "$SF2" ] || { echo "error: no SoundFont '$SF2' (setup.sh installs timgm6mb-soundfont)" >&2; exit 1; }
for tool in fluidsynth /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed" >&2; exit 1; }
done
cargo build --release --quiet
TDAW="$ROOT/target/release/tdaw"
export TDAW_HOME="$WORK/home" TDAW_SOUNDFONT="$SF2"
PROJ="$WORK/project"
if [ ! -f "$PROJ/project.toml" ]; then
  "$TDAW" new "$PROJ" --sample-rate "$RATE" >/dev/null
  "$TDAW" import "$PROJ" "$MID"
fi

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

: > "$WORK/tdaw.txt"; : > "$WORK/fs.txt"; : > "$WORK/fsdry.txt"
for r in $(seq 1 "$RUNS"); do
  measure "$TDAW" render "$PROJ" -o "$WORK/tdaw.wav" --bit-depth 16 >> "$WORK/tdaw.txt"
  measure fluidsynth -ni -q -r "$RATE" -F "$WORK/fluidsynth.wav" "$SF2" "$MID" >> "$WORK/fs.txt"
  measure fluidsynth -ni -q -R 0 -C 0 -r "$RATE" -F "$WORK/fluidsynth-dry.wav" "$SF2" "$MID" >> "$WORK/fsdry.txt"
  echo "run $r: tdaw $(tail -1 "$WORK/tdaw.txt")  fluidsynth $(tail -1 "$WORK/fs.txt")  dry $(tail -1 "$WORK/fsdry.txt")  (wall s, RSS KB, CPU s)"
done
T=$(awk '{print $1}' "$WORK/tdaw.txt" | median); F=$(awk '{print $1}' "$WORK/fs.txt" | median)
TC=$(awk '{print $3}' "$WORK/tdaw.txt" | median); FC=$(awk '{print $3}' "$WORK/fs.txt" | median)
TR=$(awk '{print $2}' "$WORK/tdaw.txt" | median); FR=$(awk '{print $2}' "$WORK/fs.txt" | median)
D=$(awk '{print $1}' "$WORK/fsdry.txt" | median)
echo
echo "$(basename "$MID"): $(soxi -D "$WORK/tdaw.wav" 2>/dev/null || echo "?") s of audio, $RUNS runs alternating, median"
echo "tdaw render : ${T} s wall  ${TC} s CPU  peak RSS $((TR / 1024)) MB"
echo "fluidsynth  : ${F} s wall  ${FC} s CPU  peak RSS $((FR / 1024)) MB"
echo "fluidsynth -R 0 -C 0 (dry): ${D} s wall"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "ratio tdaw/fluidsynth: $(awk -v t="$T" -v f="$F" 'BEGIN { printf "%.2f", t / f }')x   (target <= 1.0x); vs dry fluidsynth: $(awk -v t="$T" -v f="$D" 'BEGIN { printf "%.2f", t / f }')x"
