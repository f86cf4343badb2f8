#!/usr/bin/env bash
# Measures the real TUI in tmux (120x40): start to first frame, CPU and bytes written to the
# terminal per second while idle and while playing the demo song (the null backend plays at
# real-time pace without a sound card). Usage: scripts/ui_measure.sh [path/to/tdaw] [seconds]
set -euo pipefail
BIN=${1:-target/release/tdaw}
SECS=${2:-10}
[ -x "$BIN" ] || { echo "error: $BIN not found (cargo build --release first)" >&2; exit 1; }
command -v tmux >/dev/null || { echo "error: tmux is not installed" >&2; exit 1; }
BIN=$(realpath "$BIN")
WORK=$(mktemp -d)
SOCK="tdaw-measure-$$"
cleanup() { tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export TDAW_HOME="$WORK/home"
mkdir -p "$TDAW_HOME"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# The UI (main) thread alone: its task id is the process id.
ui_ticks() { awk '{print $14 + $15}' "/proc/$1/task/$1/stat"; }
hz=$(getconf CLK_TCK)

start=$(date +%s%N)
tmux -L "$SOCK" new-session -d -s m -x 120 -y 40 "exec env TDAW_HOME='$TDAW_HOME' TERM=xterm-256color '$BIN' demo"
until tmux -L "$SOCK" capture-pane -p -t m 2>/dev/null | grep -q Chords; do
  sleep 0.005
  if (( ($(date +%s%N) - start) / 1000000 > 10000 )); then echo "error: no first frame in 10 s" >&2; exit 1; fi
done
first=$(( ($(date +%s%N) - start) / 1000000 ))
echo "start to first frame (demo, first run writes the song): ${first} ms"
# A second start, with the demo already on disk.
tmux -L "$SOCK" send-keys -t m ':q!' Enter
sleep 1
start=$(date +%s%N)
tmux -L "$SOCK" new-session -d -s m -x 120 -y 40 "exec env TDAW_HOME='$TDAW_HOME' TERM=xterm-256color '$BIN' demo"
until tmux -L "$SOCK" capture-pane -p -t m 2>/dev/null | grep -q Chords; do sleep 0.005; done
first=$(( ($(date +%s%N) - start) / 1000000 ))
echo "start to first frame (demo, 4 tracks): ${first} ms"
# A 16-track project (MIDI, 16 clips of 16 notes each), written here, opened from the shell.
P16="$WORK/sixteen"
mkdir -p "$P16/audio" "$P16/renders" "$P16/.tdaw"
/usr/bin/python3 - "$P16/project.toml" <<'PY'
import sys
out = ['format_version = 1', 'name = "Sixteen"', 'sample_rate = 48000', 'tempo = [{ beat = 0.0, bpm = 120.0 }]', '']
cid = 1
for t in range(16):
    out += ['[[track]]', f'id = {t + 1}', f'name = "Track {t + 1}"', 'kind = "midi"', '']
    out += ['[track.instrument]', 'type = "general_midi"', f'program = {t * 5}', '']
    for c in range(16):
        notes = ", ".join(f"[{48 + (n * 7 + t) % 24}, {n * 0.5}, 0.5, 100, 0]" for n in range(16))
        out += ['[[track.clip]]', f'id = {cid}', f'start = {c * 8.0}', 'type = "midi"', 'length = 8.0', f'notes = [{notes}]', '']
        cid += 1
open(sys.argv[1], "w").write("\n".join(out))
PY
tmux -L "$SOCK" send-keys -t m ':q!' Enter
sleep 1
start=$(date +%s%N)
tmux -L "$SOCK" new-session -d -s m -x 120 -y 40 "exec env TDAW_HOME='$TDAW_HOME' TERM=xterm-256color '$BIN' '$P16'"
until tmux -L "$SOCK" capture-pane -p -t m 2>/dev/null | grep -q "Track 16"; do
  sleep 0.005
  if (( ($(date +%s%N) - start) / 1000000 > 10000 )); then
    echo "error: the 16-track project showed no first frame in 10 s:" >&2
    tmux -L "$SOCK" capture-pane -p -t m >&2
    exit 1
  fi
done
first=$(( ($(date +%s%N) - start) / 1000000 ))
echo "start to first frame (16 tracks, 256 clips, engine start included): ${first} ms"
tmux -L "$SOCK" send-keys -t m ':q!' Enter
sleep 1
tmux -L "$SOCK" new-session -d -s m -x 120 -y 40 "exec env TDAW_HOME='$TDAW_HOME' TERM=xterm-256color '$BIN' demo"
until tmux -L "$SOCK" capture-pane -p -t m 2>/dev/null | grep -q Chords; do sleep 0.005; done
PID=$(tmux -L "$SOCK" display -p -t m '#{pane_pid}')
sleep 2

measure() {
  local label=$1 out="$WORK/$1.bytes"
  : > "$out"
  tmux -L "$SOCK" pipe-pane -t m -o "cat >> '$out'"
  local t0; t0=$(ticks "$PID")
  local u0; u0=$(ui_ticks "$PID")
  sleep "$SECS"
  local t1; t1=$(ticks "$PID")
  local u1; u1=$(ui_ticks "$PID")
  tmux -L "$SOCK" pipe-pane -t m
  sleep 0.2
  local bytes; bytes=$(stat -c %s "$out")
  cp "$out" "/tmp/tdaw-measure-$label.bytes" 2>/dev/null || true
  awk -v b="$bytes" -v s="$SECS" -v t="$((t1 - t0))" -v u="$((u1 - u0))" -v hz="$hz" -v l="$label" \
    'BEGIN { printf "%-8s %8.0f bytes/s   CPU: UI thread %5.1f %%, whole process (engine too) %5.1f %%\n", l, b / s, 100 * u / hz / s, 100 * t / hz / s }'
}

measure idle
tmux -L "$SOCK" send-keys -t m Space
sleep 1
measure playing
tmux -L "$SOCK" send-keys -t m Space
sleep 1
measure stopped
tmux -L "$SOCK" send-keys -t m ':q!' Enter
