//! Deciding what an edit costs the engine. The [`Planner`] remembers the project the running
//! graph was built from; given the next snapshot it answers with the cheapest way there: no
//! work at all, a handful of parameter messages (a fader, pan, mute or solo, a send level,
//! the master, an effect's parameter or bypass), or a graph in which only the tracks whose
//! material changed are rebuilt and every other node is a stand-in that the audio thread
//! fills by moving the running node over (see `Source::Kept`). Effects work the same way:
//! an effect added, removed, moved or rebuilt (the limiter's lookahead) re-lays its chain,
//! but every effect whose id, kind and buffers stay is moved over running, whatever else is
//! rebuilt around it; automation lanes travel with the graph like settings. The live engine thread and the tests drive the same planner.
//! It runs on the engine thread (it opens files and builds instruments), never on the audio
//! thread.

use super::fx::chain::{fx_values, param_kind, ParamKind};
use super::graph::{audible, ClipMode, Compiled, Graph, Inherit, NodeLayout};
use super::messages::{NodeId, ParamChange, ParamId};
use super::EngineError;
use crate::model::{Effect, FxId, Project, Track, TrackId};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the engine did for edits so far (tests and the benchmark read these).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineCounters {
    /// Graphs compiled whole: every track built (the first load, a tempo or rate change, a
    /// restart).
    pub graph_compiles: u64,
    /// Tracks built (files opened, instruments made), in whole and partial compiles alike.
    pub track_compiles: u64,
    /// Parameter messages sent in place of a compile.
    pub param_messages: u64,
}

/// The cheapest way from the running graph to a new snapshot.
pub enum Plan {
    /// Nothing the engine plays changed (a marker, a colour, the key).
    Nothing,
    /// Values only: send these to the audio thread in order.
    Params(Vec<ParamChange>),
    /// A new graph to install. Kept nodes are stand-ins and every node's `inherit` is set.
    /// In streamed mode `layers` holds the clip layers of rebuilt audio tracks to stream;
    /// `layout` is empty (the planner keeps it).
    Graph(Box<Compiled>),
}

/// The latency of each effect of a graph, by id.
type FxLatencies = Vec<(FxId, usize)>;

/// The engine thread's memory of the graph it last handed to the audio thread.
pub struct Planner {
    rate: u32,
    mode: ClipMode,
    last: Option<Last>,
    pub counters: EngineCounters,
}

struct Last {
    project: Project,
    root: PathBuf,
    soundfont: Option<Arc<rustysynth::SoundFont>>,
    /// One entry per node of the running graph, in graph order.
    layout: Vec<NodeLayout>,
    /// The latency of every effect of the running graph.
    fx_latency: Vec<(FxId, usize)>,
}

impl Planner {
    /// A planner for graphs at `rate`, reading clips as `mode` says.
    pub fn new(rate: u32, mode: ClipMode) -> Planner {
        Planner {
            rate,
            mode,
            last: None,
            counters: EngineCounters::default(),
        }
    }

    /// Forgets the running graph (after a backend restart): the next plan compiles whole.
    pub fn reset(&mut self, rate: u32) {
        self.rate = rate;
        self.last = None;
    }

