#!/usr/bin/env bash
# Benchmark: `tdaw analyze` (release) against `ffmpeg -af ebur128=peak=true` on the same
# 3-minute stereo 48 kHz file, alternating, median wall time of 5 runs each.
# Target: tdaw ≤ 0.5x ffmpeg. Usage: scripts/bench_analyze.sh [FILE]  (SKIP_BUILD=1 to skip
# the release build; RUNS=N to change the run count).
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${RUNS:-5}"
work="${TMPDIR:-/tmp}/tdaw-bench-analyze"
mkdir -p "$work"
file="${1:-$work/song-3min-48k.wav}"

command -v ffmpeg >/dev/null || { echo "error: ffmpeg is not installed" >&2; exit 1; }
if [[ -z "${SKIP_BUILD:-}" ]]; then
    cargo build --release --quiet
fi
tdaw="target/release/tdaw"

if [[ ! -f "$file" ]]; then
    # Music-like material: a kick and bass on the beat, noisy hats on the off-beat and a
    # slowly swelling pad, 120 BPM, different in the two channels.
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i "aevalsrc='\
0.45*sin(2*PI*(50+90*exp(-mod(t,0.5)*30))*mod(t,0.5))*exp(-mod(t,0.5)*9)\
+0.12*(random(0)-0.5)*exp(-mod(t+0.25,0.5)*40)\
+0.08*(1+sin(2*PI*t/16))*sin(2*PI*220*t)\
|0.45*sin(2*PI*(50+90*exp(-mod(t,0.5)*30))*mod(t,0.5))*exp(-mod(t,0.5)*9)\
+0.12*(random(1)-0.5)*exp(-mod(t+0.25,0.5)*40)\
+0.08*(1+cos(2*PI*t/16))*sin(2*PI*277.2*t)':s=48000:d=180" \
        -c:a pcm_s16le "$file"
fi

now() { date +%s.%N; }
tdaw_times=()
ffmpeg_times=()
for i in $(seq 1 "$runs"); do
    t0=$(now)
    "$tdaw" analyze "$file" --json >"$work/tdaw.json"
    t1=$(now)
    ffmpeg -hide_banner -nostats -i "$file" -af ebur128=peak=true -f null - 2>"$work/ffmpeg.log"
    t2=$(now)
    tdaw_times+=("$(echo "$t1 - $t0" | bc -l)")
    ffmpeg_times+=("$(echo "$t2 - $t1" | bc -l)")
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mt=$(median "${tdaw_times[@]}")
mf=$(median "${ffmpeg_times[@]}")
ratio=$(echo "$mt / $mf" | bc -l)

echo "file:   $file ($(du -h "$file" | cut -f1))"
echo "tdaw:   ${tdaw_times[*]}"
echo "ffmpeg: ${ffmpeg_times[*]}"
printf 'median tdaw %.3f s, ffmpeg %.3f s, ratio %.2fx (target <= 0.50x)\n' "$mt" "$mf" "$ratio"
echo "tdaw says:   $(cat "$work/tdaw.json")"
echo "ffmpeg says: $(grep -E '^ +(I|LRA|Peak):' "$work/ffmpeg.log" | tr -s ' ' | tr '\n' ' ')"
