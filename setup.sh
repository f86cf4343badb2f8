#!/usr/bin/env bash
# Installs what tdaw needs to build and test on Debian/Ubuntu: pkg-config, the ALSA headers,
# a General MIDI SoundFont, and the tools the tests and benchmarks compare against.
# Idempotent: packages already present are skipped, and nothing is downloaded twice.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "error: setup.sh needs root or sudo to install system packages" >&2; exit 1; fi
fi

# Packages needed to build and run (libasound2-dev for cpal/midir, libopus-dev for `tdaw monitor`
# and `listen`, a small GM SoundFont).
base=(pkg-config libasound2-dev libopus-dev timgm6mb-soundfont)
# Extra packages for the test suite (tmux end-to-end test, sox/ffmpeg to make test files,
# reference tools for the benchmark scripts).
# With --bench also the MIDI files scripts/bench_midi_render.sh and scripts/tempo_eval.sh render.
# With --jack the JACK server and headers: `cargo build --features jack` and the live MIDI test
# through JACK's dummy driver (`cargo test --features jack --test midi_jack`).
extra=()
case "${1:-}" in
  --tests) extra=(tmux sox ffmpeg fluidsynth time) ;;
  --bench) extra=(tmux sox ffmpeg fluidsynth time planetblupi-music-midi openttd-openmsx) ;;
  --jack) extra=(jackd2 libjack-jackd2-dev) ;;
  "") ;;
  *) echo "usage: setup.sh [--tests|--bench|--jack]" >&2; exit 2 ;;
esac

missing=()
for p in "${base[@]}" "${extra[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: system packages present"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found; install Rust from your distribution or rustup first" >&2
  exit 1
fi
