//! Coverage of tree situations ("sometimes" properties of supervision trees): which corners of
//! the rules of trees a tree run reached (escalation through two levels, a child supervisor
//! restarted, the strategies' restarts of siblings, start-up failures, `auto_shutdown`,
//! reverse-order shutdown with mixed timeouts, the static API's errors, names in use, ...).
//!
//! [`TreeSituation`] names them; a [`TreeObserver`] detects them from a run's trace and
//! answers; [`crate::coverage::Coverage`] counts them. `dynsup-sim explore --trees --coverage`
//! prints the table, `--json` includes the counts (docs/coverage.md, "Trees").
//!
//! ```
//! use dynsup_sim::coverage::Coverage;
//! use dynsup_sim::tree::{self, coverage::TreeSituation};
//! let text = "sup root\nchild a\nat 100 start a\n";
//! let mut coverage = Coverage::new();
//! tree::run_counted(&tree::parse_tree(text).unwrap(), &mut coverage).unwrap();
//! assert_eq!(coverage.count(TreeSituation::StaticAlreadyStarted), 1);
//! ```

mod observer;
mod situation;

pub use observer::TreeObserver;
pub use situation::TreeSituation;
