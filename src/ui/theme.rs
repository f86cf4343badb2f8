//! Themes: scoped TOML with fallback, a palette and inheritance (helix `theme.rs`).
//!
//! `"mixer.meter.clip"` falls back to `"mixer.meter"`, then `"mixer"`, then the empty style.
//! A value is a colour (the foreground) or a table `{ fg, bg, modifiers = ["bold"] }`; colours
//! are palette names, `#rrggbb` or ANSI names. `inherits = "dark"` starts from another theme.
//! Colours are reduced to what the terminal shows: 256 or 16 colours, or none under `NO_COLOR`.

use ratatui::style::{Color, Modifier, Style};
use std::collections::HashMap;
use thiserror::Error;

/// The built-in themes, compiled in.
pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// How many colours the terminal shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorDepth {
    /// 24-bit colour.
    TrueColor,
    /// The xterm 256-colour palette.
    Ansi256,
    /// The 16 ANSI colours.
    Ansi16,
    /// No colour at all (`NO_COLOR`): only bold, reverse and underline.
    None,
}

impl ColorDepth {
    /// Reads `NO_COLOR`, `COLORTERM` and `TERM`.
    pub fn detect() -> ColorDepth {
        let var = |k: &str| std::env::var(k).unwrap_or_default();
        Self::from_env(
            std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            &var("COLORTERM"),
            &var("TERM"),
        )
    }

    /// The depth for given environment values.
    pub fn from_env(no_color: bool, colorterm: &str, term: &str) -> ColorDepth {
        if no_color || term == "dumb" {
            ColorDepth::None
        } else if colorterm == "truecolor" || colorterm == "24bit" {
            ColorDepth::TrueColor
        } else if term.contains("256") || term.starts_with("tmux") || term.contains("kitty") {
            ColorDepth::Ansi256
        } else {
            ColorDepth::Ansi16
        }
    }
}

/// Why a theme could not be loaded; names the theme and the place.
#[derive(Debug, Error, PartialEq)]
pub enum ThemeError {
    #[error("theme '{0}' not found (built in: dark, light, high-contrast; or a file in the config dir's themes/)")]
    NotFound(String),
    #[error("theme '{name}': {message}")]
    Bad { name: String, message: String },
}

/// A resolved theme: a style per scope.
#[derive(Clone, Debug)]
pub struct Theme {
    pub name: String,
    styles: HashMap<String, Style>,
}

impl Theme {
    /// Loads a theme by name: the config dir's `themes/NAME.toml` first, then a built-in one.
    pub fn load(name: &str, depth: ColorDepth) -> Result<Theme, ThemeError> {
        let mut chain = Vec::new();
        let mut next = Some(name.to_string());
        while let Some(n) = next.take() {
            if chain.iter().any(|(c, _): &(String, toml::Table)| *c == n) || chain.len() > 8 {
                return Err(ThemeError::Bad {
                    name: name.into(),
                    message: format!("'inherits' loops through '{n}'"),
                });
            }
            let text = theme_text(&n).ok_or_else(|| ThemeError::NotFound(n.clone()))?;
            let table: toml::Table = toml::from_str(&text).map_err(|e| ThemeError::Bad {
                name: n.clone(),
                message: e.message().to_string(),
            })?;
            next = table
                .get("inherits")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            chain.push((n, table));
        }
        // Merge from the root ancestor down: children override scopes and palette entries.
        let mut palette: HashMap<String, Color> = HashMap::new();
        let mut raw: HashMap<String, toml::Value> = HashMap::new();
        for (n, table) in chain.iter().rev() {
            if let Some(p) = table.get("palette").and_then(|p| p.as_table()) {
                for (k, v) in p {
                    let s = v.as_str().ok_or_else(|| ThemeError::Bad {
                        name: n.clone(),
                        message: format!("palette.{k} must be a colour string"),
                    })?;
                    let c = parse_color(s, &HashMap::new()).ok_or_else(|| ThemeError::Bad {
                        name: n.clone(),
                        message: format!("palette.{k}: '{s}' is not a colour"),
                    })?;
                    palette.insert(k.clone(), c);
                }
            }
            for (k, v) in table {
                if k != "palette" && k != "inherits" {
                    raw.insert(k.clone(), v.clone());
                }
            }
        }
        let mut styles = HashMap::new();
        for (scope, v) in raw {
            let style = parse_style(&v, &palette).map_err(|message| ThemeError::Bad {
                name: name.into(),
                message: format!("{scope}: {message}"),
            })?;
            styles.insert(scope, reduce(style, depth));
        }
        Ok(Theme {
            name: name.into(),
            styles,
        })
    }