    /// The cheapest plan from the last project planned to `project`. The planner then takes
    /// `project` as what runs. Errors only for a project that cannot be compiled at all; a
    /// track that fails is silent and its problem is in [`Compiled::problems`].
    pub fn plan(
        &mut self,
        project: &Project,
        root: &Path,
        soundfont: Option<&Arc<rustysynth::SoundFont>>,
    ) -> Result<Plan, EngineError> {
        let whole = match &self.last {
            None => true,
            Some(last) => {
                last.root != root
                    || last.project.sample_rate != project.sample_rate
                    || last.project.tempo != project.tempo
                    || last.soundfont.as_ref().map(Arc::as_ptr) != soundfont.map(Arc::as_ptr)
            }
        };
        if !whole {
            if let Some(plan) = self.params_only(project) {
                self.remember(project, root, soundfont, None);
                return Ok(plan);
            }
        }
        // Even a whole compile inherits from the running graph (instruments, streams and
        // fader positions, as `Inherit` says); it only keeps no node whole.
        let mut old_layout = match &mut self.last {
            Some(last) => std::mem::take(&mut last.layout),
            None => Vec::new(),
        };
        let old_project = self.last.as_ref().map(|l| &l.project);
        let old_ids: Vec<_> = old_layout.iter().map(|e| e.id).collect();
        // An effect keeps its running node when its chain had it with the same kind and the
        // same buffers (a tempo change keeps tails ringing; another project keeps nothing).
        let same_root = self.last.as_ref().is_some_and(|l| l.root == root);
        let fx_latency = self.last.as_ref().map(|l| &l.fx_latency[..]).unwrap_or(&[]);
        let keep_fx = |owner: Option<TrackId>, e: &Effect| -> Option<usize> {
            if !same_root {
                return None;
            }
            let old = old_project?;
            let chain = match owner {
                Some(id) => &old.tracks.iter().find(|t| t.id == id)?.effects,
                None => &old.master.effects,
            };
            let o = chain.iter().find(|o| o.id == e.id)?;
            if !same_buffers(o, e) {
                return None;
            }
            fx_latency
                .iter()
                .find(|(id, _)| *id == e.id)
                .map(|(_, l)| *l)
        };
        // A track keeps its running node when its material is what that node was built from
        // and it did not fail to build (a rebuild retries a missing file).
        let mut keep = |t: &Track| -> Option<NodeLayout> {
            if whole {
                return None;
            }
            let before = old_project?.tracks.iter().find(|o| o.id == t.id)?;
            if !same_material(before, t) {
                return None;
            }
            let j = old_ids.iter().position(|id| *id == t.id)?;
            if old_layout[j].failed {
                return None;
            }
            // Taken, not cloned: the old layout is not needed again.
            Some(std::mem::replace(
                &mut old_layout[j],
                NodeLayout {
                    id: t.id,
                    layer: None,
                    instrument: None,
                    schedule: Vec::new(),
                    arp: None,
                    end: 0,
                    failed: true,
                },
            ))
        };
        let mut compiled = Graph::compile_keeping(
            project, root, self.rate, self.mode, soundfont, false, &mut keep, &keep_fx,
        )?;
        let old_layout = old_layout;
        let mut built = 0;
        for (i, entry) in compiled.layout.iter().enumerate() {
            let node = &mut compiled.graph.tracks[i];
            let from = old_ids.iter().position(|id| *id == entry.id);
            if node.is_kept() {
                node.inherit = Inherit {
                    from,
                    ..Inherit::default()
                };
                continue;
            }
            built += 1;
            let mut inherit = Inherit {
                from,
                ..Inherit::default()
            };
            if let Some(o) = from.and_then(|j| old_layout.get(j)) {
                inherit.stream = entry.layer.is_some() && entry.layer == o.layer;
                inherit.instrument = entry.instrument.is_some() && entry.instrument == o.instrument;
                // A new arpeggiator does not know what the old one left sounding.
                inherit.notes_changed = entry.schedule != o.schedule || entry.arp != o.arp;
            }
            node.inherit = inherit;
        }
        if whole {
            self.counters.graph_compiles += 1;
        }
        self.counters.track_compiles += built;
        // The planner keeps the layout; the graph goes.
        let layout = std::mem::take(&mut compiled.layout);
        let fx_latency = std::mem::take(&mut compiled.fx_latency);
        self.remember(project, root, soundfont, Some((layout, fx_latency)));
        Ok(Plan::Graph(Box::new(compiled)))
    }

    fn remember(
        &mut self,
        project: &Project,
        root: &Path,
        soundfont: Option<&Arc<rustysynth::SoundFont>>,
        layout: Option<(Vec<NodeLayout>, FxLatencies)>,
    ) {
        let (layout, fx_latency) = match (layout, self.last.take()) {
            (Some(l), _) => l,
            (None, Some(last)) => (last.layout, last.fx_latency),
            (None, None) => (Vec::new(), Vec::new()),
        };
        self.last = Some(Last {
            project: project.clone(),
            root: root.to_path_buf(),
            soundfont: soundfont.cloned(),
            layout,
            fx_latency,
        });
    }

