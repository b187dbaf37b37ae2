//! Supervision trees in the simulator (docs/tree-scenarios.md): tree files, their parser, the
//! tree world (many static and dynamic supervisors and scripted workers in one deterministic
//! simulation), its transcript, and the tree checkers.
//!
//! ```
//! use dynsup_sim::tree;
//! let text = "sup root\nchild a\nsup ds in=root kind=dynamic\nchild w in=ds\nat 100 on ds start w\n";
//! assert!(tree::is_tree_text(text));
//! let parsed = tree::parse_tree(text).unwrap();
//! let transcript = tree::run(&parsed).unwrap();
//! assert_eq!(
//!     transcript.to_string(),
//!     "@0 init -> ok\n  up a#1\n  up ds#1\n@100 on ds start w -> ok w#1\n  up w#1\n"
//! );
//! ```

pub(crate) mod calls;
pub mod check;
pub mod core;
pub mod coverage;
pub mod explore;
pub mod generate;
pub mod invariants;
pub mod model;
mod parser;
pub mod reference;
pub mod registry;
mod run;
pub mod runtime;
mod shrink;
#[cfg(test)]
mod tests;
pub mod trace;
pub mod world;

use std::path::Path;

pub use calls::Request;
pub use explore::check_seed;
pub use model::{Node, NodeKind, NodeRef, SupDecl, Tree, TreeOp, TreeStep};
pub use parser::{is_tree_text, parse_tree, MAX_DEPTH, MAX_SUPS};
pub use run::{run, run_checked, run_counted, run_observed};
pub use world::{World, WorldError};

use crate::scenario::{read_text, ParseError};

/// Reads and parses the tree file at `path`; errors carry the path as given.
pub fn parse_file(path: &Path) -> Result<Tree, ParseError> {
    let text = read_text(path)?;
    parse_tree(&text).map_err(|e| e.in_file(path.display().to_string()))
}
