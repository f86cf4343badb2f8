//! The action registry: every command the keys can run has a name and a one-line doc.
//!
//! Keymaps bind names, the `?` help is generated from this table, so help can never drift from
//! the keys (helix `static_commands!`). The reducer in `update.rs` gives a command its effect,
//! or runs the `:` command it stands for through the command registry (`save` is `:w`, see
//! `ui/commands/`); nothing here touches the App.

use crossterm::event::{KeyEvent, MouseEvent};

/// Where a command means something. Keymap sections for a view may only bind commands that
/// apply to that view; help for a view lists the commands that apply to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Every view.
    Global,
    Arrange,
    Mixer,
    PianoRoll,
    /// The effect editor opened from a mixer insert.
    FxEditor,
    /// The chat with the assistant.
    Chat,
}

macro_rules! commands {
    ($( $variant:ident = $name:literal, [$($scope:ident),*], $repeat:literal, $doc:literal; )*) => {
        /// A command of the registry. Keymaps refer to it by [`Cmd::name`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Cmd { $( #[doc = $doc] $variant, )* }

        impl Cmd {
            /// Every command, in registry order (the order help lists them in).
            pub const ALL: &'static [Cmd] = &[$(Cmd::$variant,)*];

            /// The name keymaps use, e.g. `transport_toggle`.
            pub fn name(self) -> &'static str {
                match self { $(Cmd::$variant => $name,)* }
            }

            /// One line saying what the command does.
            pub fn doc(self) -> &'static str {
                match self { $(Cmd::$variant => $doc,)* }
            }

            /// The views where the command applies.
            pub fn scopes(self) -> &'static [Scope] {
                match self { $(Cmd::$variant => &[$(Scope::$scope),*],)* }
            }

            /// Whether `.` repeats it (edits do; movement and view changes do not).
            pub fn repeatable(self) -> bool {
                match self { $(Cmd::$variant => $repeat,)* }
            }
        }
    };
}

