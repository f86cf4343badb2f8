//! The General MIDI SoundFont player: one rustysynth `Synthesizer` per track instrument, its
//! channels set to the track's GM program (drums: channel 10, bank 128).
//!
//! Timing precision: rustysynth renders in internal blocks of [`SOUNDFONT_BLOCK`] frames and
//! starts or stops a voice only at the start of one. The player renders up to each event's
//! frame and applies it there, so a note sounds at the first internal block boundary at or
//! after its frame (boundaries fall every `SOUNDFONT_BLOCK` frames counted from the player's
//! creation or last reset): at most `SOUNDFONT_BLOCK − 1` frames late (0.31 ms at 48 kHz),
//! never early, and always by the same rule, so renders stay bit-identical. The built-in synth
//! is exact to the frame.
//!
//! rustysynth preallocates its voices (polyphony [`SOUNDFONT_POLYPHONY`]) and, as the tests
//! prove with `assert_no_alloc`, neither `note_on` nor `render` allocates.

use super::{split_at_events, Instrument, InstrumentError, NoteEvent};
use rustysynth::{SoundFont, Synthesizer, SynthesizerSettings};
use std::sync::Arc;

/// rustysynth's internal block size: the quantum of note timing. Its default is 64 (1.3 ms);
/// its minimum, 8, costs about 1.5× the CPU of 16 (per-voice envelope, LFO and filter updates
/// run once per block; `benches/instrument_voices.rs`: 32 voices at 128 frames ≈ 9 % of a
/// core at 8, 6 % at 16, 4.7 % at 64). 16 frames (0.33 ms at 48 kHz) is far below audible
/// timing jitter.
pub const SOUNDFONT_BLOCK: usize = 16;
/// Voices per SoundFont instrument.
pub const SOUNDFONT_POLYPHONY: usize = 64;
/// Output below this (about −100 dBFS) counts as silence when deciding whether a tail rings.
const SILENCE: f32 = 1.0e-5;
/// After the last audible sample, the tail is over once this many silent frames followed.
const TAIL_SILENT_FRAMES: u64 = 2048;
const DRUM_CHANNEL: u8 = 9;
/// rustysynth's default is 0.5, made for a whole 16-channel song in one synthesizer; here each
/// track has its own, so +6 dB brings a mezzo-forte note nearer the built-in synth's level
/// (about −20 dBFS for one piano note) while leaving headroom for chords and the fader.
const MASTER_VOLUME: f32 = 1.0;

/// A GM SoundFont instrument for one track.
pub struct SoundFontPlayer {
    synth: Synthesizer,
    program: u8,
    drums: bool,
    /// Notes held per channel and key. rustysynth's note-off releases every voice of a key,
    /// so when same-pitch notes overlap (a MIDI file's or the piano roll's) only the last
    /// note-off is passed on: the later note is not cut short by the earlier one's end.
    held: [[u8; 128]; 16],
    /// Consecutive silent frames in the output (starts "long silent").
    silent_frames: u64,
}

impl SoundFontPlayer {
    /// A player of GM `program` (or the drum kit) on `soundfont`. Not for the audio thread.
    pub fn new(
        soundfont: &Arc<SoundFont>,
        sample_rate: u32,
        program: u8,
        drums: bool,
    ) -> Result<SoundFontPlayer, InstrumentError> {
        Self::with_block_size(soundfont, sample_rate, program, drums, SOUNDFONT_BLOCK)
    }

    /// [`SoundFontPlayer::new`] with another internal block size (8–1024; the note-timing
    /// quantum), for measuring its cost. Not for the audio thread.
    pub fn with_block_size(
        soundfont: &Arc<SoundFont>,
        sample_rate: u32,
        program: u8,
        drums: bool,
        block_size: usize,
    ) -> Result<SoundFontPlayer, InstrumentError> {
        let mut settings = SynthesizerSettings::new(sample_rate as i32);
        settings.block_size = block_size;
        settings.maximum_polyphony = SOUNDFONT_POLYPHONY;
        // Dry, like any DAW instrument: rustysynth's reverb and chorus run once per synthesizer
        // (one per track here) and were 57% of a MIDI render's time. Reverb belongs on a
        // shared effects bus (the effects issue), not inside every track's instrument.
        settings.enable_reverb_and_chorus = false;
        let mut synth = Synthesizer::new(soundfont, &settings)
            .map_err(|e| InstrumentError::Synth(e.to_string()))?;
        synth.set_master_volume(MASTER_VOLUME);
        let mut player = SoundFontPlayer {
            synth,
            program: program & 0x7f,
            drums,
            held: [[0; 128]; 16],
            silent_frames: TAIL_SILENT_FRAMES,
        };
        player.select_program();
        Ok(player)
    }

