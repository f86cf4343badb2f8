//! General MIDI names: the 128 programs in their 16 families, the GM2/GS drum kits (programs
//! of bank 128) and short names of the GM percussion map (keys 35–81) that fit a piano-roll
//! row. Pure data and look-ups; nothing here plays sound.

/// The 16 GM families, each eight programs long (family `i` holds programs `8i..8i+8`).
pub const GM_FAMILIES: [&str; 16] = [
    "Piano",
    "Chromatic Percussion",
    "Organ",
    "Guitar",
    "Bass",
    "Strings",
    "Ensemble",
    "Brass",
    "Reed",
    "Pipe",
    "Synth Lead",
    "Synth Pad",
    "Synth Effects",
    "Ethnic",
    "Percussive",
    "Sound Effects",
];

/// The GM Level 1 program names, program 0 (Acoustic Grand Piano) to 127 (Gunshot).
pub const GM_PROGRAM_NAMES: [&str; 128] = [
    "Acoustic Grand Piano",
    "Bright Acoustic Piano",
    "Electric Grand Piano",
    "Honky-tonk Piano",
    "Electric Piano 1",
    "Electric Piano 2",
    "Harpsichord",
    "Clavinet",
    "Celesta",
    "Glockenspiel",
    "Music Box",
    "Vibraphone",
    "Marimba",
    "Xylophone",
    "Tubular Bells",
    "Dulcimer",
    "Drawbar Organ",
    "Percussive Organ",
    "Rock Organ",
    "Church Organ",
    "Reed Organ",
    "Accordion",
    "Harmonica",
    "Tango Accordion",
    "Acoustic Guitar (nylon)",
    "Acoustic Guitar (steel)",
    "Electric Guitar (jazz)",
    "Electric Guitar (clean)",
    "Electric Guitar (muted)",
    "Overdriven Guitar",
    "Distortion Guitar",
    "Guitar Harmonics",
    "Acoustic Bass",
    "Electric Bass (finger)",
    "Electric Bass (pick)",
    "Fretless Bass",
    "Slap Bass 1",
    "Slap Bass 2",
    "Synth Bass 1",
    "Synth Bass 2",
    "Violin",
    "Viola",
    "Cello",
    "Contrabass",
    "Tremolo Strings",
    "Pizzicato Strings",
    "Orchestral Harp",
    "Timpani",
    "String Ensemble 1",
    "String Ensemble 2",
    "Synth Strings 1",
    "Synth Strings 2",
    "Choir Aahs",
    "Voice Oohs",
    "Synth Voice",
    "Orchestra Hit",
    "Trumpet",
    "Trombone",
    "Tuba",
    "Muted Trumpet",
    "French Horn",
    "Brass Section",
    "Synth Brass 1",
    "Synth Brass 2",
    "Soprano Sax",
    "Alto Sax",
    "Tenor Sax",
    "Baritone Sax",
    "Oboe",
    "English Horn",
    "Bassoon",
    "Clarinet",
    "Piccolo",
    "Flute",
    "Recorder",
    "Pan Flute",
    "Blown Bottle",
    "Shakuhachi",
    "Whistle",
    "Ocarina",
    "Lead 1 (square)",
    "Lead 2 (sawtooth)",
    "Lead 3 (calliope)",
    "Lead 4 (chiff)",
    "Lead 5 (charang)",
    "Lead 6 (voice)",
    "Lead 7 (fifths)",
    "Lead 8 (bass + lead)",
    "Pad 1 (new age)",
    "Pad 2 (warm)",
    "Pad 3 (polysynth)",
    "Pad 4 (choir)",
    "Pad 5 (bowed)",
    "Pad 6 (metallic)",
    "Pad 7 (halo)",
    "Pad 8 (sweep)",
    "FX 1 (rain)",
    "FX 2 (soundtrack)",
    "FX 3 (crystal)",
    "FX 4 (atmosphere)",
    "FX 5 (brightness)",
    "FX 6 (goblins)",
    "FX 7 (echoes)",
    "FX 8 (sci-fi)",
    "Sitar",
    "Banjo",
    "Shamisen",
    "Koto",
    "Kalimba",
    "Bagpipe",
    "Fiddle",
    "Shanai",
    "Tinkle Bell",
    "Agogo",
    "Steel Drums",
    "Woodblock",
    "Taiko Drum",
    "Melodic Tom",
    "Synth Drum",
    "Reverse Cymbal",
    "Guitar Fret Noise",
    "Breath Noise",
    "Seashore",
    "Bird Tweet",
    "Telephone Ring",
    "Helicopter",
    "Applause",
    "Gunshot",
];

