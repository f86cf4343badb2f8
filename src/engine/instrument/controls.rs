//! MIDI controller semantics shared by the instruments and the graph: one channel's state as
//! the built-in synth and drum kit honour it (CC7 volume, CC11 expression, CC10 pan, CC64
//! sustain, pitch bend with its RPN 0 range), and [`ChaseState`], which replays a track's
//! controller events up to a position so that playback started anywhere hears the values in
//! force there ("chase"). Everything here is plain fixed-size data: safe on the audio thread.

use super::NoteEvent;

/// GM defaults (RP-015): volume 100, expression 127, pan centre, bend range 2 semitones.
pub const DEFAULT_VOLUME: u8 = 100;
pub const DEFAULT_EXPRESSION: u8 = 127;
pub const DEFAULT_PAN: u8 = 64;
pub const DEFAULT_BEND_RANGE: f32 = 2.0;

/// The value a controller has before any event sets it.
pub fn default_value(cc: u8) -> u8 {
    match cc {
        7 => DEFAULT_VOLUME,
        10 => DEFAULT_PAN,
        11 => DEFAULT_EXPRESSION,
        // No RPN selected ("null RPN").
        100 | 101 => 127,
        _ => 0,
    }
}

/// One MIDI channel's controllers, for the built-in instruments.
#[derive(Clone, Copy, Debug)]
pub struct ChannelState {
    pub volume: u8,
    pub expression: u8,
    pub pan: u8,
    pub sustain: bool,
    /// −8192 … 8191.
    pub bend: i16,
    /// Semitones at full bend (RPN 0).
    pub bend_range: f32,
    /// Selected RPN: (CC101, CC100).
    rpn: (u8, u8),
}

impl Default for ChannelState {
    fn default() -> Self {
        ChannelState {
            volume: DEFAULT_VOLUME,
            expression: DEFAULT_EXPRESSION,
            pan: DEFAULT_PAN,
            sustain: false,
            bend: 0,
            bend_range: DEFAULT_BEND_RANGE,
            rpn: (127, 127),
        }
    }
}

/// What a controller change asks of the instrument beyond the new state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControlEffect {
    None,
    /// The sustain pedal went up: release the notes it held.
    PedalUp,
    /// The pitch moved (bend or bend range): retune the channel's voices.
    Retune,
}

impl ChannelState {
    /// Applies a control change.
    pub fn control(&mut self, cc: u8, value: u8) -> ControlEffect {
        let value = value.min(127);
        match cc {
            7 => self.volume = value,
            10 => self.pan = value,
            11 => self.expression = value,
            64 => {
                let down = value >= 64;
                let was = self.sustain;
                self.sustain = down;
                if was && !down {
                    return ControlEffect::PedalUp;
                }
            }
            101 => self.rpn.0 = value,
            100 => self.rpn.1 = value,
            6 if self.rpn == (0, 0) => {
                let cents = self.bend_range.fract();
                self.bend_range = value as f32 + cents;
                return ControlEffect::Retune;
            }
            38 if self.rpn == (0, 0) => {
                self.bend_range = self.bend_range.trunc() + value.min(99) as f32 / 100.0;
                return ControlEffect::Retune;
            }
            121 => {
                // Reset All Controllers (RP-015): not volume or pan.
                let (volume, pan, range) = (self.volume, self.pan, self.bend_range);
                let was = self.sustain;
                *self = ChannelState::default();
                self.volume = volume;
                self.pan = pan;
                self.bend_range = range;
                if was {
                    return ControlEffect::PedalUp;
                }
                return ControlEffect::Retune;
            }
            _ => {}
        }
        ControlEffect::None
    }

    /// Gain of volume × expression: GM's 40·log10(v/127) law for each, unity at the defaults
    /// (volume 100, expression 127), so a file's CC7 = 127 is +4.2 dB, as in a GM synth.
    pub fn gain(&self) -> f32 {
        let v = self.volume as f32 / DEFAULT_VOLUME as f32;
        let e = self.expression as f32 / 127.0;
        let g = v * e;
        g * g
    }

