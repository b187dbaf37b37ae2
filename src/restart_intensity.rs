//! Restart intensity: OTP's `add_restart`, one log of whole-second stamps per supervisor.

use std::collections::VecDeque;

use crate::queue_copy::clone_queue_from;

/// The restart log of one supervisor: the whole-second stamps of the restarts still inside the
/// window, newest first, stored run-length encoded as `(second, count)` so that its size is
/// bounded by the number of distinct seconds in the window, however many restarts happen.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct RestartLog {
    runs: VecDeque<(u64, u64)>,
    total: u64,
}

/// [`clone_from`](Clone::clone_from) reuses the target's buffer.
impl Clone for RestartLog {
    fn clone(&self) -> Self {
        RestartLog {
            runs: self.runs.clone(),
            total: self.total,
        }
    }

    fn clone_from(&mut self, source: &Self) {
        clone_queue_from(&mut self.runs, &source.runs);
        self.total = source.total;
    }
}

/// What [`RestartLog::add`] decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intensity {
    /// The restart may go ahead.
    Allowed,
    /// More than `max_restarts` restarts fall in the window: the supervisor must shut down.
    Exceeded,
}

impl RestartLog {
    /// The runs and the total, for packing.
    pub(crate) fn parts(&self) -> (&VecDeque<(u64, u64)>, u64) {
        (&self.runs, self.total)
    }

    /// The runs and the total, for unpacking in place.
    pub(crate) fn parts_mut(&mut self) -> (&mut VecDeque<(u64, u64)>, &mut u64) {
        (&mut self.runs, &mut self.total)
    }

    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a restart stamped `now_second` and decides whether intensity is exceeded:
    /// stamps `s` with `now_second - s <= max_seconds` stay (an inclusive window), older ones
    /// are dropped for good, and the restart is refused when the kept count exceeds
    /// `max_restarts`.
    pub fn add(&mut self, now_second: u64, max_restarts: u64, max_seconds: u64) -> Intensity {
        let oldest_kept = now_second.saturating_sub(max_seconds);
        while let Some(&(second, count)) = self.runs.back() {
            if second >= oldest_kept {
                break;
            }
            self.runs.pop_back();
            self.total -= count;
        }
        match self.runs.front_mut() {
            Some((second, count)) if *second == now_second => *count += 1,
            _ => self.runs.push_front((now_second, 1)),
        }
        self.total += 1;
        if self.total > max_restarts {
            Intensity::Exceeded
        } else {
            Intensity::Allowed
        }
    }

    /// How many restarts the log holds.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether the log holds no restart.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stamps_ms: &[u64], r: u64, p: u64) -> Vec<Intensity> {
        let mut log = RestartLog::new();
        stamps_ms
            .iter()
            .map(|ms| log.add(ms / 1000, r, p))
            .collect()
    }

    use Intensity::{Allowed as A, Exceeded as X};

    #[test]
    fn clones_hold_the_same_stamps_and_decide_alike() {
        let mut log = RestartLog::new();
        assert_eq!(log.add(1, 2, 5), A);
        assert_eq!(log.add(2, 2, 5), A);
        let mut copy = log.clone();
        assert_eq!(copy, log);
        let mut scratch = RestartLog::new();
        assert_eq!(scratch.add(40, 2, 5), A);
        scratch.clone_from(&log);
        assert_eq!(scratch, log);
        // Both remember the two stamps: a third in the window exceeds.
        assert_eq!(copy.add(3, 2, 5), X);
        assert_eq!(scratch.add(3, 2, 5), X);
    }

    #[test]
    fn r_plus_one_th_restart_in_window_exceeds() {
        assert_eq!(run(&[20, 40, 60, 80], 3, 5), vec![A, A, A, X]);
        assert_eq!(run(&[0], 0, 5), vec![X]);
    }

    #[test]
    fn window_is_inclusive_on_whole_seconds() {
        // docs/semantics.md §6.3 [EXP-4]: R=1, P=1.
        assert_eq!(run(&[20, 1950], 1, 1), vec![A, X]);
        assert_eq!(run(&[20, 2050], 1, 1), vec![A, A]);
        assert_eq!(run(&[950, 2020], 1, 1), vec![A, A]);
        // R=2, P=2.
        assert_eq!(run(&[20, 1020, 2020], 2, 2), vec![A, A, X]);
        assert_eq!(run(&[20, 1020, 3020], 2, 2), vec![A, A, A]);
        // Defaults 3/5 [EXP-8].
        assert_eq!(run(&[20, 120, 220, 5950], 3, 5), vec![A, A, A, X]);
        assert_eq!(run(&[20, 120, 220, 6050], 3, 5), vec![A, A, A, A]);
    }

    #[test]
    fn spaced_restarts_survive() {
        assert_eq!(run(&[0, 2100, 4200, 6300], 1, 1), vec![A, A, A, A]);
    }

    #[test]
    fn log_stays_small() {
        let mut log = RestartLog::new();
        for second in 0..10_000 {
            assert_eq!(log.add(second, 100, 3), Intensity::Allowed);
        }
        assert_eq!(log.len(), 4);
        assert!(log.runs.len() <= 4);
        assert!(!log.is_empty());
    }

    #[test]
    fn restarts_in_one_second_share_one_run() {
        let mut log = RestartLog::new();
        assert!(log.is_empty());
        assert_eq!(log.len(), 0);
        for _ in 0..1000 {
            assert_eq!(log.add(7, 10_000, 5), Intensity::Allowed);
        }
        assert_eq!(log.len(), 1000);
        assert_eq!(log.runs, VecDeque::from([(7, 1000)]));
        log.add(8, 10_000, 5);
        assert_eq!(log.runs, VecDeque::from([(8, 1), (7, 1000)]));
    }
}
