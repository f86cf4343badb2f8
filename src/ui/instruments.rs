//! What a MIDI track can play, for the screen and the command line: the catalogue (the 16
//! General MIDI families, the drum kits, the built-in synth presets), the one place that names
//! an instrument (track headers, status messages, the browser), and `:instrument`'s argument.
//! Below the views: it knows no App and no view.

use crate::midi::gm;
use crate::model::Instrument;

/// One thing a track can play.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// What the list shows, e.g. `33 Acoustic Bass` (GM programs numbered 1–128, as in the
    /// GM tables musicians know), `Standard Kit`, `synth:pad`.
    pub label: String,
    pub instrument: Instrument,
}

/// A heading of the browser and its choices.
#[derive(Clone, Debug, PartialEq)]
pub struct Category {
    pub name: &'static str,
    pub choices: Vec<Choice>,
}

/// Every category: the GM families in program order, then the drum kits, then the synth.
pub fn catalogue() -> Vec<Category> {
    let mut cats: Vec<Category> = gm::GM_FAMILIES
        .iter()
        .enumerate()
        .map(|(f, name)| Category {
            name,
            choices: (0..8u8)
                .map(|i| {
                    let program = f as u8 * 8 + i;
                    Choice {
                        label: format!("{} {}", program + 1, gm::program_name(program)),
                        instrument: Instrument::GeneralMidi {
                            program,
                            drums: false,
                        },
                    }
                })
                .collect(),
        })
        .collect();
    cats.push(Category {
        name: "Drum Kits",
        choices: gm::GM_DRUM_KITS
            .iter()
            .map(|(program, name)| Choice {
                label: format!("{name} Kit"),
                instrument: Instrument::GeneralMidi {
                    program: *program,
                    drums: true,
                },
            })
            .collect(),
    });
    cats.push(Category {
        name: "Synth Presets",
        choices: crate::engine::instrument::synth_presets()
            .iter()
            .map(|p| Choice {
                label: format!("synth:{p}"),
                instrument: Instrument::Synth {
                    preset: p.to_string(),
                },
            })
            .collect(),
    });
    cats
}

/// Where an instrument sits in the catalogue (to open the browser on the current one).
pub fn position(cats: &[Category], inst: &Instrument) -> Option<(usize, usize)> {
    cats.iter().enumerate().find_map(|(ci, c)| {
        c.choices
            .iter()
            .position(|ch| &ch.instrument == inst)
            .map(|i| (ci, i))
    })
}

/// An instrument's name for the screen: `Acoustic Bass`, `Standard Kit`, `synth:pad`.
pub fn instrument_name(inst: &Instrument) -> String {
    match inst {
        Instrument::GeneralMidi {
            program,
            drums: false,
        } => gm::program_name(*program).to_string(),
        Instrument::GeneralMidi {
            program,
            drums: true,
        } => match gm::drum_kit_name(*program) {
            Some(kit) => format!("{kit} Kit"),
            None => format!("Drum Kit {}", program + 1),
        },
        Instrument::Synth { preset } => format!("synth:{preset}"),
    }
}

/// Whether an instrument plays the GM percussion map (a drum kit, or the synth's drums).
pub fn plays_drums(inst: &Instrument) -> bool {
    match inst {
        Instrument::GeneralMidi { drums, .. } => *drums,
        Instrument::Synth { preset } => preset.eq_ignore_ascii_case("drums"),
    }
}

