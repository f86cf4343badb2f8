//! The instrument browser's state: the track whose instrument is chosen, the selected category
//! and choice, and the `/` filter.

use crate::model::TrackId;
use crate::ui::instruments::Category;

/// State of the instrument browser: a list of categories (GM families, drum kits, synth
/// presets) and the choices inside the selected one, or, while a filter is set, every choice
/// whose name matches it.
#[derive(Clone, Debug, PartialEq)]
pub struct InstrumentBrowser {
    /// The track whose instrument is chosen.
    pub track: TrackId,
    /// Selected category (index into the catalogue).
    pub category: usize,
    /// Selected choice in the list on the right.
    pub item: usize,
    /// Whether j/k move in the choices (else in the categories).
    pub in_items: bool,
    /// Text typed after `/`; when not empty the right list holds every match.
    pub filter: String,
    /// Whether keys are typed into the filter.
    pub typing: bool,
}

impl InstrumentBrowser {
    /// The choices the right-hand list shows: (category, choice) indices into `cats`.
    pub fn visible(&self, cats: &[Category]) -> Vec<(usize, usize)> {
        let b = self;
        if b.filter.is_empty() {
            let ci = b.category.min(cats.len().saturating_sub(1));
            return (0..cats.get(ci).map_or(0, |c| c.choices.len()))
                .map(|i| (ci, i))
                .collect();
        }
        let f = b.filter.to_lowercase();
        cats.iter()
            .enumerate()
            .flat_map(|(ci, c)| {
                c.choices
                    .iter()
                    .enumerate()
                    .filter(|(_, ch)| ch.label.to_lowercase().contains(&f))
                    .map(move |(i, _)| (ci, i))
            })
            .collect()
    }
}
