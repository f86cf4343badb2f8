//! `:input [DEVICE|default|off]`: the audio input for this session — what armed audio tracks
//! meter, monitor and record (the config's `[audio] input` stays as it is). Bare, it says
//! which input is open and lists the capture devices.

use super::spec::{opt, Args, Command, Kind, Run};
use crate::ui::app::App;

/// `:input [DEVICE|default|off]`.
pub(super) const INPUT: Command = Command {
    name: "input",
    aliases: &[],
    synopsis: "[DEVICE|default|off]",
    args: &[opt("DEVICE", Kind::Text)],
    doc: "The audio input armed tracks meter, monitor and record (this session); lists the devices without DEVICE",
    run: Run::Handler(input),
    keys: &[],
    quits: false,
};

fn input(app: &mut App, args: &Args) -> Result<(), String> {
    match args.rest.trim() {
        "" => {
            let devices: Vec<String> = crate::engine::backend::list_devices()
                .into_iter()
                .filter(|d| d.input && !d.id.ends_with(":null"))
                .map(|d| d.id)
                .collect();
            let now = match app.engine.input_device() {
                Some(d) => format!("audio input: {d}"),
                None => "no audio input open (arm an audio track to open it)".to_string(),
            };
            if devices.is_empty() {
                app.info(format!(
                    "{now}; {} (see `tdaw devices`)",
                    crate::engine::backend::NO_INPUTS
                ));
            } else {
                app.info(format!("{now}; inputs: {}", devices.join(", ")));
            }
        }
        "off" => {
            app.engine.live_input(false, None);
            app.info("audio input closed: armed tracks are not metered or monitored");
        }
        "default" => {
            app.engine.live_input(true, None);
            app.info("audio input: the configured one (or the default)");
        }
        device => {
            app.engine.live_input(true, Some(device.to_string()));
            app.info(format!("audio input: {device} (this session)"));
        }
    }
    Ok(())
}
