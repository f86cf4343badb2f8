//! The waveform overviews the arrange view can draw, and which are still being made.
//!
//! Reading and writing the cache is `store::peaks`; this keeps only what to draw. Missing
//! overviews are made by a job (cached files are read there too), so opening a project never
//! waits; results arrive through the reducer as job events, and a result of a job this store
//! did not start (one of the folder before `:saveas`) is ignored.

use super::jobs::{JobCtx, JobId, JobKind, JobOutput, Jobs};
use crate::model::{ClipContent, Project};
use crate::store::peaks::Peaks;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The peaks the arrange view can draw, and the files whose peaks are being made.
pub struct PeakStore {
    root: PathBuf,
    ready: HashMap<String, Arc<Peaks>>,
    failed: HashMap<String, String>,
    /// File → the job making its peaks.
    pending: HashMap<String, JobId>,
    jobs: HashSet<JobId>,
}

impl PeakStore {
    /// An empty store for the project in `root`.
    pub fn new(root: &Path) -> PeakStore {
        PeakStore {
            root: root.to_path_buf(),
            ready: HashMap::new(),
            failed: HashMap::new(),
            pending: HashMap::new(),
            jobs: HashSet::new(),
        }
    }

    /// The peaks of an audio file (relative path), when ready.
    pub fn get(&self, rel: &str) -> Option<&Peaks> {
        self.ready.get(rel).map(|p| p.as_ref())
    }

    /// Starts a job for every audio file of the project that has no peaks yet; returns at once.
    pub fn request_all(&mut self, project: &Project, jobs: &mut Jobs) {
        let mut todo = Vec::new();
        for t in &project.tracks {
            for c in &t.clips {
                if let ClipContent::Audio(a) = &c.content {
                    let f = &a.file;
                    if !self.ready.contains_key(f)
                        && !self.pending.contains_key(f)
                        && !self.failed.contains_key(f)
                        && !todo.contains(f)
                    {
                        todo.push(f.clone());
                    }
                }
            }
        }
        if todo.is_empty() {
            return;
        }
        let root = self.root.clone();
        let files = todo.clone();
        let work = move |ctx: &JobCtx| {
            for file in files {
                if ctx.cancelled() {
                    break;
                }
                let result =
                    crate::store::peaks::load_or_compute_until(&root, &file, ctx.cancel_flag());
                ctx.send(JobOutput::Peaks { file, result });
            }
        };
        // Without a worker the clips are drawn without waveforms, as while they load.
        if let Ok(id) = jobs.spawn(JobKind::Peaks, work) {
            self.jobs.insert(id);
            for f in todo {
                self.pending.insert(f, id);
            }
        }
    }

    /// Takes the peaks of one file from job `id`; false when the job is not this store's.
    pub fn accept(&mut self, id: JobId, file: String, result: Result<Peaks, String>) -> bool {
        if !self.jobs.contains(&id) {
            return false;
        }
        self.pending.remove(&file);
        match result {
            Ok(p) => {
                self.ready.insert(file, Arc::new(p));
            }
            Err(e) => {
                self.failed.insert(file, e);
            }
        }
        true
    }

    /// Job `id` ended: files it did not deliver (cancelled) may be asked for again.
    pub fn finished(&mut self, id: JobId) {
        if self.jobs.remove(&id) {
            self.pending.retain(|_, j| *j != id);
        }
    }

    /// Whether peaks are still being made.
    pub fn busy(&self) -> bool {
        !self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AudioClip, Clip, ClipId, Track, TrackId, TrackKind};
    use std::time::Duration;

    fn project_with(file: &str) -> Project {
        let mut p = Project::new("peaks", 48_000, 120.0);
        let mut t = Track::new(TrackId(1), "A", TrackKind::Audio);
        t.clips.push(Clip {
            id: ClipId(1),
            name: String::new(),
            start: 0.0,
            lane: 0,
            take: None,
            content: ClipContent::Audio(AudioClip {
                file: file.into(),
                offset: 0.0,
                length: 1.0,
                gain_db: 0.0,
                fade_in: 0.0,
                fade_out: 0.0,
            }),
        });
        p.tracks.push(t);
        p
    }

    /// Feeds the store every event until no job runs, as the reducer does.
    fn settle(store: &mut PeakStore, jobs: &mut Jobs) {
        while jobs.busy() {
            match jobs.wait(Duration::from_secs(10)) {
                Some(crate::ui::jobs::JobEvent::Output {
                    id,
                    output: JobOutput::Peaks { file, result },
                }) => {
                    store.accept(id, file, result);
                }
                Some(crate::ui::jobs::JobEvent::Finished { id, .. }) => store.finished(id),
                Some(_) => {}
                None => panic!("a peak job never finished"),
            }
        }
    }

    #[test]
    fn a_result_of_a_job_the_store_did_not_start_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut jobs = Jobs::new();
        let mut store = PeakStore::new(dir.path());
        let foreign = jobs.spawn(JobKind::Peaks, |_| {}).unwrap();
        let peaks = Peaks {
            sample_rate: 8000,
            frames: 256,
            per: 256,
            min: vec![-1],
            max: vec![1],
        };
        assert!(!store.accept(foreign, "audio/x.wav".into(), Ok(peaks)));
        assert!(store.get("audio/x.wav").is_none());
    }

    #[test]
    fn a_missing_file_is_asked_for_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut jobs = Jobs::new();
        let mut store = PeakStore::new(dir.path());
        let p = project_with("audio/gone.wav");
        store.request_all(&p, &mut jobs);
        assert!(store.busy());
        assert_eq!(jobs.running(JobKind::Peaks), 1);
        settle(&mut store, &mut jobs);
        assert!(!store.busy() && store.get("audio/gone.wav").is_none());
        assert!(store.failed["audio/gone.wav"].contains("missing"));
        store.request_all(&p, &mut jobs);
        assert!(!jobs.busy(), "a failed file is not tried on every edit");
    }
}
