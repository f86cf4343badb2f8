//! `tdaw list [--json]`: the projects known to the index, most recently used first.
//!
//! A project whose folder no longer holds a `project.toml` (deleted, moved, or on a disk that
//! is not mounted) is kept and shown as missing rather than dropped: the index must never
//! forget a project because a drive was unplugged.

use crate::store::index::{Index, ProjectEntry};
use serde_json::{json, Value};

/// Arguments of `tdaw list`.
#[derive(clap::Args)]
pub struct Args {
    /// Print one JSON array.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let entries = Index::open()?.list_projects()?;
    if args.json {
        let all: Vec<Value> = entries.iter().map(to_json).collect();
        println!("{}", Value::Array(all));
    } else {
        print!("{}", to_text(&entries));
    }
    Ok(())
}

/// One entry of the `--json` array.
pub fn to_json(e: &ProjectEntry) -> Value {
    json!({
        "name": e.name,
        "path": e.path.to_string_lossy(),
        "status": if e.missing { "missing" } else { "ok" },
        "bpm": e.bpm,
        "sample_rate": e.sample_rate,
        "time_signature": e.time_signature,
        "key": e.key,
        "tracks": e.tracks,
        "length_seconds": e.length_seconds,
        "saved_at": e.saved_ms.map(iso_time),
        "opened_at": e.opened_ms.map(iso_time),
    })
}

/// The human table.
pub fn to_text(entries: &[ProjectEntry]) -> String {
    use super::info::{clip_str, duration, number};
    if entries.is_empty() {
        return "no projects yet: create one with `tdaw new DIR`\n".into();
    }
    let rows: Vec<[String; 6]> = entries
        .iter()
        .map(|e| {
            let dash = || "-".to_string();
            let when = e.saved_ms.max(e.opened_ms).map_or_else(dash, |ms| {
                let t = iso_time(ms);
                t[..16.min(t.len())].replace('T', " ")
            });
            let mut path = e.path.display().to_string();
            if e.missing {
                path += "  (missing)";
            }
            [
                clip_str(&e.name, 32),
                e.bpm.map_or_else(dash, number),
                e.tracks.map_or_else(dash, |t| t.to_string()),
                e.length_seconds.map_or_else(dash, duration),
                when,
                path,
            ]
        })
        .collect();
    let head = ["NAME", "BPM", "TRACKS", "LENGTH", "LAST USED (UTC)", "PATH"];
    let mut w = head.map(|h| h.chars().count());
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |r: &[String; 6]| {
        format!(
            "{:<a$}  {:>b$}  {:>c$}  {:>d$}  {:<e$}  {}\n",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            a = w[0],
            b = w[1],
            c = w[2],
            d = w[3],
            e = w[4]
        )
    };
    let mut out = line(&head.map(String::from));
    for r in &rows {
        out += &line(r);
    }
    out
}

/// ISO 8601 UTC time (`2026-05-01T12:34:56Z`) of a Unix time in milliseconds.
pub fn iso_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_time(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso_time(1_767_225_599_000), "2025-12-31T23:59:59Z");
    }

    #[test]
    fn table_marks_missing_projects() {
        let e = ProjectEntry {
            path: "/music/Gone".into(),
            name: "Gone".into(),
            bpm: Some(120.0),
            sample_rate: Some(48_000),
            time_signature: Some("4/4".into()),
            key: None,
            tracks: Some(2),
            length_seconds: Some(61.0),
            saved_ms: Some(0),
            opened_ms: None,
            missing: true,
        };
        let t = to_text(std::slice::from_ref(&e));
        assert!(
            t.lines()
                .nth(1)
                .unwrap()
                .starts_with("Gone  120       2  1:01.0  1970-01-01 00:00  /music/Gone  (missing)"),
            "{t}"
        );
        assert_eq!(to_json(&e)["status"], "missing");
    }
}
