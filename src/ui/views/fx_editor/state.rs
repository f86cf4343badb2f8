//! The effect editor's state: which effect (its chain's owner and its stable id), the selected
//! row, the first row shown, and whether an EQ's bands that are off are hidden.

use crate::model::fx::{self, KindSpec, ParamSpec, EQ_BANDS, EQ_BAND_PARAMS};
use crate::model::mixer::{self, Owner};
use crate::model::{Effect, FxId, Project};

/// State of the effect editor.
#[derive(Clone, Debug, PartialEq)]
pub struct FxEditorState {
    /// Whose chain the effect is in.
    pub owner: Owner,
    /// The effect, by its stable id (it survives reordering).
    pub fx: FxId,
    /// Selected row (index into [`FxEditorState::rows`]).
    pub row: usize,
    /// First row shown.
    pub scroll: usize,
    /// EQ: bands that are off take no rows (else one row each, their type).
    pub hide_off: bool,
}

impl Default for FxEditorState {
    fn default() -> Self {
        FxEditorState::open(Owner::Master, FxId(0))
    }
}

impl FxEditorState {
    /// The editor on effect `fx` of `owner`'s chain, on its first parameter.
    pub fn open(owner: Owner, fx: FxId) -> Self {
        FxEditorState {
            owner,
            fx,
            row: 0,
            scroll: 0,
            hide_off: false,
        }
    }

    /// The effect, with its place in the chain; `None` when it is gone (removed, undone).
    pub fn effect<'a>(&self, p: &'a Project) -> Option<(usize, &'a Effect)> {
        let chain = mixer::chain(p, self.owner).ok()?;
        chain.iter().enumerate().find(|(_, e)| e.id == self.fx)
    }

    /// The effect, its kind and the parameter indices its rows show, top to bottom.
    pub fn rows<'a>(&self, p: &'a Project) -> Option<(&'a Effect, &'static KindSpec, Vec<usize>)> {
        let (_, e) = self.effect(p)?;
        let spec = fx::kind(&e.kind)?;
        let rows = if spec.name == "eq" {
            eq_rows(spec, e, self.hide_off)
        } else {
            (0..spec.params.len()).collect()
        };
        Some((e, spec, rows))
    }

    /// The parameter on the selected row, with its index and value.
    pub fn selected<'a>(&self, p: &'a Project) -> Option<(&'a Effect, &'static ParamSpec, f64)> {
        let (e, spec, rows) = self.rows(p)?;
        let i = *rows.get(self.row.min(rows.len().saturating_sub(1)))?;
        let values = spec.values(e);
        Some((e, &spec.params[i], values[i]))
    }

    /// Keeps the selected row inside the list and on screen, given the rows that fit.
    pub fn clamp(&mut self, p: &Project, fit: usize) {
        let len = self.rows(p).map_or(0, |(_, _, r)| r.len());
        self.row = self.row.min(len.saturating_sub(1));
        let fit = fit.max(1);
        if self.row < self.scroll {
            self.scroll = self.row;
        } else if self.row >= self.scroll + fit {
            self.scroll = self.row + 1 - fit;
        }
        self.scroll = self.scroll.min(len.saturating_sub(fit));
    }
}

/// The EQ's rows: per band its type, then the parameters its type uses (a band that is off is
/// its type alone, or nothing when `hide_off`).
fn eq_rows(spec: &KindSpec, e: &Effect, hide_off: bool) -> Vec<usize> {
    let values = spec.values(e);
    let mut rows = Vec::new();
    for b in 0..EQ_BANDS {
        let at = b * EQ_BAND_PARAMS;
        // Offsets in a band: 0 type, 1 freq, 2 gain, 3 q, 4 slope.
        let used: &[usize] = match fx::EQ_TYPES.get(values[at] as usize).copied() {
            Some("peak" | "lowshelf" | "highshelf") => &[0, 1, 2, 3],
            Some("lowpass" | "highpass") => &[0, 1, 3, 4],
            Some("notch" | "bandpass") => &[0, 1, 3],
            _ if hide_off => &[],
            _ => &[0],
        };
        rows.extend(used.iter().map(|o| at + o));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{mixer, Edit, History};

    #[test]
    fn an_eq_folds_bands_that_are_off_and_lists_what_a_band_type_uses() {
        let mut p = Project::new("t", 48_000, 120.0);
        let mut h = History::default();
        let pairs = [
            ("b1_type".to_string(), "highpass".to_string()),
            ("b2_type".to_string(), "peak".to_string()),
        ];
        let (edit, id) = mixer::add_effect(&p, Owner::Master, "eq", &pairs, None).unwrap();
        h.apply(&mut p, edit, "fx").unwrap();
        let mut st = FxEditorState::open(Owner::Master, id);
        let (_, spec, rows) = st.rows(&p).unwrap();
        let names: Vec<&str> = rows.iter().map(|i| spec.params[*i].name.as_str()).collect();
        assert_eq!(
            &names[..9],
            [
                "b1_type",
                "b1_freq",
                "b1_q",
                "b1_slope",
                "b2_type",
                "b2_freq",
                "b2_gain_db",
                "b2_q",
                "b3_type"
            ]
        );
        assert_eq!(rows.len(), 4 + 4 + 6);
        st.hide_off = true;
        assert_eq!(st.rows(&p).unwrap().2.len(), 4 + 4);
        h.apply(&mut p, Edit::SetMasterEffects(vec![]), "rm")
            .unwrap();
        assert!(st.rows(&p).is_none());
    }
}
