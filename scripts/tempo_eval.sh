#!/usr/bin/env bash
# Tempo detection on real music: each Standard MIDI File is imported into a project, rendered
# by `tdaw render` through the General MIDI SoundFont, and `tdaw analyze --json` reads the
# render's tempo, which is compared with the file's own (first) tempo. A hit is within ±1 %.
# Usage: scripts/tempo_eval.sh [FILE.mid ...]   (default: the ten planetblupi scores, which
# `./setup.sh --bench` installs; it also installs openttd-openmsx, 31 more scores:
#   scripts/tempo_eval.sh $(dpkg -L openttd-openmsx | grep '\.mid$')). WORK=DIR keeps the renders.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
if [ $# -eq 0 ]; then
  set -- /usr/share/planetblupi/music/music00{0..9}.mid
fi
WORK=${WORK:-$(mktemp -d /tmp/tdaw-tempo-eval.XXXXXX)}
cargo build --release --quiet
TDAW="$ROOT/target/release/tdaw"
export TDAW_HOME="$WORK/home"
hits=0
total=0
for mid in "$@"; do
  [ -f "$mid" ] || { echo "error: no MIDI file '$mid' (./setup.sh --bench installs them)" >&2; exit 1; }
  name=$(basename "$mid" .mid)
  proj="$WORK/$name"
  wav="$WORK/$name.wav"
  if [ ! -f "$wav" ]; then
    rm -rf "$proj"
    "$TDAW" new "$proj" >/dev/null
    "$TDAW" import "$proj" "$mid" >/dev/null
    "$TDAW" render "$proj" -o "$wav" >/dev/null 2>&1
  fi
  want=$("$TDAW" info "$proj" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["bpm"])')
  got=$("$TDAW" analyze "$wav" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["bpm"] if d["bpm"] is not None else 0)')
  verdict=$(python3 -c "print('ok' if abs($got / $want - 1) <= 0.01 else 'MISS (ratio %.3f)' % ($got / $want))")
  [ "$verdict" = ok ] && hits=$((hits + 1))
  total=$((total + 1))
  printf '%-10s file %8.3f BPM  detected %8.3f BPM  %s\n' "$name" "$want" "$got" "$verdict"
done
echo "tempo within ±1 %: $hits of $total"
