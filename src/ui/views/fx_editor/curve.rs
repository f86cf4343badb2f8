//! The EQ's magnitude curve in braille (2×4 dots a cell): the engine's response of the bands
//! that are on (`engine::fx::eq_response_db`), over 20 Hz … 20 kHz on a log axis and ±`SPAN` dB.

use crate::engine::fx::eq_response_db as response_db;
use crate::model::fx::KindSpec;
use crate::ui::ctx::Ctx;
use crate::ui::widgets::{put, set};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// The curve spans ±SPAN dB.
const SPAN: f64 = 18.0;
const F_LO: f64 = 20.0;
const F_HI: f64 = 20_000.0;

pub fn draw(cx: &Ctx<'_>, buf: &mut Buffer, r: Rect, _spec: &KindSpec, values: &[f64]) {
    if r.width < 12 || r.height < 4 {
        return;
    }
    let th = cx.theme;
    let bg = th.get("mixer").bg.unwrap_or_default();
    let dim = th.get("ui.text.dim").bg(bg);
    let line = th.get("mixer.fader").bg(bg);
    // A scale column on the left, frequency labels on the last row.
    let plot = Rect::new(r.x + 4, r.y, r.width - 4, r.height - 1);
    let (w, h) = (plot.width as usize * 2, plot.height as usize * 4);
    let mut dots = vec![0u8; plot.width as usize * plot.height as usize];
    let rate = cx.project.sample_rate;
    let to_y = |db: f64| -> usize {
        let t = ((SPAN - db) / (2.0 * SPAN)).clamp(0.0, 1.0);
        ((t * (h - 1) as f64).round() as usize).min(h - 1)
    };
    let mut prev = None;
    for px in 0..w {
        let f = F_LO * (F_HI / F_LO).powf(px as f64 / (w - 1) as f64);
        let py = to_y(response_db(values, rate, f));
        // A steep slope joins its dots vertically, so the curve reads as one line.
        let (a, b) = match prev {
            Some(q) if q < py => (q + 1, py),
            Some(q) if q > py => (py, q - 1),
            _ => (py, py),
        };
        prev = Some(py);
        for y in a..=b {
            // Braille dot bits: left column 0,1,2,6; right column 3,4,5,7 (top to bottom).
            let bit = match (px % 2, y % 4) {
                (0, 3) => 6,
                (0, k) => k,
                (_, 3) => 7,
                (_, k) => 3 + k,
            };
            dots[(y / 4) * plot.width as usize + px / 2] |= 1 << bit;
        }
    }
    let zero_row = to_y(0.0) / 4;
    for row in 0..plot.height as usize {
        for col in 0..plot.width as usize {
            let d = dots[row * plot.width as usize + col];
            let (x, y) = (plot.x + col as u16, plot.y + row as u16);
            if d != 0 {
                let ch = char::from_u32(0x2800 + d as u32).unwrap_or('·');
                set(buf, x, y, ch, line);
            } else if row == zero_row {
                set(buf, x, y, '·', dim);
            }
        }
    }
    let right = r.x + r.width;
    put(buf, r.x, plot.y, &format!("+{SPAN:.0}"), plot.x, dim);
    put(buf, r.x, plot.y + zero_row as u16, "  0", plot.x, dim);
    put(
        buf,
        r.x,
        plot.y + plot.height - 1,
        &format!("-{SPAN:.0}"),
        plot.x,
        dim,
    );
    let y = r.y + r.height - 1;
    for (f, label) in [(100.0, "100"), (1000.0, "1k"), (10_000.0, "10k")] {
        let t = (f / F_LO).ln() / (F_HI / F_LO).ln();
        let x = plot.x + (t * (plot.width - 1) as f64).round() as u16;
        put(buf, x, y, label, right, dim);
    }
}