    /// The parameter messages that take the running graph to `project`, or `None` when the
    /// graph's shape has to change (a track added, removed, moved or rebuilt; a send added or
    /// removed; the loop, the metre or a name).
    fn params_only(&mut self, project: &Project) -> Option<Plan> {
        let old = &self.last.as_ref()?.project;
        if old.tracks.len() != project.tracks.len()
            || old.loop_region != project.loop_region
            || old.time_signature != project.time_signature
        {
            return None;
        }
        let mut out = Vec::new();
        for (a, b) in old.tracks.iter().zip(&project.tracks) {
            let same_shape = a.id == b.id
                && a.name == b.name
                && same_material(a, b)
                && a.sends.len() == b.sends.len()
                && a.sends
                    .iter()
                    .zip(&b.sends)
                    .all(|(x, y)| x.to == y.to && x.pre_fader == y.pre_fader)
                && same_chain(&a.effects, &b.effects)
                && a.automation == b.automation;
            if !same_shape {
                return None;
            }
            let node = NodeId::Track(b.id);
            let mut change = |param, value| {
                out.push(ParamChange { node, param, value });
            };
            if a.gain_db != b.gain_db {
                change(ParamId::GainDb, b.gain_db);
            }
            if a.pan != b.pan {
                change(ParamId::Pan, b.pan);
            }
            let (was, is) = (audible(old, a), audible(project, b));
            if was != is {
                change(ParamId::Audible, if is { 1.0 } else { 0.0 });
            }
            for (x, y) in a.sends.iter().zip(&b.sends) {
                if x.level_db != y.level_db {
                    change(ParamId::SendDb { to: y.to }, y.level_db);
                }
            }
            chain_changes(node, &a.effects, &b.effects, &mut out);
        }
        if !same_chain(&old.master.effects, &project.master.effects)
            || old.master.automation != project.master.automation
        {
            return None;
        }
        if old.master.gain_db != project.master.gain_db {
            out.push(ParamChange {
                node: NodeId::Master,
                param: ParamId::GainDb,
                value: project.master.gain_db,
            });
        }
        chain_changes(
            NodeId::Master,
            &old.master.effects,
            &project.master.effects,
            &mut out,
        );
        if out.is_empty() {
            return Some(Plan::Nothing);
        }
        self.counters.param_messages += out.len() as u64;
        Some(Plan::Params(out))
    }
}

/// Whether a running effect `a` can become `b` in place: the same id and kind, and no
/// parameter that sizes its buffers changed.
fn same_buffers(a: &Effect, b: &Effect) -> bool {
    a.id == b.id
        && a.kind == b.kind
        && fx_values(a)
            .iter()
            .zip(fx_values(b))
            .enumerate()
            .all(|(i, (x, y))| *x == y || param_kind(&a.kind, i) != ParamKind::Rebuild)
}

/// Whether chain `b` is chain `a` with only values changed (parameters set on the running
/// nodes, bypasses): the same effects in the same order, no rebuild, no rewiring.
fn same_chain(a: &[Effect], b: &[Effect]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            same_buffers(x, y)
                && fx_values(x)
                    .iter()
                    .zip(fx_values(y))
                    .enumerate()
                    .all(|(i, (p, q))| *p == q || param_kind(&x.kind, i) != ParamKind::Wiring)
        })
}

/// The parameter and bypass messages that take chain `a` to `b` (of [`same_chain`]).
fn chain_changes(node: NodeId, a: &[Effect], b: &[Effect], out: &mut Vec<ParamChange>) {
    for (x, y) in a.iter().zip(b) {
        for (i, (p, q)) in fx_values(x).iter().zip(fx_values(y)).enumerate() {
            if *p != q {
                out.push(ParamChange {
                    node,
                    param: ParamId::Fx {
                        fx: y.id,
                        param: i as u16,
                    },
                    value: q as f32,
                });
            }
        }
        if x.bypass != y.bypass {
            out.push(ParamChange {
                node,
                param: ParamId::FxBypass { fx: y.id },
                value: if y.bypass { 1.0 } else { 0.0 },
            });
        }
    }
}

/// Whether two versions of a track play the same material (so its node can be kept): kind,
/// clips, instrument and arpeggiator. Fader, pan, mute, solo, sends and name are settings, not
/// material.
fn same_material(a: &Track, b: &Track) -> bool {
    a.kind == b.kind && a.clips == b.clips && a.instrument == b.instrument && a.arp == b.arp
}
