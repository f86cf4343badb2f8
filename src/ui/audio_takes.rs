//! A finished audio recording as an edit: each armed track gets its takes through
//! `model::takes::record` — with loop recording every pass on a take lane of its own and the
//! newest playing on lane 0; a punch (or any take over existing audio) splits the lane-0 clips
//! it covers, keeping the audio outside the range exactly and moving the covered part to a take
//! lane. One undo step removes the whole recording and restores what was there.

use crate::engine::record::Recording;
use crate::model::takes::{self, RecordedTake};
use crate::model::{Edit, Project, TrackId};

/// The edit for `rec`'s audio takes on `p` (the project as it will be when the edit is
/// applied) and what to tell the user; `None` without takes.
pub fn takes_edit(p: &Project, rec: &Recording) -> Option<(Edit, String)> {
    if rec.audio.is_empty() {
        return None;
    }
    let mut scratch = p.clone();
    let mut edits = Vec::new();
    let mut tracks: Vec<TrackId> = Vec::new();
    for (id, _) in &rec.audio {
        if !tracks.contains(id) {
            tracks.push(*id);
        }
    }
    // Takes are counted in the recording's samples; clips in the project's.
    let (from, to) = (rec.rate.max(1) as u128, scratch.sample_rate.max(1) as u128);
    let at = |s: u64| (s as u128 * to / from) as u64;
    let mut files = 0;
    for id in tracks {
        let recorded: Vec<RecordedTake> = rec
            .audio
            .iter()
            .filter(|(t, _)| *t == id)
            .map(|(_, t)| RecordedTake {
                file: t.file.clone(),
                start: at(t.start),
                frames: at(t.frames),
                pass: t.pass,
            })
            .collect();
        let Some(edit) = takes::record(&scratch, id, &recorded) else {
            continue;
        };
        if edit.clone().apply(&mut scratch).is_ok() {
            files += recorded.len();
            edits.push(edit);
        }
    }
    if edits.is_empty() {
        return None;
    }
    let said = if rec.passes > 0 {
        format!(
            "Recorded {files} take{} ({} loop passes); the newest plays, each pass is on a take \
             lane (T shows them)",
            if files == 1 { "" } else { "s" },
            rec.passes + 1
        )
    } else {
        format!(
            "Recorded {files} audio take{}",
            if files == 1 { "" } else { "s" }
        )
    };
    let edit = if edits.len() == 1 {
        edits.remove(0)
    } else {
        Edit::Batch(edits)
    };
    Some((edit, said))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::disk_writer::Take;
    use crate::engine::record::Recorder;
    use crate::model::{AudioClip, Clip, ClipContent, ClipId, Track, TrackKind};

    fn take(pass: u32, start: u64, frames: u64) -> Take {
        Take {
            target: 0,
            pass,
            file: format!("audio/vox-take-{}.wav", pass + 1),
            start,
            frames,
        }
    }

    #[test]
    fn loop_passes_go_on_take_lanes_and_the_newest_plays_over_the_split_old_clip() {
        let mut p = Project::new("t", 48_000, 120.0);
        let mut vox = Track::new(TrackId(1), "Vox", TrackKind::Audio);
        // An old clip from 0 to 3 s, under the loop region 1 s … 2 s.
        vox.clips.push(Clip {
            id: ClipId(7),
            name: "old".into(),
            start: 0.0,
            lane: 0,
            take: None,
            content: ClipContent::Audio(AudioClip {
                file: "audio/old.wav".into(),
                offset: 0.0,
                length: 3.0,
                gain_db: 0.0,
                fade_in: 0.0,
                fade_out: 0.0,
            }),
        });
        p.tracks.push(vox);
        p.tracks
            .push(Track::new(TrackId(2), "Bass", TrackKind::Audio));
        let mut rec = Recorder::new(48_000, 48_000, 0, Some((48_000, 96_000))).finish(200_000, 2);
        rec.audio = (0..3)
            .map(|i| (TrackId(1), take(i, 48_000, 48_000)))
            .collect();
        let (edit, said) = takes_edit(&p, &rec).unwrap();
        assert!(said.contains("3 takes"), "{said}");
        let mut q = p.clone();
        let undo = edit.apply(&mut q).unwrap();
        // No extra track: the takes belong to the track.
        let names: Vec<_> = q.tracks.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Vox", "Bass"]);
        let vox = &q.tracks[0];
        let on = |lane: u32| -> Vec<(f64, &str)> {
            vox.clips
                .iter()
                .filter(|c| c.lane == lane)
                .map(|c| (c.start, c.name.as_str()))
                .collect()
        };
        assert_eq!(on(0), [(0.0, "old"), (2.0, "take 3"), (4.0, "old")]);
        assert_eq!(on(1), [(2.0, "take 1")]);
        assert_eq!(on(2), [(2.0, "take 2")]);
        assert_eq!(on(3), [(2.0, "take 3")]);
        // The old clip's covered second is kept on lane 4.
        assert_eq!(on(4), [(2.0, "old")]);
        let ids: Vec<_> = q
            .tracks
            .iter()
            .flat_map(|t| t.clips.iter().map(|c| c.id))
            .collect();
        assert!(ids
            .iter()
            .all(|i| ids.iter().filter(|j| *j == i).count() == 1));
        // One undo step takes it all back, exactly.
        undo.apply(&mut q).unwrap();
        assert_eq!(q, p);
    }
}
