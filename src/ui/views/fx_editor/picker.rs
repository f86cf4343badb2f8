//! The picker that adds to a chain (`a` in the mixer or the editor): every effect kind of the
//! registry, then the presets the App handed in (factory and saved), or every entry that
//! matches a `/` filter. Enter adds the kind (and opens the editor on it) or loads the preset,
//! one undo step either way.

use crate::model::fx;
use crate::model::mixer::{self, Owner};
use crate::model::Effect;
use crate::ui::ctx::{Ctx, Cx, Effect as Ask};
use crate::ui::effects;
use crate::ui::widgets::{fill, fit, frame, put};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// A preset as the picker lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct PickerPreset {
    pub name: String,
    pub factory: bool,
    pub effects: Vec<Effect>,
}

/// State of the picker.
#[derive(Clone, Debug, PartialEq)]
pub struct FxPicker {
    /// The chain it adds to.
    pub owner: Owner,
    pub presets: Vec<PickerPreset>,
    /// Selected entry of the visible list.
    pub item: usize,
    pub filter: String,
    /// Whether keys are typed into the filter.
    pub typing: bool,
}

/// One line of the list.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Entry {
    Kind(usize),
    Preset(usize),
}

impl FxPicker {
    pub fn new(owner: Owner, presets: Vec<PickerPreset>) -> Self {
        FxPicker {
            owner,
            presets,
            item: 0,
            filter: String::new(),
            typing: false,
        }
    }

    /// The entries shown: kinds, then presets, those matching the filter.
    fn visible(&self) -> Vec<Entry> {
        let f = self.filter.to_lowercase();
        let kinds = fx::kinds()
            .iter()
            .enumerate()
            .filter(|(_, k)| k.name.contains(&f) || k.doc.to_lowercase().contains(&f))
            .map(|(i, _)| Entry::Kind(i));
        let presets = self
            .presets
            .iter()
            .enumerate()
            .filter(|(_, p)| p.name.to_lowercase().contains(&f))
            .map(|(i, _)| Entry::Preset(i));
        kinds.chain(presets).collect()
    }

    /// The text of an entry.
    fn label(&self, e: Entry) -> String {
        match e {
            Entry::Kind(i) => {
                let k = &fx::kinds()[i];
                format!("{:<11}{}", k.name, k.doc)
            }
            Entry::Preset(i) => {
                let p = &self.presets[i];
                let kinds: Vec<&str> = p.effects.iter().map(|e| e.kind.as_str()).collect();
                format!(
                    "{:<11}{} preset: {}",
                    p.name,
                    if p.factory { "factory" } else { "saved" },
                    kinds.join(" → ")
                )
            }
        }
    }

    pub fn on_key(&mut self, cx: &mut Cx<'_>, ev: KeyEvent) {
        let len = self.visible().len();
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let mv = |item: usize, d: isize| -> usize {
            (item as isize + d).clamp(0, len.saturating_sub(1) as isize) as usize
        };
        if self.typing {
            match ev.code {
                KeyCode::Esc => {
                    self.filter.clear();
                    self.typing = false;
                }
                KeyCode::Enter => {
                    self.typing = false;
                    self.choose(cx);
                }
                KeyCode::Backspace => {
                    if self.filter.pop().is_none() {
                        self.typing = false;
                    }
                    self.item = 0;
                }
                KeyCode::Down => self.item = mv(self.item, 1),
                KeyCode::Up => self.item = mv(self.item, -1),
                KeyCode::Char(c) if !ctrl => {
                    self.filter.push(c);
                    self.item = 0;
                }
                _ => {}
            }
            return;
        }
        match ev.code {
            KeyCode::Char('j') | KeyCode::Down => self.item = mv(self.item, 1),
            KeyCode::Char('k') | KeyCode::Up => self.item = mv(self.item, -1),
            KeyCode::Char('g') | KeyCode::Home => self.item = 0,
            KeyCode::Char('G') | KeyCode::End => self.item = len.saturating_sub(1),
            KeyCode::Char('/') => {
                self.typing = true;
                self.item = 0;
            }
            KeyCode::Enter | KeyCode::Char('l') => self.choose(cx),
            KeyCode::Esc if !self.filter.is_empty() => {
                self.filter.clear();
                self.item = 0;
            }
            KeyCode::Esc | KeyCode::Char('q') => cx.ask(Ask::ClosePopup),
            _ => {}
        }
    }

    fn choose(&self, cx: &mut Cx<'_>) {
        let Some(&e) = self.visible().get(self.item) else {
            cx.error(format!("nothing matches '{}'", self.filter));
            return;
        };
        cx.ask(Ask::ClosePopup);
        match e {
            Entry::Kind(i) => {
                if let Some(fx) = effects::add_kind(cx, self.owner, fx::kinds()[i].name) {
                    cx.ask(Ask::OpenFxEditor {
                        owner: self.owner,
                        fx,
                    });
                }
            }
            Entry::Preset(i) => {
                let p = &self.presets[i];
                effects::add_preset(cx, self.owner, &p.name, &p.effects);
            }
        }
    }

    pub fn draw(&self, cx: &Ctx<'_>, buf: &mut Buffer, main: Rect) {
        let list = self.visible();
        let w = main.width.saturating_sub(4).min(72);
        let rows = (main.height.saturating_sub(5) as usize).min(list.len().max(1));
        let h = rows as u16 + 4;
        if w < 30 || main.height < 6 {
            return;
        }
        let r = Rect::new(main.x + (main.width - w) / 2, main.y, w, h);
        let th = cx.theme;
        let popup = th.get("ui.popup");
        let dim = th.get("ui.text.dim").bg(popup.bg.unwrap_or_default());
        let title = format!("Add to {}", mixer::owner_name(cx.project, self.owner));
        frame(th, buf, r, &title);
        fill(
            buf,
            Rect::new(r.x + 1, r.y + 1, r.width - 2, r.height - 2),
            popup,
        );
        let right = r.x + r.width - 1;
        let iw = (r.width - 4) as usize;
        let off = if list.len() <= rows {
            0
        } else {
            self.item.saturating_sub(rows / 2).min(list.len() - rows)
        };
        if list.is_empty() {
            put(buf, r.x + 2, r.y + 1, "nothing matches", right, dim);
        }
        for (i, e) in list.iter().enumerate().skip(off).take(rows) {
            let y = r.y + 1 + (i - off) as u16;
            let style = if i == self.item {
                th.get("ui.selection")
            } else {
                popup
            };
            put(buf, r.x + 2, y, &fit(&self.label(*e), iw), right - 1, style);
        }
        let line = if self.typing {
            format!("/{}▏  (enter adds, esc clears)", self.filter)
        } else if !self.filter.is_empty() {
            format!("/{}  ({} matches; esc clears)", self.filter, list.len())
        } else {
            "j/k move · / filter · enter add · esc close".to_string()
        };
        let key = th.get("ui.popup.key");
        put(
            buf,
            r.x + 2,
            r.y + r.height - 2,
            &line,
            right,
            if self.typing { key } else { dim },
        );
    }
}