    /// The default theme (dark), or an uncoloured one if even that fails.
    pub fn fallback(depth: ColorDepth) -> Theme {
        Theme::load("dark", depth).unwrap_or_else(|_| Theme {
            name: "none".into(),
            styles: HashMap::new(),
        })
    }

    /// The style of a scope, falling back to its parents (`a.b.c` → `a.b` → `a`).
    pub fn get(&self, scope: &str) -> Style {
        let mut s = scope;
        loop {
            if let Some(st) = self.styles.get(s) {
                return *st;
            }
            match s.rfind('.') {
                Some(i) => s = &s[..i],
                None => return Style::default(),
            }
        }
    }

    /// Whether the theme defines exactly this scope (no fallback).
    pub fn has(&self, scope: &str) -> bool {
        self.styles.contains_key(scope)
    }
}

/// The names of the themes that can be loaded: built-in ones and the user's files.
pub fn theme_names() -> Vec<String> {
    let mut names: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
    if let Ok(rd) = std::fs::read_dir(crate::config::config_dir().join("themes")) {
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "toml") {
                if let Some(stem) = p.file_stem() {
                    let s = stem.to_string_lossy().into_owned();
                    if !names.contains(&s) {
                        names.push(s);
                    }
                }
            }
        }
    }
    names
}

fn theme_text(name: &str) -> Option<String> {
    if name.contains(['/', '\\']) || name.starts_with('.') {
        return None;
    }
    let user = crate::config::config_dir()
        .join("themes")
        .join(format!("{name}.toml"));
    if let Ok(t) = std::fs::read_to_string(user) {
        return Some(t);
    }
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t.to_string())
}

fn parse_style(v: &toml::Value, palette: &HashMap<String, Color>) -> Result<Style, String> {
    let color = |s: &str| parse_color(s, palette).ok_or_else(|| format!("'{s}' is not a colour"));
    match v {
        toml::Value::String(s) => Ok(Style::default().fg(color(s)?)),
        toml::Value::Table(t) => {
            let mut st = Style::default();
            for (k, val) in t {
                match (k.as_str(), val) {
                    ("fg", toml::Value::String(s)) => st = st.fg(color(s)?),
                    ("bg", toml::Value::String(s)) => st = st.bg(color(s)?),
                    ("modifiers", toml::Value::Array(mods)) => {
                        for m in mods {
                            let m = m.as_str().unwrap_or("");
                            st = st.add_modifier(match m {
                                "bold" => Modifier::BOLD,
                                "dim" => Modifier::DIM,
                                "italic" => Modifier::ITALIC,
                                "underlined" => Modifier::UNDERLINED,
                                "reversed" => Modifier::REVERSED,
                                _ => return Err(format!("unknown modifier '{m}'")),
                            });
                        }
                    }
                    _ => return Err(format!("unknown or malformed key '{k}'")),
                }
            }
            Ok(st)
        }
        _ => Err("must be a colour or a table { fg, bg, modifiers }".into()),
    }
}

fn parse_color(s: &str, palette: &HashMap<String, Color>) -> Option<Color> {
    if let Some(c) = palette.get(s) {
        return Some(*c);
    }
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() == 6 {
            let v = u32::from_str_radix(hex, 16).ok()?;
            return Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
        }
        return None;
    }
    Some(match s {
        "default" | "reset" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" => Color::Gray,
        "light-red" => Color::LightRed,
        "light-green" => Color::LightGreen,
        "light-yellow" => Color::LightYellow,
        "light-blue" => Color::LightBlue,
        "light-magenta" => Color::LightMagenta,
        "light-cyan" => Color::LightCyan,
        "light-gray" | "dark-gray" => Color::DarkGray,
        "white" => Color::White,
        _ => return None,
    })
}

/// Reduces a style to the terminal's colour depth.
pub fn reduce(style: Style, depth: ColorDepth) -> Style {
    let map = |c: Option<Color>| c.map(|c| reduce_color(c, depth));
    match depth {
        ColorDepth::None => Style {
            fg: None,
            bg: None,
            ..style
        },
        _ => Style {
            fg: map(style.fg),
            bg: map(style.bg),
            ..style
        },
    }
}

/// One colour reduced to the terminal's depth.
pub fn reduce_color(c: Color, depth: ColorDepth) -> Color {
    let Color::Rgb(r, g, b) = c else {
        return c;
    };
    match depth {
        ColorDepth::TrueColor => c,
        ColorDepth::Ansi256 => Color::Indexed(rgb_to_256(r, g, b)),
        ColorDepth::Ansi16 => nearest_16(r, g, b),
        ColorDepth::None => Color::Reset,
    }
}

