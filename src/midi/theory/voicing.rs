//! Voicings: how a chord's tones are laid out in pitch, and voice leading from one chord to
//! the next.
//!
//! Definitions (on the close root-position chord, lowest voice first):
//! - **close**: every tone stacked within the chord's own span, root at the bottom (C4 E4 G4 B4);
//! - **drop-2**: the second voice from the TOP dropped an octave (Cmaj7 → G3 C4 E4 B4);
//! - **open**: the second voice from the BOTTOM raised an octave (C E G → C4 G4 E5; Cmaj7 → C4
//!   G4 B4 E5), the spread voicing of triads;
//! - **inversion n**: the lowest n voices moved up an octave before the voicing is applied.
//!
//! A slash chord keeps its bass below the voiced upper tones. Voice leading tries every
//! inversion of the requested voicing in every octave and keeps the one with the least total
//! movement ([`movement`]) from the previous chord.

use super::chord::Chord;
use super::TheoryError;

/// A voicing style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Voicing {
    #[default]
    Close,
    Open,
    Drop2,
}

impl Voicing {
    /// `close`, `open`, `drop2` (also `drop-2`).
    pub fn parse(text: &str) -> Result<Voicing, TheoryError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "close" => Ok(Voicing::Close),
            "open" => Ok(Voicing::Open),
            "drop2" | "drop-2" => Ok(Voicing::Drop2),
            _ => Err(TheoryError::BadVoicing(text.trim().to_string())),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Voicing::Close => "close",
            Voicing::Open => "open",
            Voicing::Drop2 => "drop2",
        }
    }

    /// Applies the style to sorted close-position pitches (as i32: may leave 0..=127 here).
    fn apply(self, close: &mut [i32]) {
        let n = close.len();
        if n < 3 {
            return;
        }
        match self {
            Voicing::Close => {}
            Voicing::Drop2 => close[n - 2] -= 12,
            Voicing::Open => close[1] += 12,
        }
        close.sort_unstable();
    }
}

/// Total movement between two voicings, in semitones: with as many voices, the sorted voices
/// paired bottom to top; otherwise each voice of the larger chord to the nearest voice of the
/// other.
pub fn movement(from: &[u8], to: &[u8]) -> u32 {
    let mut a: Vec<i32> = from.iter().map(|&p| p as i32).collect();
    let mut b: Vec<i32> = to.iter().map(|&p| p as i32).collect();
    a.sort_unstable();
    b.sort_unstable();
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    if a.len() == b.len() {
        return a.iter().zip(&b).map(|(x, y)| x.abs_diff(*y)).sum();
    }
    let (big, small) = if a.len() > b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    big.iter()
        .map(|x| small.iter().map(|y| x.abs_diff(*y)).min().unwrap_or(0))
        .sum()
}

/// Moves the lowest `n` voices of `pitches` up an octave each (n taken modulo the voice
/// count), sorted. Voices that would pass 127 stay where they are.
pub fn invert(pitches: &[u8], n: usize) -> Vec<u8> {
    let mut v: Vec<u8> = pitches.to_vec();
    v.sort_unstable();
    if v.is_empty() {
        return v;
    }
    for p in v.iter_mut().take(n % pitches.len()) {
        if *p <= 115 {
            *p += 12;
        }
    }
    v.sort_unstable();
    v
}

/// The chord voiced in `style`, inversion `inversion`, root position from octave 4 (as
/// `Chord::pitches`), in i32 before range checks. A slash bass goes below everything.
fn voiced_i32(chord: &Chord, style: Voicing, inversion: usize) -> Vec<i32> {
    let root = chord.root.midi(4).map_or(60, i32::from);
    let bass_pc = chord.bass.map(|b| b.pitch_class());
    let mut upper: Vec<i32> = chord
        .quality
        .intervals()
        .iter()
        .zip(chord.tones())
        .filter(|(_, t)| Some(t.pitch_class()) != bass_pc)
        .map(|(i, _)| root + i.semitones as i32)
        .collect();
    upper.sort_unstable();
    let k = upper.len().max(1);
    for p in upper.iter_mut().take(inversion % k) {
        *p += 12;
    }
    upper.sort_unstable();
    style.apply(&mut upper);
    if let Some(pc) = bass_pc {
        let low = upper.first().copied().unwrap_or(root);
        upper.insert(0, low - 1 - (low - 1 - pc as i32).rem_euclid(12));
    }
    upper
}

fn to_u8(v: &[i32]) -> Option<Vec<u8>> {
    v.iter()
        .map(|&p| u8::try_from(p).ok().filter(|&p| p <= 127))
        .collect()
}

/// The chord in a voicing and inversion, root position from octave 4 (moved an octave up or
/// down when that is needed to stay in 0..=127).
pub fn voice(chord: &Chord, style: Voicing, inversion: usize) -> Vec<u8> {
    let v = voiced_i32(chord, style, inversion);
    [0, -12, 12, -24]
        .iter()
        .find_map(|s| to_u8(&v.iter().map(|p| p + s).collect::<Vec<_>>()))
        .unwrap_or_default()
}

/// The voicing of `chord` in `style` (any inversion, any octave with every voice in 36..=96)
/// that moves least from `prev` by [`movement`]; ties go to the one whose middle is nearest
/// `prev`'s, then to the lower inversion. With no previous chord: [`voice`] inversion 0.
pub fn voice_lead(prev: &[u8], chord: &Chord, style: Voicing) -> Vec<u8> {
    if prev.is_empty() {
        return voice(chord, style, 0);
    }
    let centre = |v: &[u8]| v.iter().map(|&p| p as f64).sum::<f64>() / v.len().max(1) as f64;
    let prev_centre = centre(prev);
    let k = chord.tones().len();
    let mut best: Option<(u32, f64, Vec<u8>)> = None;
    for inv in 0..k {
        let base = voiced_i32(chord, style, inv);
        for shift in -4..=4 {
            let cand: Vec<i32> = base.iter().map(|p| p + 12 * shift).collect();
            if cand.iter().any(|p| !(36..=96).contains(p)) {
                continue;
            }
            let Some(cand) = to_u8(&cand) else { continue };
            let cost = movement(prev, &cand);
            let dist = (centre(&cand) - prev_centre).abs();
            let better = match &best {
                None => true,
                Some((c, d, _)) => cost < *c || (cost == *c && dist < *d - 1e-9),
            };
            if better {
                best = Some((cost, dist, cand));
            }
        }
    }
    best.map_or_else(|| voice(chord, style, 0), |(_, _, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voicings_follow_their_definitions() {
        let c = Chord::parse("Cmaj7").unwrap();
        assert_eq!(voice(&c, Voicing::Close, 0), vec![60, 64, 67, 71]);
        assert_eq!(voice(&c, Voicing::Drop2, 0), vec![55, 60, 64, 71]);
        assert_eq!(voice(&c, Voicing::Open, 0), vec![60, 67, 71, 76]);
        assert_eq!(voice(&c, Voicing::Close, 1), vec![64, 67, 71, 72]);
        assert_eq!(invert(&[60, 64, 67], 2), vec![67, 72, 76]);
        assert_eq!(movement(&[62, 65, 69, 72], &[62, 65, 67, 71]), 3);
        assert!(Voicing::parse("wide").is_err());
    }
}
