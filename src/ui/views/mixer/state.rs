//! The mixer's state: the selected strip and value (an insert, a send, the fader, the pan),
//! and the first strip shown.

/// Which value of a mixer strip the keys change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MixerParam {
    Fader,
    Pan,
    /// The n-th send of the track.
    Send(usize),
    /// The n-th insert effect of the strip's chain.
    Insert(usize),
}

/// State of the mixer view.
#[derive(Clone, Debug)]
pub struct MixerState {
    /// Selected strip: a track index, or the number of tracks for the master strip.
    pub strip: usize,
    pub param: MixerParam,
    /// First visible strip.
    pub scroll: usize,
}

impl Default for MixerState {
    fn default() -> Self {
        MixerState {
            strip: 0,
            param: MixerParam::Fader,
            scroll: 0,
        }
    }
}

impl MixerState {
    /// Keeps the selected strip on screen, given how many strips fit.
    pub fn ensure_visible_in(&mut self, tracks: usize, fit: usize) {
        let n = fit.max(1);
        if self.strip < tracks {
            if self.strip < self.scroll {
                self.scroll = self.strip;
            } else if self.strip >= self.scroll + n {
                self.scroll = self.strip + 1 - n;
            }
        }
        self.scroll = self.scroll.min(tracks.saturating_sub(n.min(tracks)));
    }
}