/// Reads an instrument: a GM program number 1–128, a GM program name (whole or a part that
/// names one program), `synth:PRESET`, `drums` or `drums:KIT` (`drums:808`, `drums:jazz`), or
/// a kit's name (`TR-808 Kit`).
pub fn parse(arg: &str) -> Result<Instrument, String> {
    let a = arg.trim().trim_matches('"').trim_matches('\'').trim();
    if a.is_empty() {
        return Err(":instrument needs a program (1-128), a name, synth:NAME or drums".into());
    }
    if let Ok(n) = a.parse::<i64>() {
        if !(1..=128).contains(&n) {
            return Err(format!(
                "GM programs are numbered 1 to 128, not {n} (1 = Acoustic Grand Piano)"
            ));
        }
        return Ok(Instrument::GeneralMidi {
            program: (n - 1) as u8,
            drums: false,
        });
    }
    let lower = a.to_lowercase();
    if let Some(p) = lower.strip_prefix("synth:") {
        let names = crate::engine::instrument::synth_presets();
        return match names.iter().find(|n| n.eq_ignore_ascii_case(p.trim())) {
            Some(n) => Ok(Instrument::Synth {
                preset: n.to_string(),
            }),
            None => Err(format!(
                "there is no synth preset '{}' (presets: {})",
                p.trim(),
                names.join(", ")
            )),
        };
    }
    if lower == "drums" || lower == "drum kit" || lower == "kit" {
        return Ok(Instrument::GeneralMidi {
            program: 0,
            drums: true,
        });
    }
    let kit_query = lower
        .strip_prefix("drums:")
        .or_else(|| lower.strip_suffix(" kit"));
    if let Some(q) = kit_query {
        let q = q.trim();
        return gm::GM_DRUM_KITS
            .iter()
            .find(|(_, n)| n.to_lowercase() == q)
            .or_else(|| {
                gm::GM_DRUM_KITS
                    .iter()
                    .find(|(_, n)| n.to_lowercase().contains(q))
            })
            .map(|(program, _)| Instrument::GeneralMidi {
                program: *program,
                drums: true,
            })
            .ok_or_else(|| {
                let kits: Vec<&str> = gm::GM_DRUM_KITS.iter().map(|(_, n)| *n).collect();
                format!("there is no drum kit '{q}' (kits: {})", kits.join(", "))
            });
    }
    let names = &gm::GM_PROGRAM_NAMES;
    if let Some(p) = names.iter().position(|n| n.to_lowercase() == lower) {
        return Ok(Instrument::GeneralMidi {
            program: p as u8,
            drums: false,
        });
    }
    let hits: Vec<usize> = (0..names.len())
        .filter(|&p| names[p].to_lowercase().contains(&lower))
        .collect();
    match hits.as_slice() {
        [p] => Ok(Instrument::GeneralMidi {
            program: *p as u8,
            drums: false,
        }),
        [] => Err(format!(
            "no GM program is named '{a}' (:instrument alone opens the browser)"
        )),
        many => {
            let shown: Vec<String> = many
                .iter()
                .take(4)
                .map(|&p| format!("{} {}", p + 1, names[p]))
                .collect();
            Err(format!(
                "'{a}' names {} programs: {}{}",
                many.len(),
                shown.join(", "),
                if many.len() > 4 { ", …" } else { "" }
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instruments_parse() {
        let gm = |program| Instrument::GeneralMidi {
            program,
            drums: false,
        };
        assert_eq!(parse("33"), Ok(gm(32)));
        assert_eq!(parse("\"Acoustic Bass\""), Ok(gm(32)));
        assert_eq!(parse("acoustic bass"), Ok(gm(32)));
        assert_eq!(parse("Harpsichord"), Ok(gm(6)));
        assert_eq!(
            parse("synth:pad"),
            Ok(Instrument::Synth {
                preset: "pad".into()
            })
        );
        assert_eq!(
            parse("drums:808"),
            Ok(Instrument::GeneralMidi {
                program: 25,
                drums: true
            })
        );
        assert_eq!(
            parse("drums"),
            Ok(Instrument::GeneralMidi {
                program: 0,
                drums: true
            })
        );
        assert!(parse("0").is_err() && parse("129").is_err());
        assert!(parse("synth:kazoo").unwrap_err().contains("pad"));
        assert!(parse("piano").unwrap_err().contains("programs"));
    }
}
