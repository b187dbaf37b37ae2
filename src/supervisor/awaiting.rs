//! The children a termination waits for: pids in ascending order with their shutdown and
//! restart type, in one vector. A child that goes down leaves a tombstone, swept out once
//! tombstones outnumber the children still awaited, so a stop of a million children stays
//! O(n log n) and a copy of the set (a model checker clones states by the million) is one
//! contiguous copy that reuses the target's buffer.

use std::hash::{Hash, Hasher};

use crate::child_spec::{Restart, Shutdown};
use crate::pid::Pid;

/// Fewer tombstones than this are never swept.
const TOMBSTONES_SWEPT_ABOVE: usize = 16;

/// What a termination knows of a child it waits for.
pub(crate) type Kinds = (Shutdown, Restart);

/// The children awaited, by ascending pid.
#[derive(Debug, Default)]
pub(crate) struct Awaiting {
    /// Sorted by pid; `None` is a child no longer awaited.
    pub(super) entries: Vec<(Pid, Option<Kinds>)>,
    /// How many entries are not tombstones.
    pub(super) live: usize,
}

/// [`clone_from`](Clone::clone_from) reuses the target's vector.
impl Clone for Awaiting {
    fn clone(&self) -> Self {
        Awaiting {
            entries: self.entries.clone(),
            live: self.live,
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.entries.clone_from(&source.entries);
        self.live = source.live;
    }
}

/// Hashes the children awaited in pid order, whatever tombstones lie between them.
impl Hash for Awaiting {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.live.hash(state);
        for (pid, kinds) in self.iter() {
            pid.hash(state);
            kinds.hash(state);
        }
    }
}

impl Awaiting {
    /// Awaits `pid` too (replacing what was known of it, if it was awaited already). Pids
    /// come in ascending order in practice, so the insertion is at the end.
    pub(crate) fn insert(&mut self, pid: Pid, kinds: Kinds) {
        match self.entries.binary_search_by_key(&pid, |(p, _)| *p) {
            Ok(index) => {
                if let Some((_, slot)) = self.entries.get_mut(index) {
                    if slot.replace(kinds).is_none() {
                        self.live += 1;
                    }
                }
            }
            Err(index) => {
                self.entries.insert(index, (pid, Some(kinds)));
                self.live += 1;
            }
        }
    }

    /// Stops awaiting `pid`: what was known of it, or `None` when it was not awaited.
    pub(crate) fn remove(&mut self, pid: Pid) -> Option<Kinds> {
        let index = self.entries.binary_search_by_key(&pid, |(p, _)| *p).ok()?;
        let kinds = self.entries.get_mut(index)?.1.take()?;
        self.live -= 1;
        let tombstones = self.entries.len() - self.live;
        if tombstones > self.live && tombstones > TOMBSTONES_SWEPT_ABOVE {
            self.entries.retain(|(_, kinds)| kinds.is_some());
        }
        Some(kinds)
    }

