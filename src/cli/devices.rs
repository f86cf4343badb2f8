//! `tdaw devices`: the audio outputs and inputs and the MIDI inputs tdaw can use. Probing is
//! quiet (alsa-lib's stderr messages are hidden). Without a capture device it says "no audio
//! inputs".

use crate::engine::backend::{list_devices, DeviceInfo, NO_INPUTS};

/// Arguments of `tdaw devices`.
#[derive(clap::Args)]
pub struct Args {
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// The MIDI input ports, or "no MIDI input (…reason…)" (the engine's own seam and words).
fn midi_inputs() -> Result<Vec<String>, String> {
    use crate::engine::midi_in::{MidiSource, MidirSource};
    MidirSource.ports().map_err(|e| e.to_string())
}

/// True when some device can record: ALSA's `null` PCM "captures" silence and does not count.
pub fn has_inputs(devices: &[DeviceInfo]) -> bool {
    devices.iter().any(|d| d.input && !d.id.ends_with(":null"))
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let devices = list_devices();
    let midi = midi_inputs();
    let inputs = has_inputs(&devices);
    if args.json {
        let audio: Vec<_> = devices
            .iter()
            .map(|d| {
                serde_json::json!({
                    "id": d.id, "name": d.name, "output": d.output, "input": d.input,
                    "default": d.is_default,
                })
            })
            .collect();
        let v = serde_json::json!({
            "audio": audio,
            "null_backend": true,
            "audio_inputs": inputs,
            "midi_inputs": midi.clone().unwrap_or_default(),
            "midi_error": midi.as_ref().err(),
        });
        println!("{v}");
        return Ok(());
    }
    println!("Audio devices:");
    if devices.is_empty() {
        println!("  (none usable — tdaw plays silently with its null backend)");
    }
    for d in &devices {
        let dir = match (d.output, d.input) {
            (true, true) => "in/out",
            (true, false) => "out",
            _ => "in",
        };
        let default = if d.is_default { "  (default)" } else { "" };
        if d.name == d.id {
            println!("  {:<7} {}{default}", dir, d.id);
        } else {
            println!("  {:<7} {}  — {}{default}", dir, d.id, d.name);
        }
    }
    println!("  out     null  — no device, silent at real-time pace (always available)");
    if !inputs {
        println!("  {NO_INPUTS} — `tdaw record` and arming audio tracks need a capture device");
    }
    println!("MIDI inputs:");
    match midi {
        Ok(ports) if ports.is_empty() => println!("  (none)"),
        Ok(ports) => ports.iter().for_each(|p| println!("  {p}")),
        Err(e) => println!("  {e}"),
    }
    Ok(())
}