fn rgb_to_256(r: u8, g: u8, b: u8) -> u8 {
    let to6 = |v: u8| -> u8 {
        if v < 48 {
            0
        } else if v < 115 {
            1
        } else {
            (v - 35) / 40
        }
    };
    let (cr, cg, cb) = (to6(r), to6(g), to6(b));
    let level = |i: u8| if i == 0 { 0 } else { 55 + 40 * i as i32 };
    let cube_err = sq(level(cr) - r as i32) + sq(level(cg) - g as i32) + sq(level(cb) - b as i32);
    let avg = (r as i32 + g as i32 + b as i32) / 3;
    let gi = ((avg - 3).max(0) / 10).min(23);
    let gv = 8 + 10 * gi;
    let gray_err = sq(gv - r as i32) + sq(gv - g as i32) + sq(gv - b as i32);
    if gray_err < cube_err {
        232 + gi as u8
    } else {
        16 + 36 * cr + 6 * cg + cb
    }
}

fn sq(x: i32) -> i32 {
    x * x
}

fn nearest_16(r: u8, g: u8, b: u8) -> Color {
    const TABLE: [(Color, (i32, i32, i32)); 16] = [
        (Color::Black, (0, 0, 0)),
        (Color::Red, (205, 0, 0)),
        (Color::Green, (0, 205, 0)),
        (Color::Yellow, (205, 205, 0)),
        (Color::Blue, (0, 0, 238)),
        (Color::Magenta, (205, 0, 205)),
        (Color::Cyan, (0, 205, 205)),
        (Color::Gray, (229, 229, 229)),
        (Color::DarkGray, (127, 127, 127)),
        (Color::LightRed, (255, 0, 0)),
        (Color::LightGreen, (0, 255, 0)),
        (Color::LightYellow, (255, 255, 0)),
        (Color::LightBlue, (92, 92, 255)),
        (Color::LightMagenta, (255, 0, 255)),
        (Color::LightCyan, (0, 255, 255)),
        (Color::White, (255, 255, 255)),
    ];
    let (r, g, b) = (r as i32, g as i32, b as i32);
    TABLE
        .iter()
        .min_by_key(|(_, (tr, tg, tb))| sq(tr - r) + sq(tg - g) + sq(tb - b))
        .map(|(c, _)| *c)
        .unwrap_or(Color::Reset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_load_and_define_the_base_scopes() {
        for (name, _) in BUILTIN {
            let t = Theme::load(name, ColorDepth::TrueColor).unwrap();
            for scope in [
                "ui.background",
                "ui.statusline",
                "arrange.clip.midi",
                "mixer.meter.clip",
            ] {
                assert_ne!(t.get(scope), Style::default(), "{name}: {scope}");
            }
        }
    }

    #[test]
    fn scopes_fall_back_to_parents() {
        let t = Theme::load("dark", ColorDepth::TrueColor).unwrap();
        assert!(!t.has("mixer.meter.nonexistent"));
        assert_eq!(t.get("mixer.meter.nonexistent"), t.get("mixer.meter"));
        assert_eq!(t.get("no.such.scope"), Style::default());
    }

    #[test]
    fn no_color_keeps_only_modifiers_and_16_colours_are_ansi() {
        let t = Theme::load("dark", ColorDepth::None).unwrap();
        let s = t.get("ui.selection");
        assert_eq!((s.fg, s.bg), (None, None));
        let t = Theme::load("dark", ColorDepth::Ansi16).unwrap();
        for scope in ["ui.background", "arrange.clip.audio", "mixer.meter.clip"] {
            let s = t.get(scope);
            for c in [s.fg, s.bg].into_iter().flatten() {
                assert!(
                    !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                    "{scope}: {c:?}"
                );
            }
        }
        assert_eq!(nearest_16(250, 10, 10), Color::LightRed);
        assert_eq!(rgb_to_256(0, 0, 0), 16);
        assert_eq!(ColorDepth::from_env(false, "", "xterm"), ColorDepth::Ansi16);
        assert_eq!(
            ColorDepth::from_env(true, "truecolor", "xterm"),
            ColorDepth::None
        );
    }

    #[test]
    fn inherits_and_palette_apply() {
        let t = Theme::load("high-contrast", ColorDepth::TrueColor).unwrap();
        // high-contrast inherits dark and overrides the background.
        let dark = Theme::load("dark", ColorDepth::TrueColor).unwrap();
        assert_ne!(t.get("ui.background"), dark.get("ui.background"));
        assert!(matches!(
            Theme::load("nope", ColorDepth::TrueColor),
            Err(ThemeError::NotFound(_))
        ));
    }
}
