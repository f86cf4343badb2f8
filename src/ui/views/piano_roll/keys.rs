//! The piano roll's registry commands: the cursor, scrolling, zoom and grid, note entry in
//! insert mode, and the note edits of `notes.rs`.

use super::draw::grid_rows;
use super::notes::{
    audition, clip, delete, delete_back, duplicate, enter_note, insert_notes, move_notes, paste,
    resize, velocity,
};
use super::state::{PianoState, PIANO_ZOOMS};
use super::{play, tools};
use crate::midi::ops::notes_of;
use crate::model::{ClipContent, ClipId, Project};
use crate::ui::action::Cmd;
use crate::ui::ctx::{Cx, Effect};
use crate::ui::grid::{floor_to, last_step_before, step, step_through};
use crate::ui::keymap::Mode;
use ratatui::layout::Rect;

/// Shows a clip in the piano roll with the cursor at (beat, pitch), clip-relative; the App
/// then puts the piano roll on screen in normal mode and scrolls it to the cursor.
pub fn open(
    st: &mut PianoState,
    project: &Project,
    main: Rect,
    clip: ClipId,
    beat: f64,
    pitch: u8,
) {
    if st.clip != Some(clip) {
        st.previous = st.clip;
    }
    st.clip = Some(clip);
    // The piano roll counts content beats: a trimmed clip's window starts at its offset.
    let offset = project
        .find_clip(clip)
        .and_then(|(ti, ci)| match &project.tracks[ti].clips[ci].content {
            ClipContent::Midi(m) => Some(m.offset),
            ClipContent::Audio(_) => None,
        })
        .unwrap_or(0.0);
    let beat = beat + offset;
    st.cursor = floor_to(beat.max(0.0), st.grid);
    st.pitch = pitch.min(127);
    st.scroll_beat = 0.0;
    st.anchor = None;
    let rows = grid_rows(main).max(1) as u8;
    st.top_pitch = pitch
        .saturating_add(rows / 2)
        .clamp(rows.saturating_sub(1), 127);
}

