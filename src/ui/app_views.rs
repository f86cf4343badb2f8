//! How the App hands input to the views and carries out what they ask: the contexts it lends
//! them ([`Ctx`] to draw, [`Cx`] to handle keys and the mouse, beside their states), and the
//! [`Effect`]s it applies when a handler returns.

use super::app::{App, Popup};
use super::ctx::{Ctx, Cx, Effect};
use super::keymap::{Mode, ViewKind};
use super::view::View;
use super::views::arrange::ArrangeState;
use super::views::fx_editor::{FxEditorState, FxPicker};
use super::views::mixer::MixerState;
use super::views::piano_roll::{self, PianoState};

impl App {
    /// The context drawing reads.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            project: &self.project,
            theme: &self.theme,
            mode: self.mode,
            view: self.view,
            transport: &self.transport,
            meters: &self.meters,
            peaks: &self.peaks,
            main: self.main_area(),
        }
    }

    /// Runs `f` with the view states and a context made of the rest of the App, then does what
    /// follows an edit (when one was applied) and carries out the effects it asked for.
    pub fn with_cx<R>(&mut self, f: impl FnOnce(&mut Cx<'_>, Views<'_>) -> R) -> R {
        let main = self.main_area();
        let App {
            project,
            history,
            engine,
            mode,
            clipboard,
            status,
            status_at,
            transport,
            peaks,
            view,
            arrange,
            mixer,
            fx_editor,
            piano,
            popups,
            ..
        } = self;
        let mut cx = Cx {
            project,
            history,
            engine,
            mode,
            clipboard,
            status,
            status_at,
            transport,
            peaks,
            view: *view,
            main,
            effects: Vec::new(),
            changed: false,
        };
        let r = f(
            &mut cx,
            Views {
                arrange,
                mixer,
                fx_editor,
                piano,
                popups,
            },
        );
        let (effects, changed) = (std::mem::take(&mut cx.effects), cx.changed);
        if changed {
            self.project_changed();
        }
        for e in effects {
            self.carry_out(e);
        }
        r
    }

    /// The view on screen.
    pub fn view_state(&self) -> &dyn View {
        match self.view {
            ViewKind::Arrange => &self.arrange,
            ViewKind::Mixer => &self.mixer,
            ViewKind::PianoRoll => &self.piano,
            ViewKind::FxEditor => &self.fx_editor,
        }
    }

    /// Runs a registry command in the view on screen.
    pub fn view_command(&mut self, cmd: super::action::Cmd, n: usize) {
        let view = self.view;
        self.with_cx(|cx, mut v| v.on_screen(view).command(cx, cmd, n))
    }

    /// Hands a mouse event in the main area to the view on screen.
    pub fn view_mouse(&mut self, ev: crossterm::event::MouseEvent) {
        let view = self.view;
        self.with_cx(|cx, mut v| v.on_screen(view).mouse(cx, ev))
    }

    /// Scrolls the view on screen so that its cursor shows.
    pub fn ensure_visible(&mut self) {
        let main = self.main_area();
        let App {
            project,
            theme,
            mode,
            view,
            transport,
            meters,
            peaks,
            arrange,
            mixer,
            fx_editor,
            piano,
            ..
        } = self;
        let cx = Ctx {
            project,
            theme,
            mode: *mode,
            view: *view,
            transport,
            meters,
            peaks,
            main,
        };
        let on_screen: &mut dyn View = match view {
            ViewKind::Arrange => arrange,
            ViewKind::Mixer => mixer,
            ViewKind::PianoRoll => piano,
            ViewKind::FxEditor => fx_editor,
        };
        on_screen.ensure_visible(&cx);
    }

    /// The presets the effect picker offers: factory and saved (`store::presets`); none when
    /// the index cannot be read (the kinds are still there).
    fn picker_presets(&self) -> Vec<super::views::fx_editor::PickerPreset> {
        crate::store::presets::list()
            .unwrap_or_default()
            .into_iter()
            .map(|p| super::views::fx_editor::PickerPreset {
                name: p.name,
                factory: p.factory,
                effects: p.effects,
            })
            .collect()
    }

    /// Does what a view asked for beyond its own state.
    fn carry_out(&mut self, effect: Effect) {
        match effect {
            Effect::SelectTrack(i) => {
                self.arrange.track = i;
                self.mixer.strip = i;
            }
            Effect::OpenClip { clip, beat, pitch } => {
                let main = self.main_area();
                piano_roll::open(&mut self.piano, &self.project, main, clip, beat, pitch);
                self.view = ViewKind::PianoRoll;
                self.mode = Mode::Normal;
                self.ensure_visible();
            }
            Effect::Audition {
                track,
                pitch,
                velocity,
                length,
            } => self.audition(track, &[pitch], velocity, length),
            Effect::AuditionChord {
                track,
                pitches,
                velocity,
                length,
            } => self.audition(track, &pitches, velocity, length),
            Effect::ArrangeCursor(beat) => self.arrange.cursor = beat,
            Effect::ClosePopup => {
                self.popups.pop();
            }
            Effect::OpenFxEditor { owner, fx } => {
                if self.view != ViewKind::FxEditor || self.fx_editor.fx != fx {
                    self.fx_editor = FxEditorState::open(owner, fx);
                }
                self.view = ViewKind::FxEditor;
                self.mode = Mode::Normal;
            }
            Effect::CloseFxEditor => {
                if self.view == ViewKind::FxEditor {
                    self.view = ViewKind::Mixer;
                }
            }
            Effect::OpenFxPicker(owner) => {
                let presets = self.picker_presets();
                self.popups
                    .push(Popup::FxPicker(Box::new(FxPicker::new(owner, presets))));
            }
            Effect::Prompt(text) => {
                self.mode = Mode::Command;
                self.cmdline.cursor = text.chars().count();
                self.cmdline.text = text;
                self.cmdline.completions.clear();
            }
        }
    }
}

/// The view states, lent to a handler beside the context.
pub struct Views<'a> {
    pub arrange: &'a mut ArrangeState,
    pub mixer: &'a mut MixerState,
    pub fx_editor: &'a mut FxEditorState,
    pub piano: &'a mut PianoState,
    pub popups: &'a mut Vec<Popup>,
}

impl Views<'_> {
    /// The view on screen.
    pub fn on_screen(&mut self, view: ViewKind) -> &mut dyn View {
        match view {
            ViewKind::Arrange => self.arrange,
            ViewKind::Mixer => self.mixer,
            ViewKind::PianoRoll => self.piano,
            ViewKind::FxEditor => self.fx_editor,
        }
    }
}
