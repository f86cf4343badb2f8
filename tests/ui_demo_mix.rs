//! The demo song sounds like a finished song: rendered with `tdaw render` (with the General MIDI
//! SoundFont when one is installed, and with the built-in synth), the mix sits at -16..-14 LUFS
//! integrated with its true peak below -1 dBTP, and every part (drums, bass, chords, lead) is
//! clearly audible in its stem.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tdaw::cli::demo::{demo_project_for, Sound};

const SOUNDFONT: &str = "/usr/share/sounds/sf2/TimGM6mb.sf2";

struct Measured {
    integrated: f64,
    true_peak: f64,
    /// Integrated loudness and true peak of each stem, in track order.
    stems: Vec<(String, f64, f64)>,
}

/// Writes the demo mixed for `sound` into a temp project and renders it with stems.
fn render(sound: Sound, soundfont: &str, home: &Path) -> Measured {
    let dir = home.join(format!("demo-{sound:?}"));
    let project = demo_project_for(sound);
    tdaw::store::create_project(&dir, project.sample_rate, 128.0).unwrap();
    tdaw::store::save_project(&dir, &project).unwrap();
    let out = home.join(format!("mix-{sound:?}.wav"));
    Command::cargo_bin("tdaw")
        .unwrap()
        .env("TDAW_HOME", home)
        .env("TDAW_SOUNDFONT", soundfont)
        .arg("render")
        .arg(&dir)
        .arg("-o")
        .arg(&out)
        .arg("--stems")
        .assert()
        .success();
    let a = tdaw::analysis::analyze_file(&out).unwrap();
    // Stems are the tracks before the master: add its gain (fader and the glue compressor's
    // makeup) to compare them with the mix.
    let makeup = project
        .master
        .effects
        .iter()
        .filter_map(|e| match e.params.get("makeup_db") {
            Some(tdaw::model::ParamValue::Number(db)) => Some(*db),
            _ => None,
        })
        .sum::<f64>();
    let master_db = f64::from(project.master.gain_db) + makeup;
    // The parts (the buses are the mix's returns, not parts).
    let stems = project
        .tracks
        .iter()
        .enumerate()
        .filter(|(_, t)| t.kind != tdaw::model::TrackKind::Bus)
        .map(|(i, t)| {
            let path: PathBuf = home.join(format!("mix-{sound:?}-{:02}-{}.wav", i + 1, t.name));
            let s = tdaw::analysis::analyze_file(&path).unwrap();
            (
                t.name.clone(),
                s.integrated_lufs.unwrap_or(f64::NEG_INFINITY) + master_db,
                s.true_peak_dbtp.unwrap_or(f64::NEG_INFINITY) + master_db,
            )
        })
        .collect();
    Measured {
        integrated: a.integrated_lufs.unwrap(),
        true_peak: a.true_peak_dbtp.unwrap(),
        stems,
    }
}

/// `lowest`: the quietest integrated loudness accepted.
fn check(m: &Measured, what: &str, lowest: f64) {
    assert!(
        (lowest..=-14.0).contains(&m.integrated),
        "{what}: {:.2} LUFS integrated",
        m.integrated
    );
    assert!(
        m.true_peak < -1.0,
        "{what}: true peak {:.2} dBTP",
        m.true_peak
    );
    // Every part is within 8 LU of the mix (the lead plays half the song, so its gated
    // loudness is compared like the others'), and none drowns the rest.
    for (name, l, _) in &m.stems {
        assert!(
            *l > m.integrated - 8.0 && *l < m.integrated - 1.0,
            "{what}: {name} stem at {l:.2} LUFS against a {:.2} LUFS mix",
            m.integrated
        );
    }
}

#[test]
fn the_demo_renders_at_streaming_loudness_with_the_soundfont_and_with_the_synth() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_path_buf();
    // The two renders run side by side (the SoundFont one is the slow one).
    let synth = std::thread::spawn(move || render(Sound::Synth, "none", &h));
    let sf = Path::new(SOUNDFONT)
        .is_file()
        .then(|| render(Sound::SoundFont, SOUNDFONT, home.path()));
    let synth = synth.join().unwrap();
    for (m, what) in [
        (&synth, "built-in synth"),
        (sf.as_ref().unwrap_or(&synth), "SoundFont"),
    ] {
        eprintln!(
            "{what}: {:.2} LUFS, {:.2} dBTP, stems {:?}",
            m.integrated, m.true_peak, m.stems
        );
    }
    check(&synth, "built-in synth", -16.0);
    // The master limiter holds the true peak under -1.5 dBTP, so the SoundFont mix reaches
    // streaming loudness too.
    match &sf {
        Some(sf) => check(sf, "SoundFont", -16.0),
        None => eprintln!("{SOUNDFONT} is not installed: only the built-in synth's mix is checked"),
    }
}
