//! Undo/redo of edits, bounded in steps and in memory.

use super::edit::{Edit, EditError};
use super::types::Project;

/// An undo entry: the edit that reverts a step, and a label for the status line.
#[derive(Debug, Clone)]
struct Step {
    inverse: Edit,
    label: String,
    size: usize,
}

/// Undo and redo stacks. Old steps are dropped when either bound is exceeded.
#[derive(Debug, Clone)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
    max_steps: usize,
    max_bytes: usize,
    bytes: usize,
    /// Increases with every change; the UI compares it with the value at the last save.
    revision: u64,
}

impl Default for History {
    fn default() -> Self {
        History::new(1000, 64 << 20)
    }
}

impl History {
    /// A history keeping at most `max_steps` undo steps and roughly `max_bytes` of edits.
    pub fn new(max_steps: usize, max_bytes: usize) -> Self {
        History {
            undo: Vec::new(),
            redo: Vec::new(),
            max_steps: max_steps.max(1),
            max_bytes,
            bytes: 0,
            revision: 0,
        }
    }

    /// Applies `edit` to `project` and records it; clears the redo stack.
    pub fn apply(
        &mut self,
        project: &mut Project,
        edit: Edit,
        label: impl Into<String>,
    ) -> Result<(), EditError> {
        let inverse = edit.apply(project)?;
        for s in self.redo.drain(..) {
            self.bytes -= s.size;
        }
        self.push_undo(Step {
            size: inverse.approx_size(),
            inverse,
            label: label.into(),
        });
        self.revision += 1;
        Ok(())
    }

    fn push_undo(&mut self, step: Step) {
        self.bytes += step.size;
        self.undo.push(step);
        while self.undo.len() > self.max_steps
            || (self.bytes > self.max_bytes && self.undo.len() > 1)
        {
            let old = self.undo.remove(0);
            self.bytes -= old.size;
        }
    }

    /// Undoes the last step; returns its label, or `None` when there is nothing to undo.
    pub fn undo(&mut self, project: &mut Project) -> Result<Option<String>, EditError> {
        let Some(step) = self.undo.pop() else {
            return Ok(None);
        };
        self.bytes -= step.size;
        let redo = match step.inverse.clone().apply(project) {
            Ok(r) => r,
            Err(e) => {
                self.bytes += step.size;
                self.undo.push(step);
                return Err(e);
            }
        };
        let size = redo.approx_size();
        self.bytes += size;
        self.redo.push(Step {
            inverse: redo,
            label: step.label.clone(),
            size,
        });
        self.revision += 1;
        Ok(Some(step.label))
    }

    /// Redoes the last undone step; returns its label, or `None` when there is nothing to redo.
    pub fn redo(&mut self, project: &mut Project) -> Result<Option<String>, EditError> {
        let Some(step) = self.redo.pop() else {
            return Ok(None);
        };
        self.bytes -= step.size;
        let undo = match step.inverse.clone().apply(project) {
            Ok(u) => u,
            Err(e) => {
                self.bytes += step.size;
                self.redo.push(step);
                return Err(e);
            }
        };
        self.push_undo(Step {
            size: undo.approx_size(),
            inverse: undo,
            label: step.label.clone(),
        });
        self.revision += 1;
        Ok(Some(step.label))
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    /// A counter that changes with every applied, undone or redone edit.
    pub fn revision(&self) -> u64 {
        self.revision
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TempoMap;

    #[test]
    fn undo_redo_walks_both_ways() {
        let mut p = Project::new("a", 48_000, 120.0);
        let mut h = History::default();
        for bpm in [100.0, 110.0, 130.0] {
            h.apply(&mut p, Edit::SetTempo(TempoMap::constant(bpm)), "tempo")
                .unwrap();
        }
        assert_eq!(p.tempo.initial_bpm(), 130.0);
        h.undo(&mut p).unwrap();
        h.undo(&mut p).unwrap();
        assert_eq!(p.tempo.initial_bpm(), 100.0);
        h.redo(&mut p).unwrap();
        assert_eq!(p.tempo.initial_bpm(), 110.0);
        h.apply(&mut p, Edit::SetName("b".into()), "name").unwrap();
        assert!(!h.can_redo());
        assert_eq!(h.undo(&mut p).unwrap().as_deref(), Some("name"));
        h.undo(&mut p).unwrap();
        h.undo(&mut p).unwrap();
        assert_eq!(p.tempo.initial_bpm(), 120.0);
        assert_eq!(h.undo(&mut p).unwrap(), None);
    }

    #[test]
    fn history_is_bounded() {
        let mut p = Project::new("a", 48_000, 120.0);
        let mut h = History::new(10, usize::MAX);
        for i in 0..100 {
            h.apply(&mut p, Edit::SetName(format!("n{i}")), "name")
                .unwrap();
        }
        assert_eq!(h.undo_len(), 10);
        let mut h = History::new(usize::MAX, 4096);
        for i in 0..1000 {
            h.apply(&mut p, Edit::SetName("x".repeat(100) + &i.to_string()), "n")
                .unwrap();
        }
        assert!(h.undo_len() < 1000 && h.undo_len() > 1);
    }
}