commands! {
    NoOp = "no_op", [Global], false, "Do nothing (binding a key to it unbinds the key)";
    TransportToggle = "transport_toggle", [Global], false, "Play from the playhead (where playback stopped), or pause there";
    PlayFromCursor = "play_from_cursor", [Global], false, "Play from the edit cursor (space resumes from the playhead instead)";
    TransportStop = "transport_stop", [Global], false, "Stop and return to where playback started (gg goes to the start)";
    MetronomeToggle = "metronome_toggle", [Global], false, "Turn the metronome click on or off";
    CountInToggle = "count_in_toggle", [Global], false, "Turn the one-bar count-in before playback on or off";
    RecordToggle = "record_toggle", [Global], false, "Record live MIDI into the armed MIDI track from the cursor, or stop recording";
    MidiLearn = "midi_learn", [Mixer, FxEditor], false, "MIDI learn: the next controller moved binds to the control under the cursor";
    Help = "help", [Global], false, "Show the keys of this view";
    CommandMode = "command_mode", [Global], false, "Type a command (:w, :q, :bpm 120, :help)";
    NormalMode = "normal_mode", [Global], false, "Back to normal mode; close a popup; in the chat, stop the request that runs";
    VisualMode = "visual_mode", [Arrange, PianoRoll], false, "Select a time range (then delete, yank, move); in the piano roll every pitch in it";
    VisualBlock = "visual_block", [PianoRoll], false, "Select a block of time and pitch (visual mode narrowed to the pitches between anchor and cursor)";
    InsertMode = "insert_mode", [PianoRoll], false, "Enter notes by letter (c d e f g a b)";
    Undo = "undo", [Global], false, "Undo the last edit";
    Redo = "redo", [Global], false, "Redo the last undone edit";
    RepeatLast = "repeat_last", [Global], false, "Repeat the last edit";
    Save = "save", [Global], false, "Save the project";
    Quit = "quit", [Global], false, "Quit (asks when there are unsaved changes)";
    NextView = "next_view", [Global], false, "Next view (arrange, mixer, piano roll, chat)";
    PrevView = "prev_view", [Global], false, "Previous view";
    ViewArrange = "view_arrange", [Global], false, "Show the arrange view";
    ViewMixer = "view_mixer", [Global], false, "Show the mixer";
    ViewPianoRoll = "view_piano_roll", [Global], false, "Show the piano roll of the selected MIDI clip";
    ViewChat = "view_chat", [Global], false, "Chat with the assistant: type into its view (or its panel, when :chat panel shows it)";
    ChatPanel = "chat_panel", [Global], false, "Show or hide the chat as a panel beside the arrange view and the piano roll (120 columns or wider)";
    ChatType = "chat_type", [Chat], false, "Type a question (enter sends, alt-enter or C-j starts a new line, esc stops typing)";
    ChatApply = "chat_apply", [Chat], false, "Apply the proposed change as one undo step (u takes all of it back)";
    ChatAudition = "chat_audition", [Chat], false, "Play the proposed notes before applying them; again stops";
    GotoStart = "goto_start", [Global], false, "Cursor and playhead to the start";
    GotoEnd = "goto_end", [Global], false, "Cursor to the end of the song";
    LineStart = "line_start", [Arrange, Mixer, PianoRoll], false, "Cursor to the start of the line: the timeline's start, the clip's start, the first strip";
    LineEnd = "line_end", [Arrange, Mixer, PianoRoll], false, "Cursor to the end of the line: the last step of the track's last clip, of the clip, the master strip";
    MoveLeft = "move_left", [Global], false, "Cursor left: earlier in time, previous strip";
    MoveRight = "move_right", [Global], false, "Cursor right: later in time, next strip";
    MoveUp = "move_up", [Global], false, "Cursor up: previous track, higher pitch, previous value";
    MoveDown = "move_down", [Global], false, "Cursor down: next track, lower pitch, next value";
    NextItem = "next_item", [Arrange, PianoRoll], false, "Cursor to the start of the next clip or note";
    PrevItem = "prev_item", [Arrange, PianoRoll], false, "Cursor to the start of the previous clip or note";
    ScrollDown = "scroll_down", [Arrange, PianoRoll, Chat], false, "Scroll down a row (next track, lower pitch); the cursor stays on screen";
    ScrollUp = "scroll_up", [Arrange, PianoRoll, Chat], false, "Scroll up a row (previous track, higher pitch); the cursor stays on screen";
    ScrollLeft = "scroll_left", [Arrange, PianoRoll], false, "Scroll the timeline a bar earlier; the cursor stays on screen";
    ScrollRight = "scroll_right", [Arrange, PianoRoll], false, "Scroll the timeline a bar later; the cursor stays on screen";
    ScrollLeftHalf = "scroll_left_half", [Arrange, PianoRoll], false, "Scroll the timeline half a screen earlier";
    ScrollRightHalf = "scroll_right_half", [Arrange, PianoRoll], false, "Scroll the timeline half a screen later";
    ZoomIn = "zoom_in", [Arrange, PianoRoll], false, "Zoom in (more columns per beat)";
    ZoomOut = "zoom_out", [Arrange, PianoRoll], false, "Zoom out";
    GridFiner = "grid_finer", [Arrange, PianoRoll], false, "Halve the grid step";
    GridCoarser = "grid_coarser", [Arrange, PianoRoll], false, "Double the grid step";
    Delete = "delete", [Arrange, PianoRoll], true, "Delete the clip or note under the cursor (or the selection), keeping a copy";
    Yank = "yank", [Arrange, PianoRoll], false, "Copy the clip or note under the cursor (or the selection)";
    Paste = "paste", [Arrange, PianoRoll], true, "Paste at the cursor";
    Duplicate = "duplicate", [Arrange, PianoRoll], true, "Duplicate the clip or notes right after themselves";
    ShiftLeft = "shift_left", [Arrange, PianoRoll], true, "Move the clip or notes one grid step earlier";
    ShiftRight = "shift_right", [Arrange, PianoRoll], true, "Move the clip or notes one grid step later";
    ShiftUp = "shift_up", [Arrange, PianoRoll], true, "Move the clip to the track above; notes up a semitone";
    ShiftDown = "shift_down", [Arrange, PianoRoll], true, "Move the clip to the track below; notes down a semitone";
    Shorten = "shorten", [Arrange, PianoRoll], true, "Shorten the clip or notes by one grid step (trim the end)";
    Lengthen = "lengthen", [Arrange, PianoRoll], true, "Lengthen the clip or notes by one grid step";
    TrimStartLater = "trim_start_later", [Arrange], true, "Trim the clip's start one grid step later";
    TrimStartEarlier = "trim_start_earlier", [Arrange], true, "Extend the clip's start one grid step earlier";
    ClipSplit = "clip_split", [Arrange], true, "Split the clip at the cursor";
    ClipNew = "clip_new", [Arrange], true, "New empty MIDI clip (one bar) at the cursor";
    OpenPianoRoll = "open_piano_roll", [Arrange], false, "Edit the MIDI clip under the cursor in the piano roll";
    TrackAddMidi = "track_add_midi", [Arrange, Mixer], true, "Add a MIDI track below the selected one";
    TrackAddAudio = "track_add_audio", [Arrange, Mixer], true, "Add an audio track below the selected one";
    TrackAddBus = "track_add_bus", [Arrange, Mixer], true, "Add a bus track below the selected one";
    TrackRename = "track_rename", [Arrange, Mixer], false, "Rename the selected track";
    TrackDelete = "track_delete", [Arrange, Mixer], true, "Delete the selected track";
    TrackMoveUp = "track_move_up", [Arrange, Mixer], true, "Move the selected track up (left in the mixer)";
    TrackMoveDown = "track_move_down", [Arrange, Mixer], true, "Move the selected track down (right in the mixer)";
    TrackMute = "track_mute", [Arrange, Mixer], true, "Mute or unmute the selected track";
    TrackSolo = "track_solo", [Arrange, Mixer], true, "Solo or unsolo the selected track";
    TrackArm = "track_arm", [Arrange, Mixer], true, "Arm or disarm the selected track for recording";
    TrackInput = "track_input", [Arrange, Mixer], true, "Audio track: next input channels to record (default, 1, 2, …, 1-2, 3-4, …, none; :input picks the device)";
    TrackMonitor = "track_monitor", [Arrange, Mixer], true, "Audio track: next monitoring mode (auto: hear the input while stopped or recording, mon: always, off)";
    LoopToggle = "loop_toggle", [Arrange], true, "Turn the loop region on or off";
    LoopSet = "loop_set", [Arrange], true, "Loop the selected range (or the bar under the cursor)";
    MarkerAdd = "marker_add", [Arrange], true, "Add a marker at the cursor";
    MarkerNext = "marker_next", [Arrange], false, "Cursor to the next marker (:marker NAME adds, rename, rm)";
    MarkerPrev = "marker_prev", [Arrange], false, "Cursor to the previous marker";
    FadeInLonger = "fade_in_longer", [Arrange], true, "Audio clip under the cursor: fade-in one grid step longer (:fade in 1)";
    FadeInShorter = "fade_in_shorter", [Arrange], true, "Audio clip under the cursor: fade-in one grid step shorter";
    FadeOutLonger = "fade_out_longer", [Arrange], true, "Audio clip under the cursor: fade-out one grid step longer (:fade out 1)";
    FadeOutShorter = "fade_out_shorter", [Arrange], true, "Audio clip under the cursor: fade-out one grid step shorter";
    ClipGainUp = "clip_gain_up", [Arrange], true, "Audio clip under the cursor: gain +1 dB (:gain -3 sets it)";
    ClipGainDown = "clip_gain_down", [Arrange], true, "Audio clip under the cursor: gain -1 dB";
    InstrumentBrowser = "instrument_browser", [Arrange, PianoRoll], false, "Choose the MIDI track's instrument: GM programs, drum kits, synth presets";
    LanesToggle = "lanes_toggle", [Arrange], false, "Show or hide the selected track's automation lanes (j moves onto them)";
    TakesToggle = "takes_toggle", [Arrange], false, "Show or hide the selected track's take lanes (j moves onto them)";
    TakeChoose = "take_choose", [Arrange], false, "Take lane: the take under the cursor plays over its whole range (what played there moves to a take lane)";
    TakeComp = "take_comp", [Arrange], false, "Take lane, visual mode: only the selected range of the take under the cursor plays (comp)";
    TakeDelete = "take_delete", [Arrange], false, "Take lane: delete the take under the cursor from its lane";
    PointAdd = "point_add", [Arrange], true, "Lane: add a point at the cursor with the lane's value there";
    PointUp = "point_up", [Arrange], true, "Lane: raise the point at the cursor a step (0.5 dB, 0.05 pan, a parameter's step)";
    PointDown = "point_down", [Arrange], true, "Lane: lower the point at the cursor a step";
    PointUpCoarse = "point_up_coarse", [Arrange], true, "Lane: raise the point at the cursor a coarse step (3 dB, 0.25 pan, ten steps)";
    PointDownCoarse = "point_down_coarse", [Arrange], true, "Lane: lower the point at the cursor a coarse step";
    PointLeft = "point_left", [Arrange], true, "Lane: move the point at the cursor one grid step earlier";
    PointRight = "point_right", [Arrange], true, "Lane: move the point at the cursor one grid step later";
    PointDelete = "point_delete", [Arrange], true, "Lane: delete the point at the cursor";
    PointCurve = "point_curve", [Arrange], true, "Lane: the segment after the point: straight, slow start (0.5), fast start (-0.5)";
    PointValue = "point_value", [Arrange], false, "Lane: type the value of the point at the cursor (:automate TARGET BEAT=VALUE)";
    ValueUp = "value_up", [Mixer, PianoRoll, FxEditor], true, "Raise the selected value (fader +1 dB, pan right, send, velocity +8, an effect parameter one step)";
    ValueDown = "value_down", [Mixer, PianoRoll, FxEditor], true, "Lower the selected value";
    ValueReset = "value_reset", [Mixer, FxEditor], true, "Reset the selected value (0 dB, centre, the parameter's default)";
    ValueUpCoarse = "value_up_coarse", [FxEditor], true, "Raise the parameter by a coarse step (ten fine ones)";
    ValueDownCoarse = "value_down_coarse", [FxEditor], true, "Lower the parameter by a coarse step";
    ValueType = "value_type", [FxEditor], false, "Type the parameter's value (:fx set on the command line)";
    FxOpen = "fx_open", [Mixer], false, "Open the effect editor on the insert under the cursor";
    FxAdd = "fx_add", [Mixer, FxEditor], false, "Add an effect kind or a preset to the strip's chain (a picker; / filters)";
    FxBypass = "fx_bypass", [Mixer, FxEditor], true, "Bypass or engage the effect";
    FxRemove = "fx_remove", [Mixer, FxEditor], true, "Remove the effect (u brings it back)";
    FxMoveUp = "fx_move_up", [Mixer, FxEditor], true, "Move the effect one place earlier in its chain";
    FxMoveDown = "fx_move_down", [Mixer, FxEditor], true, "Move the effect one place later in its chain";
    FxHideOff = "fx_hide_off", [FxEditor], false, "EQ: hide the bands that are off, or show each folded to one line";
    FxClose = "fx_close", [FxEditor], false, "Back to the mixer (esc too)";
    PresetSave = "preset_save", [Mixer, FxEditor], false, "Save the effect as a preset (asks for a name)";
    SendPrePost = "send_pre_post", [Mixer], true, "Switch the send under the cursor between pre- and post-fader";
    NoteInsert = "note_insert", [PianoRoll], true, "Insert a note at the cursor, one grid step long";
    Quantize = "quantize", [PianoRoll], true, "Snap the selected notes (or all) to the grid";
    Audition = "audition", [PianoRoll], false, "Play the pitch under the cursor";
    NoteC = "note_c", [PianoRoll], false, "Insert mode: enter a C and step on";
    NoteCs = "note_c_sharp", [PianoRoll], false, "Insert mode: enter a C# and step on";
    NoteD = "note_d", [PianoRoll], false, "Insert mode: enter a D and step on";
    NoteDs = "note_d_sharp", [PianoRoll], false, "Insert mode: enter a D# and step on";
    NoteE = "note_e", [PianoRoll], false, "Insert mode: enter an E and step on";
    NoteF = "note_f", [PianoRoll], false, "Insert mode: enter an F and step on";
    NoteFs = "note_f_sharp", [PianoRoll], false, "Insert mode: enter an F# and step on";
    NoteG = "note_g", [PianoRoll], false, "Insert mode: enter a G and step on";
    NoteGs = "note_g_sharp", [PianoRoll], false, "Insert mode: enter a G# and step on";
    NoteA = "note_a", [PianoRoll], false, "Insert mode: enter an A and step on";
    NoteAs = "note_a_sharp", [PianoRoll], false, "Insert mode: enter an A# and step on";
    NoteB = "note_b", [PianoRoll], false, "Insert mode: enter a B and step on";
    Rest = "rest", [PianoRoll], false, "Insert mode: step on without a note";
    OctaveUp = "octave_up", [PianoRoll], false, "Insert mode: entered notes one octave higher";
    OctaveDown = "octave_down", [PianoRoll], false, "Insert mode: entered notes one octave lower";
    DeleteBack = "delete_back", [PianoRoll], false, "Insert mode: remove the note before the cursor and step back";
    PlayMode = "play_mode", [PianoRoll], false, "Play mode: the computer keyboard plays the track (a w s e d f t g y h u j k = C to C); armed, it records";
    PlayC = "play_c", [PianoRoll], false, "Play mode: play a C (recorded when the track is armed)";
    PlayCs = "play_c_sharp", [PianoRoll], false, "Play mode: play a C#";
    PlayD = "play_d", [PianoRoll], false, "Play mode: play a D";
    PlayDs = "play_d_sharp", [PianoRoll], false, "Play mode: play a D#";
    PlayE = "play_e", [PianoRoll], false, "Play mode: play an E";
    PlayF = "play_f", [PianoRoll], false, "Play mode: play an F";
    PlayFs = "play_f_sharp", [PianoRoll], false, "Play mode: play an F#";
    PlayG = "play_g", [PianoRoll], false, "Play mode: play a G";
    PlayGs = "play_g_sharp", [PianoRoll], false, "Play mode: play a G#";
    PlayA = "play_a", [PianoRoll], false, "Play mode: play an A";
    PlayAs = "play_a_sharp", [PianoRoll], false, "Play mode: play an A#";
    PlayB = "play_b", [PianoRoll], false, "Play mode: play a B";
    PlayHighC = "play_high_c", [PianoRoll], false, "Play mode: play the C an octave above";
    PlayOctaveDown = "play_octave_down", [PianoRoll], false, "Play mode: the keyboard one octave lower";
    PlayOctaveUp = "play_octave_up", [PianoRoll], false, "Play mode: the keyboard one octave higher";
    PlayVelocityDown = "play_velocity_down", [PianoRoll], false, "Play mode: softer (velocity -16)";
    PlayVelocityUp = "play_velocity_up", [PianoRoll], false, "Play mode: harder (velocity +16)";
    ChordPrompt = "chord_prompt", [PianoRoll], false, "Type a chord symbol (Cmaj7, Am/E) to place at the cursor (:chord)";
    Humanize = "humanize", [PianoRoll], true, "Humanize the selected notes (or all): timing ±10 ms, velocity ±8 (:humanize)";
    PromptQuantize = "prompt_quantize", [PianoRoll], false, "Quantize with options: grid, strength, swing, ends (:quantize)";
    PromptTranspose = "prompt_transpose", [PianoRoll], false, "Transpose by semitones or scale steps (:transpose N [inkey])";
    PromptGroove = "prompt_groove", [PianoRoll], false, "Apply a groove template, or extract/apply a clip's groove (:groove)";
    PromptArp = "prompt_arp", [PianoRoll], false, "Arpeggiate the selected chords into notes, or set the live arp (:arp)";
    PromptScale = "prompt_scale", [PianoRoll], false, "Snap notes to a scale, or turn scale snap off (:scale)";
}