    /// Constant-power pan gains (left, right), unity at the centre.
    pub fn pan_gains(&self) -> (f32, f32) {
        if self.pan == DEFAULT_PAN {
            return (1.0, 1.0);
        }
        let pos = ((self.pan as f32 - 64.0) / 63.0).clamp(-1.0, 1.0);
        let angle = (pos + 1.0) * std::f32::consts::FRAC_PI_4;
        (
            angle.cos() * std::f32::consts::SQRT_2,
            angle.sin() * std::f32::consts::SQRT_2,
        )
    }

    /// The bend in semitones.
    pub fn bend_semitones(&self) -> f32 {
        self.bend as f32 / 8192.0 * self.bend_range
    }
}

/// Slot of the pitch bend in [`ChaseState`]'s tables (after the 128 CCs).
const BEND: usize = 128;

/// The controller state of 16 channels at a position, built by replaying events in order.
/// RPN data entry is interpreted (only RPN 0, the bend range, is kept), so the state can be
/// sent again in a valid order: bend range first, then the RPN selection, the other CCs and
/// the bend.
#[derive(Clone)]
pub struct ChaseState {
    /// Last value per channel and slot (CC 0–127, 128 = bend); `None` = not set.
    values: [[Option<i16>; 129]; 16],
    /// RPN 0 (MSB, LSB) set by data entry, per channel.
    bend_range: [Option<(u8, u8)>; 16],
    /// Slots any event of the track sets: sent with their default when unset.
    used: [[bool; 129]; 16],
    range_used: [bool; 16],
}

impl Default for ChaseState {
    fn default() -> Self {
        ChaseState {
            values: [[None; 129]; 16],
            bend_range: [None; 16],
            used: [[false; 129]; 16],
            range_used: [false; 16],
        }
    }
}

/// A controller change, without its time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Cc { channel: u8, number: u8, value: u8 },
    Bend { channel: u8, value: i16 },
}

impl Control {
    /// The event at `frame` of a block.
    pub fn at(self, frame: u32) -> NoteEvent {
        match self {
            Control::Cc {
                channel,
                number,
                value,
            } => NoteEvent::Control {
                frame,
                channel,
                controller: number,
                value,
            },
            Control::Bend { channel, value } => NoteEvent::PitchBend {
                frame,
                channel,
                value,
            },
        }
    }
}

/// CCs that are not state to resend: RPN/NRPN selection and data entry (sent through the
/// interpreted bend range) and the channel-mode messages 120–127.
fn not_chased(cc: usize) -> bool {
    matches!(cc, 6 | 38 | 96..=101 | 120..=127)
}

impl ChaseState {
    /// Forgets the values (keeps what the track uses).
    pub fn clear(&mut self) {
        self.values = [[None; 129]; 16];
        self.bend_range = [None; 16];
    }

    /// Marks what a track's events set, so that [`ChaseState::emit`] can restore defaults.
    pub fn mark_used(&mut self, c: Control) {
        match c {
            Control::Cc {
                channel, number, ..
            } => {
                let ch = (channel & 15) as usize;
                if matches!(number, 6 | 38) {
                    self.range_used[ch] = true;
                }
                self.used[ch][(number & 127) as usize] = true;
            }
            Control::Bend { channel, .. } => self.used[(channel & 15) as usize][BEND] = true,
        }
    }

    /// Replays one event.
    pub fn feed(&mut self, c: Control) {
        match c {
            Control::Cc {
                channel,
                number,
                value,
            } => {
                let ch = (channel & 15) as usize;
                let n = (number & 127) as usize;
                let rpn0 = self.values[ch][101] == Some(0) && self.values[ch][100] == Some(0);
                if rpn0 && n == 6 {
                    let lsb = self.bend_range[ch].map_or(0, |r| r.1);
                    self.bend_range[ch] = Some((value, lsb));
                } else if rpn0 && n == 38 {
                    let msb = self.bend_range[ch].map_or(2, |r| r.0);
                    self.bend_range[ch] = Some((msb, value));
                }
                self.values[ch][n] = Some(value as i16);
            }
            Control::Bend { channel, value } => {
                self.values[(channel & 15) as usize][BEND] = Some(value);
            }
        }
    }

