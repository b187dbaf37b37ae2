//! The limits a scenario file must stay within; exceeding any of them is a parse error, except
//! for the two run-time limits at the end ([`MAX_LIVE_CHILDREN`], [`MAX_TRANSCRIPT_BYTES`]),
//! which the runner checks as it goes.
//!
//! They keep a hostile or broken file from exhausting memory or time, and keep every number
//! small enough that the runner can add times and counts without overflow.
//!
//! ```
//! use dynsup_sim::scenario::{self, limits::MAX_NAME_BYTES};
//! let long_name = "w".repeat(MAX_NAME_BYTES + 1);
//! assert!(scenario::parse(&format!("child {long_name}\n")).is_err());
//! assert!(scenario::parse(&format!("child {}\n", "w".repeat(MAX_NAME_BYTES))).is_ok());
//! ```

/// The largest scenario file, in bytes (1 MiB).
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// The most lines a scenario file may have, counting blank and comment lines.
pub const MAX_LINES: usize = 100_000;

/// The most `child` templates in one scenario.
pub const MAX_TEMPLATES: usize = 1_000;

/// The most `at` steps in one scenario.
pub const MAX_STEPS: usize = 100_000;

/// The longest template name, in bytes.
pub const MAX_NAME_BYTES: usize = 64;

/// The longest word in an exit reason (`WORD`, or the `WORD` of `shutdown:WORD`) or in an
/// `init` outcome `stop:WORD`, in bytes.
pub const MAX_WORD_BYTES: usize = 64;

/// The most outcomes in one template's `init=` list.
pub const MAX_INIT_OUTCOMES: usize = 1_000;

/// The latest time a step may be written at, in milliseconds (10^9 ms, about 11.6 days).
pub const MAX_TIME_MS: u64 = 1_000_000_000;

/// The largest `stop_ms`, and the largest `shutdown` timeout, in milliseconds.
pub const MAX_DURATION_MS: u64 = 1_000_000_000;

/// The largest `max_restarts`.
pub const MAX_RESTARTS: u64 = 1_000_000_000;

/// The largest `max_seconds` (the smallest is 1: OTP rejects a zero period).
pub const MAX_SECONDS: u64 = 1_000_000_000;

/// The largest finite `max_children`.
pub const MAX_CHILDREN: u64 = 1_000_000_000;

/// The largest attempt number `K` in a reference `NAME#K` (the smallest is 1).
pub const MAX_ATTEMPT: u64 = 1_000_000_000;

/// The most children a scenario run may hold at once (running and restarting), checked after
/// each `start` step: past it the run stops with an error. The invariant checkers recount the
/// whole table after every delivery, so a run costs about steps x children.
pub const MAX_LIVE_CHILDREN: u64 = 1_000;

/// The largest transcript a scenario run may produce, in bytes (16 MiB), checked after each
/// step: past it the run stops with an error (a `which` of many children with long names at
/// every step would otherwise need gigabytes).
pub const MAX_TRANSCRIPT_BYTES: usize = 16 << 20;
