//! The project summary every request carries, within a size budget (ai-tools fills this in).

use crate::model::Project;

/// The summary's budget in bytes.
pub const BUDGET: usize = 6000;

/// A compact summary of `project` (and of the selected clip's notes and the latest figures)
/// of at most [`BUDGET`] bytes.
pub fn summarize(project: &Project, _req: &super::Request) -> String {
    format!("project \"{}\"", project.name)
}
