//! The `tdaw` binary: headless commands, or the TUI. Errors are printed as one line on stderr,
//! with the error chain de-duplicated (an OS error appears once, not once per layer that
//! wraps it) and every control character escaped, so a hostile file name or a file's raw bytes
//! quoted in a message cannot send escape sequences to the terminal.

use clap::{CommandFactory, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use tdaw::cli;

#[derive(Parser)]
#[command(
    name = "tdaw",
    version,
    about = "A digital audio workstation for the terminal",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    /// Project folder to open in the TUI (the most recent project, or the demo, when absent).
    dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Create a project folder holding project.toml.
    New(cli::new::Args),
    /// Import audio (wav, flac, mp3, ogg) or MIDI (.mid) files into a project.
    Import(cli::import::Args),
    /// Write the project's MIDI tracks as a Standard MIDI File (format 1).
    ExportMidi(cli::export_midi::Args),
    /// Print a summary of a project.
    Info(cli::info::Args),
    /// List the projects known to the index.
    List(cli::list::Args),
    /// Render a project offline to a WAV or FLAC file (renders/ by default).
    Render(cli::render::Args),
    /// Measure loudness, peaks and tempo of an audio file.
    Analyze(cli::analyze::Args),
    /// Play a project headless until Ctrl-C.
    Play(cli::play::Args),
    /// List audio devices and MIDI ports.
    Devices(cli::devices::Args),
    /// Create (if needed) and open the bundled demo song.
    Demo(cli::demo::Args),
    /// Ask the assistant one question.
    Ai(cli::ai::Args),
    /// Serve the assistant's tools over MCP on stdio.
    Mcp(cli::mcp::Args),
    /// Record from the audio input into a new clip.
    Record(cli::record::Args),
    /// Stream the master bus to stdout (on the studio box).
    Monitor(cli::monitor::Args),
    /// Hear the studio box's master bus here (runs `ssh HOST tdaw monitor`).
    Listen(cli::listen::Args),
    /// Add a track or bus, or change a track's settings.
    Track(cli::track::Args),
    /// Insert effects: list the kinds, add, set, remove, move, bypass, list the chains.
    Fx(cli::fx::Args),
    /// A send from a track to a bus (add, change or --remove).
    Send(cli::send::Args),
    /// Set or remove automation points on a lane (gain, pan, send:BUS, fx:FX:PARAM).
    Automate(cli::automate::Args),
    /// Take lanes: list a track's takes, choose or comp one into what plays.
    Take(cli::take::Args),
    /// Effect presets: list, save, load, rm.
    Preset(cli::preset::Args),
    /// MIDI tools: quantize, humanize, transpose, chords, arp.
    Midi(cli::midi::Args),
    /// Music theory: chord symbols, scales, the key of a track.
    Theory(cli::theory::Args),
    /// Print a shell completion script.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // Commands that only print end quietly when their reader goes away (`tdaw ai … | head`),
    // as Unix tools do, instead of failing on a broken pipe. The rest (the TUI serving its
    // monitor socket, monitor, listen, renders, edits) keep Rust's default: a write error.
    if matches!(
        cli.command,
        Some(
            Command::Info(_)
                | Command::List(_)
                | Command::Analyze(_)
                | Command::Devices(_)
                | Command::Ai(_)
                | Command::Theory(_)
                | Command::Completions { .. }
        )
    ) {
        // SAFETY: at start-up, before any thread is spawned; SIG_DFL is a valid disposition.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    match cli.command {
        Some(Command::New(a)) => cli::new::run(a),
        Some(Command::Import(a)) => cli::import::run(a),
        Some(Command::ExportMidi(a)) => cli::export_midi::run(a),
        Some(Command::Info(a)) => cli::info::run(a),
        Some(Command::List(a)) => cli::list::run(a),
        Some(Command::Render(a)) => cli::render::run(a),
        Some(Command::Analyze(a)) => cli::analyze::run(a),
        Some(Command::Play(a)) => cli::play::run(a),
        Some(Command::Devices(a)) => cli::devices::run(a),
        Some(Command::Ai(a)) => cli::ai::run(a),
        Some(Command::Mcp(a)) => cli::mcp::run(a),
        Some(Command::Record(a)) => cli::record::run(a),
        Some(Command::Monitor(a)) => cli::monitor::run(a),
        Some(Command::Listen(a)) => cli::listen::run(a),
        Some(Command::Demo(a)) => cli::demo::run(a),
        Some(Command::Track(a)) => cli::track::run(a),
        Some(Command::Fx(a)) => cli::fx::run(a),
        Some(Command::Send(a)) => cli::send::run(a),
        Some(Command::Automate(a)) => cli::automate::run(a),
        Some(Command::Take(a)) => cli::take::run(a),
        Some(Command::Preset(a)) => cli::preset::run(a),
        Some(Command::Midi(a)) => cli::midi::run(a),
        Some(Command::Theory(a)) => cli::theory::run(a),
        Some(Command::Completions { shell }) => {
            clap_complete::generate(shell, &mut Cli::command(), "tdaw", &mut std::io::stdout());
            Ok(())
        }
        None => cli::open::run(cli.dir),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                e.exit();
            }
            // One line, as for every other error; the usage is one `--help` away.
            let text = e.render().to_string();
            let head: Vec<&str> = text
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let head = head.join(" ");
            let head = head.strip_prefix("error: ").unwrap_or(&head);
            eprintln!("error: {} (see 'tdaw --help')", escape_controls(head));
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", error_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error chain as one line: each cause once (a cause whose text the line already holds is
/// left out), joined with ": ", control characters escaped.
fn error_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    escape_controls(&line)
}

/// `\n`, `\r`, `\t` and `\xNN` (or `\u{NN}` for C1 controls) instead of the characters.
fn escape_controls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
