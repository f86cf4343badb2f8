//! `tdaw record DIR [TRACK] --seconds N [--at BEAT] [--input DEVICE] [--count-in]
//! [--channels N|N-M]`: plays the
//! project from BEAT (on the configured output, the null backend without one) and records N
//! seconds from the input into a new clip on TRACK (a new audio track when omitted), as one
//! edit. The capture starts with the transport, so input frame `k` was heard at BEAT plus `k`
//! samples, minus the round-trip latency (`[audio] input_latency_ms`, else the device's
//! timestamps) and minus the count-in bar: the take is shifted by that much and lands where it
//! was played. Prints the new file's path.

use crate::config::Config;
use crate::engine::disk_writer::{Latency, Placement, RecordFormat, Target};
use crate::engine::record::{file_stem, AudioPlan, AudioSession};
use crate::engine::transport::TempoGrid;
use crate::engine::{EngineCommand, EngineConfig, EngineEvent, EngineHandle};
use crate::model::{ops, AudioClip, Clip, ClipContent, Edit, TrackId, TrackInput, TrackKind};
use anyhow::{bail, Context};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Arguments of `tdaw record`.
#[derive(clap::Args)]
pub struct Args {
    /// The project folder.
    pub dir: PathBuf,
    /// The track to record onto (name or 1-based position); a new audio track when omitted.
    pub track: Option<String>,
    /// How long to record, in seconds.
    #[arg(long)]
    pub seconds: f64,
    /// Where to start playing and recording, in beats (default 0).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub at: f64,
    /// The input device (as `tdaw devices` lists it); the default input when absent.
    #[arg(long)]
    pub input: Option<String>,
    /// One bar of metronome before recording starts.
    #[arg(long)]
    pub count_in: bool,
    /// The input channels to record, 1-based: one (`3`, a mono file) or a pair (`3-4`, a
    /// stereo file); the track's own input (`tdaw track set … input=`) when absent, else
    /// the first two.
    #[arg(long, value_name = "N|N-M")]
    pub channels: Option<String>,
}

/// The longest take `tdaw record` makes (a day's session is many takes).
const MAX_SECONDS: f64 = 6.0 * 3600.0;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// The round-trip latency to compensate at `rate`: the config's, else the devices'.
pub fn latency_from_config(ms: Option<f64>, rate: u32) -> anyhow::Result<Latency> {
    match ms {
        Some(ms) if ms.is_finite() && (0.0..=2000.0).contains(&ms) => {
            Ok(Latency::Fixed((ms * rate as f64 / 1000.0).round() as u64))
        }
        Some(ms) => bail!("config [audio] input_latency_ms = {ms}: must be between 0 and 2000"),
        None => Ok(Latency::Measured { output: 0 }),
    }
}