impl Cmd {
    /// Looks a command up by its keymap name.
    pub fn from_name(name: &str) -> Option<Cmd> {
        Cmd::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// Whether the command applies in `scope` (global commands apply everywhere).
    pub fn applies_to(self, scope: Scope) -> bool {
        let s = self.scopes();
        s.contains(&Scope::Global) || s.contains(&scope)
    }

    /// The pitch class (0 = C) a note-entry command enters.
    pub fn note_class(self) -> Option<u8> {
        Some(match self {
            Cmd::NoteC => 0,
            Cmd::NoteCs => 1,
            Cmd::NoteD => 2,
            Cmd::NoteDs => 3,
            Cmd::NoteE => 4,
            Cmd::NoteF => 5,
            Cmd::NoteFs => 6,
            Cmd::NoteG => 7,
            Cmd::NoteGs => 8,
            Cmd::NoteA => 9,
            Cmd::NoteAs => 10,
            Cmd::NoteB => 11,
            _ => return None,
        })
    }

    /// The key of play mode's keyboard a command plays: 0 = its C … 12 = the C above.
    pub fn play_key(self) -> Option<u8> {
        const KEYS: [Cmd; 13] = [
            Cmd::PlayC,
            Cmd::PlayCs,
            Cmd::PlayD,
            Cmd::PlayDs,
            Cmd::PlayE,
            Cmd::PlayF,
            Cmd::PlayFs,
            Cmd::PlayG,
            Cmd::PlayGs,
            Cmd::PlayA,
            Cmd::PlayAs,
            Cmd::PlayB,
            Cmd::PlayHighC,
        ];
        KEYS.iter().position(|c| *c == self).map(|i| i as u8)
    }
}

/// A `:` command as help lists it. The command registry (`ui/commands/`) gives these rows to
/// the App when help opens, so the help view never imports the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandDoc {
    pub name: &'static str,
    /// Other names that run the same command.
    pub aliases: &'static [&'static str],
    /// Argument synopsis, e.g. `[DIR]`.
    pub args: &'static str,
    pub doc: &'static str,
}

/// Everything that can change the App: the input of the one reducer, `update(&mut App, Action)`.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A key press; resolved through the keymap of the current view and mode.
    Key(KeyEvent),
    /// A mouse event (clicks and drags in the piano roll and arrange view).
    Mouse(MouseEvent),
    /// Text pasted by the terminal (bracketed paste) into the command line.
    Paste(String),
    /// The terminal changed size.
    Resize(u16, u16),
    /// Time passed: poll the engine and the meters, expire the status message.
    Tick,
    /// Background work reported, or a timer is due (see `ui::jobs`).
    Job(super::jobs::JobEvent),
    /// Run a registry command `count` times (1 when no count was typed).
    Run(Cmd, usize),
    /// Run a command line, as typed after `:` (e.g. `bpm 120`).
    Ex(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_snake_case_and_documented() {
        let mut seen = HashSet::new();
        for c in Cmd::ALL {
            assert!(seen.insert(c.name()), "duplicate name {}", c.name());
            assert!(c
                .name()
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch == '_'));
            assert!(!c.doc().is_empty() && !c.doc().ends_with('.'));
            assert_eq!(Cmd::from_name(c.name()), Some(*c));
        }
    }
}
