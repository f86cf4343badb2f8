//! One channel for the TUI's background work and timers.
//!
//! [`Jobs`] (owned by the App) runs work on worker threads and keeps timers. Everything they
//! produce — progress, results, the end of a worker, a timer that is due — arrives on one mpsc
//! channel as a [`JobEvent`]; the event loop turns each into `Action::Job` for the reducer, so
//! `update` stays the only place results take effect and nothing is polled by hand. Every job
//! has an id (a result whose id is no longer wanted is dropped by its receiver) and a cancel
//! flag the work checks. This module knows no App and no view: it must never import them.

use crate::store::peaks::Peaks;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long dropping [`Jobs`] (quitting) waits for cancelled workers to clean up (a render
/// removes its temporary file) before leaving them behind.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

/// Names one job for as long as the App runs; ids are never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(u64);

/// What a worker does (for its thread's name and for [`Jobs::running`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// Waveform overviews of audio files, read from the cache or computed.
    Peaks,
    /// An offline render (`:render`).
    Render,
    /// A question to the assistant (the chat).
    Assistant,
}

impl JobKind {
    fn thread_name(self) -> &'static str {
        match self {
            JobKind::Peaks => "tdaw-peaks",
            JobKind::Render => "tdaw-render",
            JobKind::Assistant => "tdaw-assistant",
        }
    }
}

/// A timer: at most one of each kind is set; setting it again moves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Release the note being auditioned.
    AuditionOff,
    /// Unsaved changes are due to be autosaved.
    Autosave,
    /// Look at `project.toml` for another writer's save.
    DiskPoll,
    /// Turn the chat's spinner while a request runs.
    ChatSpin,
    /// The next note of a suggestion being auditioned is due.
    ChatAudition,
}

/// What a worker hands back.
#[derive(Clone, Debug, PartialEq)]
pub enum JobOutput {
    /// The overview of one audio file (path relative to the project), or why there is none.
    Peaks {
        file: String,
        result: Result<Peaks, String>,
    },
    /// How a render ended.
    Render(RenderEnd),
    /// What the assistant's worker has to say.
    Assistant(AssistantReport),
}

/// What the assistant's worker reports, in order: figures (when it measured), text pieces as
/// they stream in, then the end.
#[derive(Clone, Debug, PartialEq)]
pub enum AssistantReport {
    /// The project's mix, measured for this request.
    Figures(crate::ai::Figures),
    /// A piece of the answer's text.
    Text(String),
    /// The whole answer, or why there is none.
    Done(Result<crate::ai::Reply, crate::ai::AiError>),
}

/// How a render ended.
#[derive(Clone, Debug, PartialEq)]
pub enum RenderEnd {
    /// The summary line.
    Done(String),
    /// The error sentence.
    Failed(String),
    /// Cancelled; the temporary file is removed and nothing is written.
    Cancelled,
}

/// One event on the channel.
#[derive(Clone, Debug, PartialEq)]
pub enum JobEvent {
    /// A worker got this far (0..1).
    Progress { id: JobId, fraction: f32 },
    /// A worker produced a result (a worker may produce several).
    Output { id: JobId, output: JobOutput },
    /// A worker returned (or panicked): nothing more comes from `id`. Always after its outputs.
    Finished { id: JobId, kind: JobKind },
    /// A timer is due.
    Timer(Timer),
}

/// A worker's side: its cancel flag and its way to report.
pub struct JobCtx {
    id: JobId,
    cancel: Arc<AtomicBool>,
    tx: Sender<JobEvent>,
}

impl JobCtx {
    /// Whether the job was cancelled; long work checks it between steps and stops early.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The cancel flag itself, for work that checks it deep inside (a render).
    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.cancel
    }

    /// Reports progress (0..1).
    pub fn progress(&self, fraction: f32) {
        let _ = self.tx.send(JobEvent::Progress {
            id: self.id,
            fraction,
        });
    }

    /// Hands a result to the UI.
    pub fn send(&self, output: JobOutput) {
        let _ = self.tx.send(JobEvent::Output {
            id: self.id,
            output,
        });
    }
}

/// Sends `Finished` when the worker's closure ends, by returning or by panicking.
struct FinishGuard {
    id: JobId,
    kind: JobKind,
    tx: Sender<JobEvent>,
}

impl Drop for FinishGuard {
    fn drop(&mut self) {
        let _ = self.tx.send(JobEvent::Finished {
            id: self.id,
            kind: self.kind,
        });
    }
}

struct Running {
    id: JobId,
    kind: JobKind,
    cancel: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

/// The App's background work: running workers, set timers, and the one channel.
pub struct Jobs {
    tx: Sender<JobEvent>,
    rx: Receiver<JobEvent>,
    next: u64,
    running: Vec<Running>,
    timers: Vec<(Instant, Timer)>,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs::new()
    }
}

impl Jobs {
    /// No work and no timers.
    pub fn new() -> Jobs {
        let (tx, rx) = channel();
        Jobs {
            tx,
            rx,
            next: 1,
            running: Vec::new(),
            timers: Vec::new(),
        }
    }

