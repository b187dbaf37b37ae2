//! Coverage of supervisor situations ("sometimes" properties): which corners of the
//! supervisor's rules a run actually reached.
//!
//! A clean run proves little about a corner it never visited. [`Situation`] names the corners
//! that matter (a failed restart retried, a kill timer firing, intensity exceeded during a
//! failing restart chain, ...); an [`Observer`] detects them in a scenario run from what the
//! simulator observes (the trace, the supervisor's report events and read-only view, each
//! step's answer), and [`Coverage`] counts them. Every scenario run counts them
//! ([`ScenarioRun::coverage`](crate::runner::ScenarioRun::coverage),
//! [`crate::explore::check_scenario_counted`], [`crate::explore::coverage_of_seeds`]);
//! `dynsup-sim explore --coverage` prints the table, `--json` includes it (docs/coverage.md).
//!
//! ```
//! use dynsup_sim::coverage::{Coverage, Situation};
//! use dynsup_sim::{explore, scenario};
//!
//! let scenario = scenario::parse(
//!     "supervisor max_restarts=0\nchild w\nat 0 start w\nat 10 exit w#1 boom\n",
//! )
//! .unwrap();
//! let mut coverage = Coverage::new();
//! explore::check_scenario_counted(&scenario, &mut coverage).unwrap();
//! assert_eq!(coverage.count(Situation::IntensityFirstRestart), 1);
//! assert_eq!(coverage.count(Situation::IntensityStopsOthers), 0); // no other child ran
//! ```

pub(crate) mod corner;
mod counts;
mod observer;
mod retries;
mod situation;

pub use corner::{Corner, AWAITING_INTERLEAVING_HEADING};
pub use counts::Coverage;
pub use observer::Observer;
pub use situation::Situation;