/// The drum kits of GS/GM2 SoundFonts (bank 128) by program. A SoundFont without a kit plays
/// the Standard kit in its place.
pub const GM_DRUM_KITS: [(u8, &str); 9] = [
    (0, "Standard"),
    (8, "Room"),
    (16, "Power"),
    (24, "Electronic"),
    (25, "TR-808"),
    (32, "Jazz"),
    (40, "Brush"),
    (48, "Orchestra"),
    (56, "SFX"),
];

/// The name of GM program `program` (0–127).
pub fn program_name(program: u8) -> &'static str {
    GM_PROGRAM_NAMES[(program & 0x7f) as usize]
}

/// The family of GM program `program`.
pub fn program_family(program: u8) -> &'static str {
    GM_FAMILIES[(program & 0x7f) as usize / 8]
}

/// The name of the drum kit at bank-128 `program` (`None` when no kit sits there).
pub fn drum_kit_name(program: u8) -> Option<&'static str> {
    GM_DRUM_KITS
        .iter()
        .find(|(p, _)| *p == program)
        .map(|(_, n)| *n)
}

/// Short names of the GM percussion keys 35 (Acoustic Bass Drum) to 81 (Open Triangle), at
/// most ten characters, for the rows of a drum track's piano roll.
pub const GM_DRUM_NAMES: [&str; 47] = [
    "Kick 2",
    "Kick",
    "Side Stick",
    "Snare",
    "Clap",
    "E. Snare",
    "Lo Flr Tom",
    "Closed HH",
    "Hi Flr Tom",
    "Pedal HH",
    "Low Tom",
    "Open HH",
    "Lo-Mid Tom",
    "Hi-Mid Tom",
    "Crash 1",
    "High Tom",
    "Ride 1",
    "China",
    "Ride Bell",
    "Tambourine",
    "Splash",
    "Cowbell",
    "Crash 2",
    "Vibraslap",
    "Ride 2",
    "Hi Bongo",
    "Lo Bongo",
    "Mute Conga",
    "Hi Conga",
    "Lo Conga",
    "Hi Timbale",
    "Lo Timbale",
    "Hi Agogo",
    "Lo Agogo",
    "Cabasa",
    "Maracas",
    "Sh Whistle",
    "Lg Whistle",
    "Sh Guiro",
    "Lg Guiro",
    "Claves",
    "Hi Block",
    "Lo Block",
    "Mute Cuica",
    "Open Cuica",
    "Mute Tri",
    "Open Tri",
];

/// The short GM percussion name of key `pitch` (35–81), e.g. 42 → `Closed HH`.
pub fn drum_short_name(pitch: u8) -> Option<&'static str> {
    GM_DRUM_NAMES
        .get((pitch as usize).checked_sub(35)?)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_and_families_line_up() {
        assert_eq!(program_name(0), "Acoustic Grand Piano");
        assert_eq!(program_name(33), "Electric Bass (finger)");
        assert_eq!(program_name(127), "Gunshot");
        assert_eq!(program_family(32), "Bass");
        assert_eq!(program_family(81), "Synth Lead");
        assert_eq!(program_family(120), "Sound Effects");
    }

    #[test]
    fn drum_names_cover_the_gm_map() {
        assert_eq!(drum_short_name(34), None);
        assert_eq!(drum_short_name(35), Some("Kick 2"));
        assert_eq!(drum_short_name(36), Some("Kick"));
        assert_eq!(drum_short_name(38), Some("Snare"));
        assert_eq!(drum_short_name(42), Some("Closed HH"));
        assert_eq!(drum_short_name(81), Some("Open Tri"));
        assert_eq!(drum_short_name(82), None);
        assert!(GM_DRUM_NAMES.iter().all(|n| n.chars().count() <= 10));
        assert_eq!(drum_kit_name(25), Some("TR-808"));
        assert_eq!(drum_kit_name(1), None);
    }
}
