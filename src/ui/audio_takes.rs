//! A finished audio recording as an edit: each armed track's newest take becomes a clip on
//! it, where it was played; with loop recording, the earlier passes' takes go onto a muted
//! take-lane track after it ("Vox takes"), stacked at the loop, so the user can choose one
//! (move it onto the track) and none is lost. Punch recording only adds clips inside the loop
//! region, so the audio outside it is untouched; one undo step removes the whole take.

use crate::engine::disk_writer::Take;
use crate::engine::record::Recording;
use crate::model::{ops, AudioClip, Clip, ClipContent, Edit, Project, TrackId, TrackKind};

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
    let mut files = 0;
    for id in tracks {
        let Some(track) = scratch.track(id) else {
            continue;
        };
        let name = track.name.clone();
        let mut takes: Vec<&Take> = rec
            .audio
            .iter()
            .filter(|(t, _)| *t == id)
            .map(|(_, t)| t)
            .collect();
        takes.sort_by_key(|t| t.pass);
        let Some(newest) = takes.pop() else { continue };
        files += 1 + takes.len();
        let newest_clip = clip(&scratch, newest, rec.rate, newest.pass, 0);
        push(
            &mut scratch,
            &mut edits,
            Edit::AddClip {
                track: id,
                clip: Box::new(newest_clip),
            },
        );
        if takes.is_empty() {
            continue;
        }
        let older: Vec<Clip> = takes
            .iter()
            .enumerate()
            .map(|(i, t)| clip(&scratch, t, rec.rate, t.pass, i as u64))
            .collect();
        let index = scratch
            .tracks
            .iter()
            .position(|t| t.id == id)
            .map_or(scratch.tracks.len(), |i| i + 1);
        let Ok(Edit::AddTrack { index, mut track }) = ops::add_track_with(
            &scratch,
            index,
            TrackKind::Audio,
            Some(format!("{name} takes")),
            None,
            older,
        ) else {
            continue;
        };
        track.mute = true;
        push(&mut scratch, &mut edits, Edit::AddTrack { index, track });
    }
    if edits.is_empty() {
        return None;
    }
    let said = if rec.passes > 0 {
        format!(
            "Recorded {files} take{} ({} loop passes); the newest is on each track, the others \
             on its muted take lane",
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

/// An audio clip for a take; `nth` keeps ids apart when several are made at once.
fn clip(p: &Project, t: &Take, rate: u32, pass: u32, nth: u64) -> Clip {
    let rate = rate.max(1);
    let mut id = p.next_clip_id();
    id.0 += nth;
    Clip {
        id,
        name: format!("take {}", pass + 1),
        start: p.tempo.sample_to_beat(t.start, rate),
        lane: 0,
        take: None,
        content: ClipContent::Audio(AudioClip {
            file: t.file.clone(),
            offset: 0.0,
            length: t.frames as f64 / rate as f64,
            gain_db: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
        }),
    }
}

/// Keeps `edit` and applies a copy to the scratch project, so the next ids are fresh.
fn push(scratch: &mut Project, edits: &mut Vec<Edit>, edit: Edit) {
    if edit.clone().apply(scratch).is_ok() {
        edits.push(edit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::record::Recorder;
    use crate::model::Track;

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
    fn the_newest_pass_goes_on_the_track_and_older_ones_on_a_muted_take_lane() {
        let mut p = Project::new("t", 48_000, 120.0);
        p.tracks
            .push(Track::new(TrackId(1), "Vox", TrackKind::Audio));
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
        let names: Vec<_> = q.tracks.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Vox", "Vox takes", "Bass"]);
        let vox = &q.tracks[0];
        assert_eq!(vox.clips.len(), 1);
        assert_eq!(vox.clips[0].start, 2.0, "one second in at 120 bpm");
        assert_eq!(vox.clips[0].name, "take 3");
        let lane = &q.tracks[1];
        assert!(lane.mute);
        assert_eq!(lane.clips.len(), 2);
        let ids: Vec<_> = q
            .tracks
            .iter()
            .flat_map(|t| t.clips.iter().map(|c| c.id))
            .collect();
        assert_eq!(ids.len(), 3);
        assert!(ids
            .iter()
            .all(|i| ids.iter().filter(|j| *j == i).count() == 1));
        // One undo step takes it all back.
        undo.apply(&mut q).unwrap();
        assert_eq!(q, p);
    }
}
