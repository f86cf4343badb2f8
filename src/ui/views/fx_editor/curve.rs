//! The EQ's magnitude curve in braille (2×4 dots a cell): every band that is on, as the
//! cookbook biquad `dsp::biquad` builds it (a 24 dB/oct pass band is two sections), summed in
//! dB over 20 Hz … 20 kHz on a log axis and ±`SPAN` dB.

use crate::dsp::{Biquad, BiquadKind};
use crate::model::fx::{KindSpec, EQ_BANDS, EQ_BAND_PARAMS, EQ_TYPES};
use crate::ui::ctx::Ctx;
use crate::ui::widgets::{put, set};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// The curve spans ±SPAN dB.
const SPAN: f64 = 18.0;
const F_LO: f64 = 20.0;
const F_HI: f64 = 20_000.0;

/// The EQ's response in dB at `freq`, from its parameter values (registry order).
pub fn response_db(values: &[f64], rate: u32, freq: f64) -> f64 {
    let mut db = 0.0;
    for b in 0..EQ_BANDS {
        let v = &values[b * EQ_BAND_PARAMS..(b + 1) * EQ_BAND_PARAMS];
        let kind = match EQ_TYPES.get(v[0] as usize).copied() {
            Some("peak") => BiquadKind::Peak,
            Some("lowshelf") => BiquadKind::LowShelf,
            Some("highshelf") => BiquadKind::HighShelf,
            Some("lowpass") => BiquadKind::Lowpass,
            Some("highpass") => BiquadKind::Highpass,
            Some("notch") => BiquadKind::Notch,
            Some("bandpass") => BiquadKind::Bandpass,
            _ => continue,
        };
        let f = Biquad::new(kind, rate, v[1] as f32, v[3] as f32, v[2] as f32);
        let sections = if matches!(kind, BiquadKind::Lowpass | BiquadKind::Highpass) && v[4] >= 24.0
        {
            2.0
        } else {
            1.0
        };
        db += sections * f.magnitude_db(freq as f32, rate);
    }
    db
}

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
        let t = (f / F_LO as f64).ln() / (F_HI / F_LO).ln();
        let x = plot.x + (t * (plot.width - 1) as f64).round() as u16;
        put(buf, x, y, label, right, dim);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fx;

    #[test]
    fn the_curve_is_the_sum_of_the_bands_that_are_on() {
        let spec = fx::kind("eq").unwrap();
        let mut v: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
        assert_eq!(response_db(&v, 48_000, 1000.0), 0.0);
        // Band 4 (1 kHz by default) a peak of +6 dB: +6 dB at its centre.
        v[3 * EQ_BAND_PARAMS] = 1.0;
        v[3 * EQ_BAND_PARAMS + 2] = 6.0;
        assert!((response_db(&v, 48_000, 1000.0) - 6.0).abs() < 0.01);
        // A 24 dB/oct high-pass at 80 Hz (band 1) is two sections: twice the 12 dB one.
        v[0] = 5.0;
        v[4] = 12.0;
        let one = response_db(&v, 48_000, 40.0);
        v[4] = 24.0;
        let two = response_db(&v, 48_000, 40.0);
        let peak_at_40 = {
            let mut p = v.clone();
            p[0] = 0.0;
            response_db(&p, 48_000, 40.0)
        };
        assert!(((two - peak_at_40) - 2.0 * (one - peak_at_40)).abs() < 1e-6);
    }
}
