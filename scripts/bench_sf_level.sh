#!/usr/bin/env bash
# SoundFont level: tdaw's render of real General MIDI files against `fluidsynth -F` (reverb and
# chorus off, its default gain 0.2) on the same SoundFont, integrated loudness and sample peak
# of each by `tdaw analyze`. The SoundFont master gain is right when the loudness offset
# tdaw − fluidsynth is the same constant on every file (within ±1.5 LU of the median) and no
# render of a real file clips (sample peak < 0 dBFS in a 32-bit float render).
# Usage: scripts/bench_sf_level.sh [FILE.mid ...]
# Default files: the 31 General MIDI songs of the Debian package openttd-openmsx (`./setup.sh
# --bench` installs it; planetblupi-music-midi's files also work but render for up to half an
# hour each in fluidsynth, so pass them by name). SoundFont: TDAW_SOUNDFONT or
# /usr/share/sounds/sf2/TimGM6mb.sf2. WORK=DIR works there (and reuses fluidsynth's figures
# from an earlier run); KEEP=1 keeps the renders.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SF2=${TDAW_SOUNDFONT:-/usr/share/sounds/sf2/TimGM6mb.sf2}
RATE=48000
WORK=${WORK:-$(mktemp -d /tmp/tdaw-bench-sf-level.XXXXXX)}
mkdir -p "$WORK"
[ -f "$SF2" ] || { echo "error: no SoundFont '$SF2' (setup.sh installs timgm6mb-soundfont)" >&2; exit 1; }
command -v fluidsynth >/dev/null || { echo "error: fluidsynth is needed (./setup.sh --bench)" >&2; exit 1; }
if [ "$#" -gt 0 ]; then
  FILES=("$@")
else
  mapfile -t FILES < <(ls /usr/share/games/openttd/baseset/openmsx/*.mid 2>/dev/null)
fi
[ "${#FILES[@]}" -gt 0 ] || { echo "error: no MIDI files (./setup.sh --bench installs planetblupi-music-midi and openttd-openmsx, or pass some)" >&2; exit 1; }
cargo build --release --quiet
TDAW="$ROOT/target/release/tdaw"
export TDAW_HOME="$WORK/home" TDAW_SOUNDFONT="$SF2"

# "integrated_lufs sample_peak_dbfs" of a file.
measure() {
  "$TDAW" analyze "$1" --json | /usr/bin/python3 -c \
    'import json,sys; a=json.load(sys.stdin); print("%.2f %.2f" % (a["integrated_lufs"], a["sample_peak_dbfs"]))'
}

printf '%-28s %9s %9s %8s %10s %10s\n' "file" "tdaw LUFS" "fs LUFS" "offset" "tdaw peak" "fs peak"
: > "$WORK/rows.txt"
for mid in "${FILES[@]}"; do
  name=$(basename "$mid" .mid)
  proj="$WORK/$name"
  rm -rf "$proj"
  "$TDAW" new "$proj" --sample-rate "$RATE" >/dev/null
  "$TDAW" import "$proj" "$mid" >/dev/null
  "$TDAW" render "$proj" -o "$WORK/$name.tdaw.wav" --bit-depth 32f >/dev/null 2>&1
  read -r tl tp < <(measure "$WORK/$name.tdaw.wav")
  # The reference depends only on the file and the SoundFont: a kept WORK reuses its figures.
  if [ ! -s "$WORK/$name.fs.txt" ]; then
    fluidsynth -ni -q -R 0 -C 0 -r "$RATE" -O float -T wav -F "$WORK/$name.fs.wav" "$SF2" "$mid" >/dev/null 2>&1
    measure "$WORK/$name.fs.wav" > "$WORK/$name.fs.txt"
  fi
  read -r fl fp < "$WORK/$name.fs.txt"
  # Float renders of long songs take hundreds of MB each: keep them only when asked.
  [ -n "${KEEP:-}" ] || rm -rf "$WORK/$name.tdaw.wav" "$WORK/$name.fs.wav" "$proj"
  off=$(awk -v a="$tl" -v b="$fl" 'BEGIN { printf "%.2f", a - b }')
  printf '%-28s %9s %9s %8s %10s %10s\n' "$name" "$tl" "$fl" "$off" "$tp" "$fp"
  echo "$name $tl $fl $off $tp $fp" >> "$WORK/rows.txt"
done
echo
# Median and spread of the offsets, highest peak (mawk has no asort: sort first).
sort -g -k4 "$WORK/rows.txt" | awk '
  { off[NR] = $4; if (NR == 1 || $5 > peak) peak = $5; if ($5 >= 0) clip++ }
  END {
    n = NR
    med = (n % 2) ? off[(n + 1) / 2] : (off[n / 2] + off[n / 2 + 1]) / 2
    worst = 0
    for (i = 1; i <= n; i++) { d = off[i] - med; if (d < 0) d = -d; if (d > worst) worst = d }
    printf "%d files: offset tdaw - fluidsynth median %.2f LU, min %.2f, max %.2f, largest deviation %.2f LU (limit 1.5)\n", n, med, off[1], off[n], worst
    printf "highest tdaw sample peak %.2f dBFS; files at or over 0 dBFS: %d\n", peak, clip + 0
    print ((worst <= 1.5 && clip + 0 == 0) ? "PASS" : "FAIL")
  }'
echo "work folder $WORK; load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