    /// Program change on every melodic channel: notes keep their own channel (so equal keys
    /// on two channels stay two notes) and all play the track's program. The drum channel
    /// stays on bank 128; a drum track's program picks its kit there (8 Room, 25 TR-808, …),
    /// and rustysynth plays the standard kit when the SoundFont has no such kit.
    fn select_program(&mut self) {
        for ch in 0..16 {
            if ch != DRUM_CHANNEL as i32 {
                self.synth
                    .process_midi_message(ch, 0xC0, self.program as i32, 0);
            }
        }
        if self.drums {
            self.synth
                .process_midi_message(DRUM_CHANNEL as i32, 0xC0, self.program as i32, 0);
        }
    }

    /// The synthesizer channel a note of `channel` plays on: the drum channel for a drum
    /// track; otherwise its own, with GM channel 10 (always percussion in rustysynth) moved
    /// to channel 1.
    fn route(&self, channel: u8) -> u8 {
        if self.drums {
            DRUM_CHANNEL
        } else if channel & 0x0f == DRUM_CHANNEL {
            0
        } else {
            channel & 0x0f
        }
    }

    fn apply(&mut self, ev: &NoteEvent) {
        match *ev {
            NoteEvent::On {
                channel,
                pitch,
                velocity,
                ..
            } => {
                let ch = self.route(channel);
                let key = pitch & 0x7f;
                if velocity == 0 {
                    self.release(ch, key);
                } else {
                    let held = &mut self.held[ch as usize][key as usize];
                    *held = held.saturating_add(1);
                    self.silent_frames = 0;
                    self.synth
                        .note_on(ch as i32, key as i32, velocity.min(127) as i32);
                }
            }
            NoteEvent::Off { channel, pitch, .. } => {
                let ch = self.route(channel);
                self.release(ch, pitch & 0x7f);
            }
            NoteEvent::AllNotesOff { .. } => {
                self.held = [[0; 128]; 16];
                self.synth.note_off_all(false);
            }
        }
    }

    /// One note of `key` ends; the synthesizer hears the note-off when it was the last.
    fn release(&mut self, ch: u8, key: u8) {
        let held = &mut self.held[ch as usize][key as usize];
        *held = held.saturating_sub(1);
        if *held == 0 {
            self.synth.note_off(ch as i32, key as i32);
        }
    }

    /// Distinct keys held (overlapping notes of one key count once).
    fn held_count(&self) -> usize {
        self.held.iter().flatten().filter(|&&n| n > 0).count()
    }
}

impl Instrument for SoundFontPlayer {
    fn process(&mut self, events: &[NoteEvent], left: &mut [f32], right: &mut [f32]) {
        let len = left.len().min(right.len());
        split_at_events(
            self,
            events,
            len,
            |s, start, end| {
                s.synth
                    .render(&mut left[start..end], &mut right[start..end])
            },
            |s, ev| s.apply(ev),
        );
        left[len..].fill(0.0);
        right[len..].fill(0.0);
        // Track the tail: the frames since the last audible sample.
        let last_loud = left[..len]
            .iter()
            .zip(&right[..len])
            .rposition(|(l, r)| l.abs() > SILENCE || r.abs() > SILENCE);
        self.silent_frames = match last_loud {
            Some(i) => (len - 1 - i) as u64,
            None => self.silent_frames.saturating_add(len as u64),
        };
    }

    fn reset(&mut self) {
        self.synth.reset();
        // reset() also forgot the programs; set them again (plain fields, no allocation).
        self.select_program();
        self.held = [[0; 128]; 16];
        self.silent_frames = TAIL_SILENT_FRAMES;
    }

    /// Held notes, or 1 while a released tail (or the reverb) is still audible. rustysynth
    /// does not expose its voice count, so the tail is judged from the output itself.
    fn active_voices(&self) -> usize {
        let held = self.held_count();
        if held == 0 && self.silent_frames < TAIL_SILENT_FRAMES {
            1
        } else {
            held
        }
    }
}