    /// Whether no child is awaited any more.
    pub(crate) fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The children awaited, by ascending pid.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Pid, Kinds)> + '_ {
        self.entries
            .iter()
            .filter_map(|(pid, kinds)| kinds.map(|kinds| (*pid, kinds)))
    }

    /// Renames every pid with `rename`, which keeps their order (so the entries stay sorted).
    pub(crate) fn relabel(&mut self, rename: impl Fn(Pid) -> Pid) {
        for (pid, _) in &mut self.entries {
            *pid = rename(*pid);
        }
        // A renaming that does not keep the order would be a caller's bug; stay sorted anyway.
        if !self.entries.is_sorted_by_key(|(pid, _)| *pid) {
            self.entries.sort_by_key(|(pid, _)| *pid);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    fn kinds(seed: u8) -> Kinds {
        let shutdown = match seed % 3 {
            0 => Shutdown::BrutalKill,
            1 => Shutdown::Infinity,
            _ => Shutdown::millis(u64::from(seed)),
        };
        let restart = match seed % 2 {
            0 => Restart::Permanent,
            _ => Restart::Temporary,
        };
        (shutdown, restart)
    }

    proptest! {
        /// Any sequence of inserts and removals leaves the same children, in the same order,
        /// as a `BTreeMap` given the same sequence; a clone (and a `clone_from` into a set
        /// with other contents) holds them too.
        #[test]
        fn behaves_as_a_sorted_map(ops in prop::collection::vec((any::<bool>(), 0u64..48, any::<u8>()), 0..200)) {
            let mut awaiting = Awaiting::default();
            let mut model = BTreeMap::new();
            for (insert, pid, seed) in ops {
                let pid = Pid(pid);
                if insert {
                    awaiting.insert(pid, kinds(seed));
                    model.insert(pid, kinds(seed));
                } else {
                    prop_assert_eq!(awaiting.remove(pid), model.remove(&pid));
                }
                prop_assert_eq!(awaiting.is_empty(), model.is_empty());
                prop_assert_eq!(awaiting.live, model.len());
                let listed: Vec<_> = awaiting.iter().collect();
                let expected: Vec<_> = model.iter().map(|(p, k)| (*p, *k)).collect();
                prop_assert_eq!(&listed, &expected);
                prop_assert!(awaiting.entries.len() <= 2 * awaiting.live + TOMBSTONES_SWEPT_ABOVE + 1);
                let mut copy = Awaiting::default();
                copy.insert(Pid(1000), kinds(0));
                copy.clone_from(&awaiting);
                prop_assert_eq!(copy.iter().collect::<Vec<_>>(), expected.clone());
                prop_assert_eq!(awaiting.clone().iter().collect::<Vec<_>>(), expected);
            }
        }
    }

    /// A removal sweeps the tombstones out exactly when they outnumber the children still
    /// awaited and exceed the floor: never sooner (each removal stays O(1) amortised), never
    /// later (the vector stays within about twice the children awaited).
    #[test]
    fn sweeps_exactly_when_tombstones_outnumber_the_awaited() {
        // (children, removed without a sweep, why not yet, the removal that sweeps, left after)
        let floor = TOMBSTONES_SWEPT_ABOVE as u64;
        let cases = [
            (100, 50, "50 tombstones, 50 awaited: no sweep yet", 51, 49),
            (20, floor, "only the floor's worth of tombstones", 17, 3),
        ];
        for (children, removed, why, sweeping, left) in cases {
            let mut awaiting = Awaiting::default();
            for pid in 1..=children {
                awaiting.insert(Pid(pid), kinds(1));
            }
            for pid in 1..=removed {
                awaiting.remove(Pid(pid));
            }
            assert_eq!(awaiting.entries.len() as u64, children, "{why}");
            awaiting.remove(Pid(sweeping));
            assert_eq!(awaiting.entries.len(), left);
        }
    }

    #[test]
    fn tombstones_do_not_change_the_hash() {
        use std::hash::BuildHasher;
        let state = std::hash::RandomState::new();
        let hash_with = |awaiting: &Awaiting| state.hash_one(awaiting);
        let mut swept = Awaiting::default();
        let mut holed = Awaiting::default();
        for pid in 1..=3 {
            holed.insert(Pid(pid), kinds(1));
        }
        holed.remove(Pid(2));
        swept.insert(Pid(1), kinds(1));
        swept.insert(Pid(3), kinds(1));
        assert_eq!(hash_with(&swept), hash_with(&holed));
        swept.insert(Pid(2), kinds(1));
        assert_ne!(hash_with(&swept), hash_with(&holed));
    }

    #[test]
    fn relabelling_keeps_pids_sorted() {
        let mut awaiting = Awaiting::default();
        for pid in [3, 7, 9] {
            awaiting.insert(Pid(pid), kinds(2));
        }
        let pids =
            |awaiting: &Awaiting| -> Vec<u64> { awaiting.iter().map(|(pid, _)| pid.0).collect() };
        awaiting.relabel(|pid| Pid(pid.0 * 10));
        assert_eq!(pids(&awaiting), vec![30, 70, 90]);
        awaiting.relabel(|pid| Pid(100 - pid.0));
        assert_eq!(pids(&awaiting), vec![10, 30, 70]);
        assert_eq!(awaiting.remove(Pid(30)), Some(kinds(2)));
        assert_eq!(awaiting.remove(Pid(30)), None);
    }
}
