//! Play mode: the computer keyboard as a musical keyboard, two rows like most DAWs (`a w s e d
//! f t g y h u j k` = C to the C above, `z`/`x` an octave down/up, `c`/`v` softer/harder).
//! Each key sounds through the track's instrument for a fixed length, because a terminal reports
//! key presses but never releases. On a recording-armed track a played note is also written:
//! at the playhead while the transport plays, else at the cursor, which then steps on one grid
//! step (a step sequencer). Each written note is one undo step.

use super::notes::{audition, clip, insert_played};
use super::state::PianoState;
use crate::model::{pitch_name, ClipContent};
use crate::ui::ctx::Cx;
use crate::ui::keymap::Mode;

/// How much `c`/`v` change the velocity.
const VELOCITY_STEP: u8 = 16;

/// What the status bar shows in play mode, after the clip's name.
pub fn status(st: &PianoState, armed: bool, playing: bool) -> String {
    let lo = pitch_name(st.play_base);
    let hi = pitch_name(st.play_base.saturating_add(12).min(127));
    let last = st
        .played
        .map(|p| format!(" ♪ {}", pitch_name(p)))
        .unwrap_or_default();
    let writes = match (armed, playing) {
        (false, _) => "not armed",
        (true, true) => "recording at the playhead",
        (true, false) => "step entry",
    };
    format!(
        "  {lo}–{hi} vel {}{last}  {writes}  (fixed length: no key release in a terminal)",
        st.play_velocity
    )
}

/// Enters play mode (a MIDI clip must be on screen).
pub(super) fn enter(st: &mut PianoState, cx: &mut Cx<'_>) {
    if st.clip_in(cx.project).is_none() {
        cx.error("no MIDI clip in the piano roll");
        return;
    }
    st.anchor = None;
    st.played = None;
    *cx.mode = Mode::Play;
    cx.info("Play mode: a w s e d f t g y h u j k play C to C, z x octave, c v velocity, esc ends");
}

/// Moves the keyboard by octaves, keeping its lowest key a C inside 0..=115.
pub(super) fn octave(st: &mut PianoState, cx: &mut Cx<'_>, up: bool) {
    let base = st.play_base as i32 + if up { 12 } else { -12 };
    st.play_base = base.clamp(0, 108) as u8;
    cx.info(format!(
        "Keyboard {}–{}",
        pitch_name(st.play_base),
        pitch_name(st.play_base + 12)
    ));
}

/// Changes the velocity of played notes by one step, inside 1..=127.
pub(super) fn velocity(st: &mut PianoState, cx: &mut Cx<'_>, up: bool) {
    st.play_velocity = if up {
        st.play_velocity.saturating_add(VELOCITY_STEP).min(127)
    } else {
        st.play_velocity.saturating_sub(VELOCITY_STEP).max(1)
    };
    cx.info(format!("Velocity {}", st.play_velocity));
}

/// Plays key `key` (0 = the keyboard's C … 12 = the C above), and writes it when armed.
pub(super) fn play(st: &mut PianoState, cx: &mut Cx<'_>, key: u8) {
    let Some((ti, _)) = st.clip_in(cx.project) else {
        cx.error("no MIDI clip in the piano roll");
        return;
    };
    let pitch = (st.play_base as u16 + key as u16).min(127) as u8;
    st.played = Some(pitch);
    st.pitch = pitch;
    let vel = st.play_velocity;
    if !cx.project.tracks[ti].arm {
        audition(st, cx, pitch, vel);
        return;
    }
    let Some((_, c)) = clip(st, cx) else { return };
    let offset = match &c.content {
        ClipContent::Midi(m) => m.offset,
        ClipContent::Audio(_) => 0.0,
    };
    if cx.transport.playing {
        // The playhead in the clip's content beats; nothing is written before the clip starts.
        let beat = cx.transport.beat - c.start + offset;
        if beat < offset {
            audition(st, cx, pitch, vel);
            cx.error("the playhead is before the clip: nothing recorded");
            return;
        }
        if insert_played(st, cx, beat, pitch, vel) {
            st.cursor = crate::ui::grid::floor_to(beat, st.grid);
        }
    } else {
        let beat = st.cursor;
        if insert_played(st, cx, beat, pitch, vel) {
            st.cursor = beat + st.grid;
        }
    }
}