    /// Runs `work` on a worker thread. Its reports arrive as events with the returned id,
    /// then `Finished`.
    pub fn spawn(
        &mut self,
        kind: JobKind,
        work: impl FnOnce(&JobCtx) + Send + 'static,
    ) -> Result<JobId, String> {
        let id = JobId(self.next);
        self.next += 1;
        let cancel = Arc::new(AtomicBool::new(false));
        let ctx = JobCtx {
            id,
            cancel: cancel.clone(),
            tx: self.tx.clone(),
        };
        let guard = FinishGuard {
            id,
            kind,
            tx: self.tx.clone(),
        };
        let handle = std::thread::Builder::new()
            .name(kind.thread_name().into())
            .spawn(move || {
                let _guard = guard;
                work(&ctx);
            })
            .map_err(|e| format!("could not start a background job: {e}"))?;
        self.running.push(Running {
            id,
            kind,
            cancel,
            handle: Some(handle),
        });
        Ok(id)
    }

    /// Asks a job to stop; its `Finished` still arrives. False when it is not running.
    pub fn cancel(&self, id: JobId) -> bool {
        match self.running.iter().find(|r| r.id == id) {
            Some(r) => {
                r.cancel.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// Asks every job to stop (quitting).
    pub fn cancel_all(&self) {
        for r in &self.running {
            r.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Whether a job has not finished yet (its `Finished` event not taken).
    pub fn is_running(&self, id: JobId) -> bool {
        self.running.iter().any(|r| r.id == id)
    }

    /// How many jobs of a kind are running.
    pub fn running(&self, kind: JobKind) -> usize {
        self.running.iter().filter(|r| r.kind == kind).count()
    }

    /// Whether any worker is running (the event loop then looks at the channel often).
    pub fn busy(&self) -> bool {
        !self.running.is_empty()
    }

    /// Sets `timer` to be due `after` from now (moving it when it is set).
    pub fn after(&mut self, after: Duration, timer: Timer) {
        self.at(Instant::now() + after, timer);
    }

    /// Sets `timer` to be due at `when` (moving it when it is set).
    pub fn at(&mut self, when: Instant, timer: Timer) {
        match self.timers.iter_mut().find(|(_, t)| *t == timer) {
            Some(slot) => slot.0 = when,
            None => self.timers.push((when, timer)),
        }
    }

    /// Unsets a timer.
    pub fn clear(&mut self, timer: Timer) {
        self.timers.retain(|(_, t)| *t != timer);
    }

    /// When a timer of this kind is due, if set.
    pub fn due(&self, timer: Timer) -> Option<Instant> {
        self.timers
            .iter()
            .find(|(_, t)| *t == timer)
            .map(|(w, _)| *w)
    }

    /// When the next timer is due (the event loop sleeps no longer than that).
    pub fn next_timer(&self) -> Option<Instant> {
        self.timers.iter().map(|(w, _)| *w).min()
    }

    /// The next event that is ready at `now`, without waiting: timers due by then go onto the
    /// channel first (earliest first), then the channel is read.
    pub fn take(&mut self, now: Instant) -> Option<JobEvent> {
        self.fire_due(now);
        let ev = self.rx.try_recv().ok()?;
        self.seen(&ev);
        Some(ev)
    }

    /// Waits up to `timeout` (less when a timer falls due sooner) for the next event.
    pub fn wait(&mut self, timeout: Duration) -> Option<JobEvent> {
        let now = Instant::now();
        if let Some(ev) = self.take(now) {
            return Some(ev);
        }
        let until = self
            .next_timer()
            .map_or(timeout, |t| t.saturating_duration_since(now).min(timeout));
        match self.rx.recv_timeout(until) {
            Ok(ev) => {
                self.seen(&ev);
                Some(ev)
            }
            Err(RecvTimeoutError::Timeout) => self.take(Instant::now()),
            // Jobs holds a sender, so the channel cannot disconnect.
            Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    fn fire_due(&mut self, now: Instant) {
        if !self.timers.iter().any(|(w, _)| *w <= now) {
            return;
        }
        let (mut due, later): (Vec<_>, Vec<_>) =
            self.timers.drain(..).partition(|(w, _)| *w <= now);
        self.timers = later;
        due.sort_by_key(|(w, _)| *w);
        for (_, t) in due {
            let _ = self.tx.send(JobEvent::Timer(t));
        }
    }

    /// A finished worker leaves the list (its thread is at its very end: the join is short).
    fn seen(&mut self, ev: &JobEvent) {
        if let JobEvent::Finished { id, .. } = ev {
            if let Some(i) = self.running.iter().position(|r| r.id == *id) {
                let mut r = self.running.swap_remove(i);
                if let Some(h) = r.handle.take() {
                    let _ = h.join();
                }
            }
        }
    }
}

impl Drop for Jobs {
    /// Cancels every job and waits (a bounded time) for them to end, so that quitting leaves
    /// no half-written file behind; their results are dropped.
    fn drop(&mut self) {
        self.cancel_all();
        let deadline = Instant::now() + SHUTDOWN_WAIT;
        while self.busy() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match self.rx.recv_timeout(left) {
                Ok(ev) => self.seen(&ev),
                Err(_) => break,
            }
        }
    }
}
