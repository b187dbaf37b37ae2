//! How often each situation was reached: counts that add up across runs, threads and shards.

use std::fmt;

use super::situation::Situation;

/// How many times each [`Situation`] was reached. Counts add: the coverage of several runs
/// (or shards) is the sum of theirs ([`Coverage::add`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage {
    counts: [u64; Situation::ALL.len()],
}

impl Default for Coverage {
    fn default() -> Self {
        Coverage {
            counts: [0; Situation::ALL.len()],
        }
    }
}

impl Coverage {
    /// No situation reached yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes that `situation` was reached once more.
    pub fn hit(&mut self, situation: Situation) {
        if let Some(count) = self.counts.get_mut(situation.index()) {
            *count = count.saturating_add(1);
        }
    }

    /// How many times `situation` was reached.
    pub fn count(&self, situation: Situation) -> u64 {
        self.counts.get(situation.index()).copied().unwrap_or(0)
    }

    /// Notes that `situation` was reached `times` more times (counts read back from a
    /// summary).
    pub fn hit_times(&mut self, situation: Situation, times: u64) {
        if let Some(count) = self.counts.get_mut(situation.index()) {
            *count = count.saturating_add(times);
        }
    }

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Coverage) {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts.iter()) {
            *mine = mine.saturating_add(*theirs);
        }
    }

    /// Every situation with its count, in [`Situation::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Situation, u64)> + '_ {
        Situation::ALL.iter().map(|&s| (s, self.count(s)))
    }

    /// The situations never reached.
    pub fn missing(&self) -> Vec<Situation> {
        self.iter()
            .filter(|&(_, count)| count == 0)
            .map(|(s, _)| s)
            .collect()
    }
}

impl fmt::Display for Coverage {
    /// The table `dynsup-sim explore --coverage` prints: a summary line, then one line per
    /// situation (count, name, description).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reachable = Situation::ALL.len();
        let missing = self.missing().len();
        writeln!(
            f,
            "coverage: {} of {reachable} situations reached",
            reachable - missing
        )?;
        let width = Situation::ALL
            .iter()
            .map(|s| s.name().len())
            .max()
            .unwrap_or(0);
        let line = |f: &mut fmt::Formatter<'_>, s: Situation| {
            writeln!(
                f,
                "{:>10}  {:<width$}  {}",
                self.count(s),
                s.name(),
                s.description()
            )
        };
        for s in Situation::ALL {
            line(f, s)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up() {
        let mut a = Coverage::new();
        a.hit(Situation::StopEmpty);
        a.hit(Situation::StopEmpty);
        let mut b = Coverage::new();
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
