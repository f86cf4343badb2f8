//! `tdaw devices`: the audio outputs and inputs and the MIDI inputs tdaw can use. Probing is
//! quiet (alsa-lib's stderr messages are hidden). Without a capture device it says "no audio
//! inputs". `--measure-latency` measures the round trip through a loopback
//! ([`crate::engine::latency`]) and `--save` keeps it in the user's config.

use crate::engine::backend::{list_devices, DeviceInfo, NO_INPUTS};

/// Arguments of `tdaw devices`.
#[derive(clap::Args)]
pub struct Args {
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Measure the round-trip latency: play a train of chirps on the output and find it in
    /// the input (needs a loopback: a cable from the output to the input, or the
    /// interface's own).
    #[arg(long)]
    pub measure_latency: bool,
    /// With --measure-latency: write the result as `[audio] input_latency_ms` to the
    /// user's config.toml (recordings then compensate it).
    #[arg(long, requires = "measure_latency")]
    pub save: bool,
    /// With --measure-latency: the output device (the config's, else the default).
    #[arg(long, requires = "measure_latency")]
    pub output: Option<String>,
    /// With --measure-latency: the input device (the config's, else the default).
    #[arg(long, requires = "measure_latency")]
    pub input: Option<String>,
    /// With --measure-latency: the sample rate to measure at.
    #[arg(long, default_value_t = 48_000, requires = "measure_latency")]
    pub rate: u32,
}

/// `tdaw devices --measure-latency [--save]`: prints the round trip in ms and frames.
fn measure(args: &Args) -> anyhow::Result<()> {
    use crate::engine::latency::measure_round_trip;
    if !(8_000..=384_000).contains(&args.rate) {
        anyhow::bail!("--rate {}: must be 8000 … 384000", args.rate);
    }
    let config = crate::config::Config::load().map_err(anyhow::Error::msg)?;
    let output = args.output.clone().or(config.audio.device.clone());
    let input = args.input.clone().or(config.audio.input.clone());
    let rt = measure_round_trip(
        output.as_deref(),
        input.as_deref(),
        args.rate,
        config.audio.buffer_frames,
    )
    .map_err(|e| anyhow::anyhow!("measure latency: {e}"))?;
    let ms = (rt.ms() * 100.0).round() / 100.0;
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "round_trip_ms": ms, "round_trip_frames": rt.frames, "sample_rate": rt.rate,
                "output": rt.output, "input": rt.input, "input_channel": rt.channel + 1,
                "clarity": rt.clarity, "saved": args.save,
            })
        );
    } else {
        println!(
            "round trip {ms:.2} ms ({} frames at {} Hz), from '{}' to '{}' channel {}",
            rt.frames,
            rt.rate,
            rt.output,
            rt.input,
            rt.channel + 1
        );
    }
    if args.save {
        let path = crate::config::config_dir().join("config.toml");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => anyhow::bail!("{}: {e}", path.display()),
        };
        let new = crate::config::with_audio_value(&text, "input_latency_ms", &format!("{ms}"));
        toml::from_str::<crate::config::Config>(&new)
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
        }
        crate::store::atomic::write_atomic(&path, new.as_bytes())
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        if !args.json {
            println!("saved input_latency_ms = {ms} to {}", path.display());
        }
    }
    Ok(())
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
    if args.measure_latency {
        return measure(&args);
    }
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