/// The configured record format (24-bit by default).
pub fn format_from_config(text: Option<&str>) -> anyhow::Result<RecordFormat> {
    text.map(RecordFormat::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("config [audio] record_format: {e}"))
        .map(Option::unwrap_or_default)
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let dir = &args.dir;
    if !(args.seconds.is_finite() && args.seconds > 0.0 && args.seconds <= MAX_SECONDS) {
        bail!(
            "--seconds {}: must be more than 0 and at most {MAX_SECONDS}",
            args.seconds
        );
    }
    if !(args.at.is_finite() && args.at >= 0.0) {
        bail!("--at {}: must be a beat at or after 0", args.at);
    }
    let project = crate::store::load_project(dir)?;
    let track = match &args.track {
        Some(t) => {
            let id = crate::model::mixer::resolve_track(&project, t)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let tr = project.track(id).context("the track went away")?;
            if tr.kind != TrackKind::Audio {
                bail!(
                    "track '{}' is a {} track: audio is recorded onto an audio track",
                    tr.name,
                    tr.kind.as_str()
                );
            }
            Some((id, tr.name.clone(), tr.input))
        }
        None => None,
    };
    let input = match &args.channels {
        Some(c) => Some(
            c.parse::<TrackInput>()
                .map_err(|e| anyhow::anyhow!("--channels {c}: {e}"))?,
        ),
        None => track.as_ref().and_then(|(_, _, i)| *i),
    };
    if input == Some(TrackInput::None) {
        bail!("the track's input is none: give --channels (e.g. 1-2) or set input=default");
    }
    let track = track.map(|(id, name, _)| (id, name));
    let config = Config::load().map_err(anyhow::Error::msg)?;
    let format = format_from_config(config.audio.record_format.as_deref())?;
    let rate = project.sample_rate;
    let latency = latency_from_config(config.audio.input_latency_ms, rate)?;
    let from = project.tempo.beat_to_sample(args.at, rate);
    // Input frame 0 is taken when the count-in starts: a bar before the record point.
    let count_in = if args.count_in {
        TempoGrid::new(&project.tempo, project.time_signature, rate).bar_samples_at(from as f64)
    } else {
        0
    };
    let latency = match latency {
        Latency::Fixed(l) => Latency::Fixed(l + count_in),
        Latency::Measured { output } => Latency::Measured {
            output: output + count_in,
        },
    };
    let frames = (args.seconds * rate as f64).round() as u64;
    let name = match &track {
        Some((_, n)) => n.clone(),
        None => ops::default_track_name(&project, TrackKind::Audio),
    };
    let ring_seconds = (args.seconds + 2.0).clamp(4.0, 30.0);
    let session = AudioSession::open(AudioPlan {
        dir: dir.clone(),
        device: args.input.clone().or(config.audio.input.clone()),
        rate,
        buffer_frames: config.audio.buffer_frames,
        ring_frames: (ring_seconds * rate as f64) as usize,
        tracks: vec![(
            track.as_ref().map(|(id, _)| *id).unwrap_or(TrackId(0)),
            Target {
                channels: input.map(|i| i.channels()).unwrap_or_default(),
                stem: file_stem(&name),
            },
        )],
        format,
        placement: Placement {
            start: from,
            latency: 0,
            from,
            until: Some(from + frames),
            loop_region: None,
        },
        latency,
        // Room for the count-in and up to half a second of measured latency.
        quota: Some(frames + count_in + rate as u64 / 2 + 8192),
        strict: true,
    })
    .map_err(|e| anyhow::anyhow!("tdaw record: {e}"))?;

    // SAFETY: the handler only stores to an atomic.
    unsafe {
        for sig in [libc::SIGINT, libc::SIGHUP, libc::SIGTERM] {
            libc::signal(
                sig,
                on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
    }
    let mut engine = EngineHandle::start(EngineConfig {
        device: config.audio.device.clone(),
        buffer_frames: config.audio.buffer_frames,
        soundfont: config.soundfont.clone(),
        force_null: false,
    })
    .context("could not start the audio engine")?;
    // Headless recording plays straight through: no loop.
    let mut playing = project.clone();
    playing.loop_region = None;
    engine.load_project(&playing, dir);
    let t0 = Instant::now();
    'wait: loop {
        for e in engine.update() {
            match e {
                EngineEvent::Loaded => break 'wait,
                EngineEvent::Error(m) => eprintln!("warning: {m}"),
                _ => {}
            }
        }
        if t0.elapsed() > Duration::from_secs(60) {
            bail!("{}: the project took too long to load", dir.display());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    engine.send(EngineCommand::SetCountIn(args.count_in));
    engine.send(EngineCommand::Seek { beat: args.at });
    engine.send(EngineCommand::Play);
    session
        .start()
        .map_err(|e| anyhow::anyhow!("tdaw record: {e}"))?;
    let limit = Duration::from_secs_f64(args.seconds + count_in as f64 / rate as f64 + 10.0);
    let t0 = Instant::now();
    let mut stalled = None;
    while !session.is_done() {
        for e in engine.update() {
            if let EngineEvent::Error(m) = e {
                eprintln!("warning: {m}");
            }
        }
        if INTERRUPTED.load(Ordering::SeqCst) {
            break;
        }
        if session.shared.failed.load(Ordering::Relaxed) {
            stalled = Some(format!("the input '{}' went away", session.device()));
            break;
        }
        if t0.elapsed() > limit {
            stalled = Some(format!(
                "the input '{}' stopped delivering audio",
                session.device()
            ));
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    engine.send(EngineCommand::Pause);
    drop(engine);
    let device = session.device().to_string();
    let (takes, recorded) = session.finish();
    let Some((_, take)) = takes.into_iter().next() else {
        let why = recorded
            .error
            .or(stalled)
            .unwrap_or_else(|| "no audio arrived".into());
        bail!("tdaw record: nothing was recorded from '{device}': {why}");
    };
    let start_beat = project.tempo.sample_to_beat(take.start, rate);
    let length = take.frames as f64 / rate as f64;
    let file = take.file.clone();
    crate::cli::edit_project(dir, "record", |p| {
        let clip = Clip {
            id: p.next_clip_id(),
            name: String::new(),
            start: start_beat,
            lane: 0,
            take: None,
            content: ClipContent::Audio(AudioClip {
                file: file.clone(),
                offset: 0.0,
                length,
                gain_db: 0.0,
                fade_in: 0.0,
                fade_out: 0.0,
            }),
        };
        let recorded = [crate::model::takes::RecordedTake {
            file: file.clone(),
            start: take.start,
            frames: take.frames,
            pass: 0,
        }];
        let edit = match &track {
            // Over existing audio the take punches in: the old clips are split around it.
            Some((id, _)) if p.track(*id).is_some() => {
                crate::model::takes::record(p, *id, &recorded).unwrap_or(Edit::AddClip {
                    track: *id,
                    clip: Box::new(clip),
                })
            }
            Some((_, n)) => return Err(format!("track '{n}' was deleted while recording")),
            None => ops::add_track_with(
                p,
                p.tracks.len(),
                TrackKind::Audio,
                Some(name.clone()),
                None,
                vec![clip],
            )
            .map_err(|e| e.to_string())?,
        };
        Ok((edit, ()))
    })?;
    println!("{}", dir.join(&file).display());
    eprintln!(
        "recorded {length:.2} s from '{device}' onto '{name}' at beat {start_beat:.3} \
         ({:.1} ms latency compensated{})",
        recorded.latency.saturating_sub(count_in) as f64 * 1000.0 / rate as f64,
        if recorded.lost > 0 {
            format!("; {} frames lost to overruns", recorded.lost)
        } else {
            String::new()
        }
    );
    if let Some(e) = recorded.error.or(stalled) {
        bail!("{e}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_config_values() {
        assert_eq!(file_stem("Lead Vox 2"), "lead-vox-2");
        assert_eq!(file_stem("  / "), "take");
        assert_eq!(
            latency_from_config(Some(10.0), 48_000).unwrap(),
            Latency::Fixed(480)
        );
        assert!(latency_from_config(Some(-1.0), 48_000).is_err());
        assert_eq!(
            format_from_config(Some("float")).unwrap(),
            RecordFormat::Float32
        );
        assert_eq!(format_from_config(None).unwrap(), RecordFormat::Int24);
    }
}