    /// Sends the state: per channel the bend range (RPN 0), the RPN selection, every other CC
    /// and the bend. With `defaults`, what the track uses but is not set yet is sent with its
    /// default value (a loop wrap back before the first change must undo it).
    pub fn emit(&self, defaults: bool, mut out: impl FnMut(Control)) {
        for ch in 0..16u8 {
            let c = ch as usize;
            let cc = |number: u8, value: u8| Control::Cc {
                channel: ch,
                number,
                value,
            };
            let range = match self.bend_range[c] {
                Some(r) => Some(r),
                None if defaults && self.range_used[c] => Some((2, 0)),
                None => None,
            };
            if let Some((msb, lsb)) = range {
                out(cc(101, 0));
                out(cc(100, 0));
                out(cc(6, msb));
                out(cc(38, lsb));
                let sel = |n: usize| self.values[c][n].map_or(127, |v| v as u8);
                out(cc(101, sel(101)));
                out(cc(100, sel(100)));
            } else {
                for n in [101u8, 100] {
                    match self.values[c][n as usize] {
                        Some(v) => out(cc(n, v as u8)),
                        None if defaults && self.used[c][n as usize] => {
                            out(cc(n, default_value(n)))
                        }
                        None => {}
                    }
                }
            }
            for n in 0..128usize {
                if not_chased(n) {
                    continue;
                }
                match self.values[c][n] {
                    Some(v) => out(cc(n as u8, v as u8)),
                    None if defaults && self.used[c][n] => out(cc(n as u8, default_value(n as u8))),
                    None => {}
                }
            }
            match self.values[c][BEND] {
                Some(v) => out(Control::Bend {
                    channel: ch,
                    value: v,
                }),
                None if defaults && self.used[c][BEND] => out(Control::Bend {
                    channel: ch,
                    value: 0,
                }),
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cc(number: u8, value: u8) -> Control {
        Control::Cc {
            channel: 0,
            number,
            value,
        }
    }

    #[test]
    fn chase_keeps_the_last_values_and_the_bend_range() {
        let mut s = ChaseState::default();
        for c in [
            cc(7, 0),
            cc(101, 0),
            cc(100, 0),
            cc(6, 12),
            cc(38, 0),
            cc(101, 127),
            cc(100, 127),
            cc(7, 90),
            Control::Bend {
                channel: 0,
                value: 4096,
            },
        ] {
            s.mark_used(c);
            s.feed(c);
        }
        let mut out = Vec::new();
        s.emit(false, |c| out.push(c));
        assert_eq!(
            out,
            vec![
                cc(101, 0),
                cc(100, 0),
                cc(6, 12),
                cc(38, 0),
                cc(101, 127),
                cc(100, 127),
                cc(7, 90),
                Control::Bend {
                    channel: 0,
                    value: 4096
                },
            ]
        );
        // Replayed into a channel, the range is 12 semitones and the bend half of it.
        let mut ch = ChannelState::default();
        for c in out {
            match c {
                Control::Cc { number, value, .. } => {
                    ch.control(number, value);
                }
                Control::Bend { value, .. } => ch.bend = value,
            }
        }
        assert_eq!(ch.bend_range, 12.0);
        assert_eq!(ch.bend_semitones(), 6.0);
        assert_eq!(ch.volume, 90);
        s.clear();
        let mut out = Vec::new();
        s.emit(true, |c| out.push(c));
        assert!(out.contains(&cc(7, DEFAULT_VOLUME)));
        assert!(out.contains(&cc(6, 2)));
    }

    #[test]
    fn volume_law_is_unity_at_the_defaults() {
        let mut ch = ChannelState::default();
        assert_eq!(ch.gain(), 1.0);
        assert_eq!(ch.pan_gains(), (1.0, 1.0));
        ch.control(7, 127);
        assert!((20.0 * ch.gain().log10() - 4.15).abs() < 0.01);
        ch.control(7, 0);
        assert_eq!(ch.gain(), 0.0);
        assert_eq!(ch.control(64, 127), ControlEffect::None);
        assert_eq!(ch.control(64, 0), ControlEffect::PedalUp);
    }
}