pub fn run(st: &mut PianoState, cx: &mut Cx<'_>, cmd: Cmd, n: usize) {
    let ni = n as i64;
    let g = st.grid;
    match cmd {
        Cmd::MoveLeft => st.cursor = step(st.cursor, g, -ni),
        Cmd::MoveRight => st.cursor = step(st.cursor, g, ni),
        Cmd::MoveUp => st.pitch = (st.pitch as usize + n).min(127) as u8,
        Cmd::MoveDown => st.pitch = st.pitch.saturating_sub(n.min(127) as u8),
        Cmd::ZoomIn => st.zoom = (st.zoom + n).min(PIANO_ZOOMS.len() - 1),
        Cmd::ZoomOut => st.zoom = st.zoom.saturating_sub(n),
        Cmd::GridFiner => st.grid = (g / 2f64.powi(n as i32)).max(1.0 / 32.0),
        Cmd::GridCoarser => st.grid = (g * 2f64.powi(n as i32)).min(16.0),
        Cmd::GotoStart | Cmd::LineStart => {
            st.cursor = match clip(st, cx).map(|(_, c)| c.content) {
                Some(ClipContent::Midi(m)) => m.offset,
                _ => 0.0,
            }
        }
        // Vim's `$`: the last grid step inside the clip's window.
        Cmd::LineEnd => {
            if let Some((_, c)) = clip(st, cx) {
                if let ClipContent::Midi(m) = &c.content {
                    st.cursor = last_step_before(m.offset + m.length, g).max(m.offset);
                }
            }
        }
        Cmd::GotoEnd => {
            if let Some((_, c)) = clip(st, cx) {
                if let ClipContent::Midi(m) = &c.content {
                    let end = m.offset + m.length;
                    st.cursor = floor_to((end - g).max(0.0), g);
                }
            }
        }
        Cmd::NextItem | Cmd::PrevItem => {
            let Some((_, c)) = clip(st, cx) else { return };
            let mut starts: Vec<f64> = notes_of(&c).iter().map(|n| n.start).collect();
            starts.sort_by(f64::total_cmp);
            starts.dedup();
            let pos = step_through(&starts, st.cursor, n, cmd == Cmd::NextItem);
            st.cursor = pos;
            // Land on the note: its pitch nearest the cursor's.
            let cur = st.pitch;
            if let Some(nn) = notes_of(&c)
                .iter()
                .filter(|nn| (nn.start - pos).abs() < 1e-9)
                .min_by_key(|nn| (nn.pitch as i32 - cur as i32).abs())
            {
                st.pitch = nn.pitch;
            }
        }
        Cmd::Audition => audition(st, cx, st.pitch, st.velocity),
        Cmd::NoteInsert => {
            let (beat, pitch) = (st.cursor, st.pitch);
            // One edit however many: `u` takes back what one key press did.
            insert_notes(st, cx, beat, pitch, n);
        }
        Cmd::Delete => delete(st, cx, true),
        Cmd::Yank => delete(st, cx, false),
        Cmd::Paste => paste(st, cx, n),
        Cmd::Duplicate => duplicate(st, cx, n),
        Cmd::ShiftLeft | Cmd::ShiftRight => {
            let d = g * n as f64 * if cmd == Cmd::ShiftLeft { -1.0 } else { 1.0 };
            move_notes(st, cx, d, 0)
        }
        Cmd::ShiftUp | Cmd::ShiftDown => {
            move_notes(st, cx, 0.0, if cmd == Cmd::ShiftUp { ni } else { -ni })
        }
        Cmd::Shorten | Cmd::Lengthen => {
            let d = g * n as f64 * if cmd == Cmd::Shorten { -1.0 } else { 1.0 };
            resize(st, cx, d)
        }
        Cmd::ValueUp | Cmd::ValueDown => {
            let d = 8 * ni * if cmd == Cmd::ValueDown { -1 } else { 1 };
            velocity(st, cx, d)
        }
        Cmd::Quantize => {
            if let Err(e) = tools::quantize(st, cx, &tools::Quantize::default()) {
                cx.error(e);
            }
        }
        Cmd::Rest => st.cursor += g * n as f64,
        Cmd::OctaveUp => st.pitch = (st.pitch as usize + 12 * n).min(127) as u8,
        Cmd::OctaveDown => st.pitch = st.pitch.saturating_sub((12 * n).min(127) as u8),
        Cmd::DeleteBack => delete_back(st, cx),
        // The view scrolls down towards lower pitches, like Ctrl-e in arrange shows later tracks.
        Cmd::ScrollDown => scroll(st, cx, -ni, 0.0),
        Cmd::ScrollUp => scroll(st, cx, ni, 0.0),
        Cmd::ScrollLeft | Cmd::ScrollRight => {
            let bars = n as f64 * cx.project.time_signature.quarters_per_bar();
            scroll(st, cx, 0, if cmd == Cmd::ScrollLeft { -bars } else { bars })
        }
        Cmd::ScrollLeftHalf | Cmd::ScrollRightHalf => {
            let main = cx.main;
            let half = st.grid_cols_for(cx.project, main) as f64 / st.cols_per_beat() / 2.0;
            let d = half * n as f64;
            scroll(st, cx, 0, if cmd == Cmd::ScrollLeftHalf { -d } else { d })
        }
        Cmd::PlayMode => play::enter(st, cx),
        Cmd::PlayOctaveDown | Cmd::PlayOctaveUp => play::octave(st, cx, cmd == Cmd::PlayOctaveUp),
        Cmd::PlayVelocityDown | Cmd::PlayVelocityUp => {
            play::velocity(st, cx, cmd == Cmd::PlayVelocityUp)
        }
        c if c.play_key().is_some() => play::play(st, cx, c.play_key().unwrap_or(0)),
        Cmd::ChordPrompt => prompt(st, cx, "chord "),
        Cmd::PromptQuantize => prompt(st, cx, "quantize "),
        Cmd::PromptTranspose => prompt(st, cx, "transpose "),
        Cmd::PromptGroove => prompt(st, cx, "groove "),
        Cmd::PromptArp => prompt(st, cx, "arp "),
        Cmd::PromptScale => prompt(st, cx, "scale "),
        Cmd::Humanize => {
            if let Err(e) = tools::humanize(st, cx, tools::HUMANIZE) {
                cx.error(e);
            }
        }
        c if c.note_class().is_some() => {
            let class = c.note_class().unwrap_or(0);
            for _ in 0..n {
                enter_note(st, cx, class);
            }
        }
        _ => {}
    }
}

