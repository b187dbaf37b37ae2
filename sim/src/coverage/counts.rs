//! How often each situation was reached: counts that add up across runs, threads and shards.

use std::fmt;
use std::marker::PhantomData;

use super::corner::Corner;
use super::situation::Situation;

/// How many times each situation of a [`Corner`] list (by default the one-supervisor
/// [`Situation`]s) was reached. Counts add: the coverage of several runs (or shards) is the
/// sum of theirs ([`Coverage::add`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage<S: Corner = Situation> {
    counts: Vec<u64>,
    corner: PhantomData<S>,
}

impl<S: Corner> Default for Coverage<S> {
    fn default() -> Self {
        Coverage {
            counts: vec![0; S::EVERY.len()],
            corner: PhantomData,
        }
    }
}

impl<S: Corner> Coverage<S> {
    /// No situation reached yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes that `situation` was reached once more.
    pub fn hit(&mut self, situation: S) {
        if let Some(count) = self.counts.get_mut(situation.position()) {
            *count = count.saturating_add(1);
        }
    }

    /// How many times `situation` was reached.
    pub fn count(&self, situation: S) -> u64 {
        self.counts.get(situation.position()).copied().unwrap_or(0)
    }

    /// Notes that `situation` was reached `times` more times (counts read back from a
    /// summary).
    pub fn hit_times(&mut self, situation: S, times: u64) {
        if let Some(count) = self.counts.get_mut(situation.position()) {
            *count = count.saturating_add(times);
        }
    }

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Coverage<S>) {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts.iter()) {
            *mine = mine.saturating_add(*theirs);
        }
    }

    /// Every situation with its count, in [`Corner::EVERY`] order.
    pub fn iter(&self) -> impl Iterator<Item = (S, u64)> + '_ {
        S::EVERY.iter().map(|&s| (s, self.count(s)))
    }

    /// The situations reachable today (not in [`Corner::AWAITING`]) that were never reached.
    pub fn missing(&self) -> Vec<S> {
        self.iter()
            .filter(|&(s, count)| count == 0 && !S::AWAITING.contains(&s))
            .map(|(s, _)| s)
            .collect()
    }
}

impl<S: Corner> fmt::Display for Coverage<S> {
    /// The table `dynsup-sim explore --coverage` prints: a summary line, then one line per
    /// situation (count, name, description), the ones awaiting new steps last.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reachable = S::EVERY.len() - S::AWAITING.len();
        let missing = self.missing().len();
        writeln!(
            f,
            "coverage: {} of {reachable} situations reached",
            reachable - missing
        )?;
        let width = S::EVERY.iter().map(|s| s.label().len()).max().unwrap_or(0);
        let line = |f: &mut fmt::Formatter<'_>, s: S| {
            writeln!(
                f,
                "{:>10}  {:<width$}  {}",
                self.count(s),
                s.label(),
                s.explain()
            )
        };
        for &s in S::EVERY.iter().filter(|s| !S::AWAITING.contains(s)) {
            line(f, s)?;
        }
        if !S::AWAITING.is_empty() {
            writeln!(f, "{}", S::AWAITING_HEADING)?;
            for &s in S::AWAITING {
                line(f, s)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up() {
        let mut a: Coverage = Coverage::new();
        a.hit(Situation::StopEmpty);
        a.hit(Situation::StopEmpty);
        let mut b: Coverage = Coverage::new();
        b.hit(Situation::StopEmpty);
        b.hit(Situation::WindowEdge);
        a.add(&b);
        assert_eq!(a.count(Situation::StopEmpty), 3);
        assert_eq!(a.count(Situation::WindowEdge), 1);
        assert!(!a.missing().contains(&Situation::WindowEdge));
        assert!(a.missing().contains(&Situation::StartIgnored));
        assert!(a.missing().contains(&Situation::QueuedBehindBlocked));
        assert_eq!(a.missing().len(), Situation::ALL.len() - 2);
        let table = a.to_string();
        let summary = format!(
            "coverage: 2 of {} situations reached\n",
            Situation::ALL.len()
        );
        assert!(table.starts_with(&summary), "{table}");
        assert_eq!(table.lines().count(), 1 + Situation::ALL.len());
    }
}