/// Opens the command line with a tool's name typed, keeping the visual selection for it.
fn prompt(st: &mut PianoState, cx: &mut Cx<'_>, text: &str) {
    st.held = st.selection(*cx.mode);
    if *cx.mode == Mode::Visual {
        *cx.mode = Mode::Normal;
    }
    cx.ask(Effect::Prompt(text.into()));
}

/// Scrolls the view by `pitches` rows (positive: towards higher pitches) and `beats` (free
/// scrolling, as in the arrange view): the view moves first and the cursor is pulled along only
/// as far as it must be to stay on screen (snapped to the grid). Scrolling stops at pitches 0
/// and 127 and where the last bar of the clip (or of the cursor) is still on screen.
pub fn scroll(st: &mut PianoState, cx: &mut Cx<'_>, pitches: i64, beats: f64) {
    let main = cx.main;
    let rows = grid_rows(main).max(1) as i64;
    let cpb = st.cols_per_beat();
    let span = st.grid_cols_for(cx.project, main).max(1) as f64 / cpb;
    let length = match clip(st, cx) {
        Some((_, c)) => match c.content {
            ClipContent::Midi(m) => m.offset + m.length,
            ClipContent::Audio(_) => 0.0,
        },
        None => 0.0,
    };
    let qpb = cx.project.time_signature.quarters_per_bar();
    let lowest_top = (rows - 1).min(127);
    st.top_pitch = (st.top_pitch as i64 + pitches).clamp(lowest_top, 127) as u8;
    let bottom = (st.top_pitch as i64 + 1 - rows).max(0) as u8;
    st.pitch = st.pitch.clamp(bottom, st.top_pitch);
    let end = length.max(st.cursor + st.grid);
    let max_beat = floor_to((end - 1e-6).max(0.0), qpb);
    st.scroll_beat =
        (st.scroll_beat + beats).clamp(0.0, max_beat.max(st.scroll_beat.min(max_beat)));
    let g = st.grid;
    // On screen means the whole grid step fits (see `ensure_visible`).
    let lo = ((st.scroll_beat - 1e-9) / g).ceil() * g;
    let hi = floor_to(st.scroll_beat + span - g + 1e-9, g);
    if lo <= hi {
        st.cursor = st.cursor.clamp(lo, hi);
    }
}

/// Keeps the cursor on screen.
pub fn ensure_visible(st: &mut PianoState, project: &Project, main: Rect) {
    let cols = st.grid_cols_for(project, main).max(1) as f64;
    let rows = grid_rows(main).max(1) as u8;
    let cpb = st.cols_per_beat();
    let span = cols / cpb;
    if st.cursor < st.scroll_beat {
        st.scroll_beat = floor_to(st.cursor, (span / 4.0).max(st.grid.min(span)));
    } else if st.cursor + st.grid > st.scroll_beat + span {
        st.scroll_beat = (st.cursor - span * 0.75).max(0.0);
    }
    if st.pitch > st.top_pitch {
        st.top_pitch = st.pitch;
    } else if st.pitch + rows <= st.top_pitch {
        st.top_pitch = st.pitch + rows - 1;
    }
    st.top_pitch = st.top_pitch.clamp(rows.saturating_sub(1).min(127), 127);
}
