//! The children table: entries in pid order, with counters maintained on every change.
//!
//! # Order
//!
//! The table is sorted by ascending pid, and `which_children` (and every other listing) walks
//! it in that order. This is OTP's order: Elixir's `DynamicSupervisor` keeps its children in a
//! map keyed by pid and `which_children` is a comprehension over that map, which yields the
//! keys in pid term order. (Strictly, the BEAM only keeps maps of up to 32 keys sorted; a
//! larger map iterates in an internal hash order nobody can rely on. Ascending pid is the
//! order at every size here.) So with increasing pids (every driver in this repository hands
//! them out so) the order is creation order, and a restarted child appears at its new pid's
//! place, at the end; a restarting entry keeps its old pid's place. With pids handed out in
//! any other order, the order is still ascending pid, whatever the start order.
//!
//! The entries live in one contiguous deque sorted by pid. Drivers hand out increasing pids,
//! so a new child is almost always appended at the back in O(1); a lookup guesses the index
//! from the pid (pids are dense in practice) and gallops from there, O(1) for dense pids and
//! O(log n) at worst. A removed entry leaves a tombstone, cleared at once at either end of the
//! deque and swept out in one pass once tombstones outnumber entries, so removal is amortised
//! O(1) and the table never holds more than about twice its entries. Nothing else keeps a
//! per-child allocation: about 80 bytes per child for `()` start functions and arguments.

use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

use crate::child_spec::{ChildType, ValidChildSpec};
use crate::pid::Pid;
use crate::supervisor::output::{ChildCounts, ChildInfo};
use crate::supervisor::view::EntryState;

/// The state of one entry: the public [`EntryState`], under the table's own name.
pub(crate) type ChildState = EntryState;

/// One entry: the stored spec and its state.
#[derive(Clone, Debug)]
pub(crate) struct Child<F, A> {
    pub(crate) spec: ValidChildSpec<F, A>,
    pub(crate) state: ChildState,
}

/// A slot of the table: a pid and its entry, or a tombstone (`None`) where one was removed.
#[derive(Clone, Debug)]
pub(super) struct Slot<F, A> {
    pub(super) pid: Pid,
    pub(super) child: Option<Child<F, A>>,
}

/// Fewer tombstones than this are never swept (a sweep of a small table is not worth it).
const TOMBSTONES_SWEPT_ABOVE: usize = 16;

/// All entries keyed by pid, in ascending pid order, with O(1) counts.
#[derive(Debug)]
pub(crate) struct Children<F, A> {
    /// Sorted by pid; no tombstone at either end.
    pub(super) slots: VecDeque<Slot<F, A>>,
    /// How many slots are tombstones.
    pub(super) tombstones: usize,
    pub(super) counts: ChildCounts,
}

/// [`clone_from`](Clone::clone_from) reuses the target's slots.
impl<F: Clone, A: Clone> Clone for Children<F, A> {
    fn clone(&self) -> Self {
        Children {
            slots: self.slots.clone(),
            tombstones: self.tombstones,
            counts: self.counts,
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.slots.clone_from(&source.slots);
        self.tombstones = source.tombstones;
        self.counts = source.counts;
    }
}

/// Hashes the entries in pid order and nothing of the layout: two tables holding the same
/// entries hash alike whatever tombstones they carry.
impl<F: Hash, A: Hash> Hash for Children<F, A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.counts.specs.hash(state);
        for (pid, child) in self.iter() {
            pid.hash(state);
            child.spec.hash_with(child.state as u64, state);
        }
    }
}

impl<F, A> Children<F, A> {
    pub(crate) fn new() -> Self {
        Children {
            slots: VecDeque::new(),
            tombstones: 0,
            counts: ChildCounts::default(),
        }
    }

    pub(crate) fn len(&self) -> u64 {
        self.counts.specs
    }

    pub(crate) fn counts(&self) -> ChildCounts {
        self.counts
    }

    /// The index of the slot holding `pid` (an entry or a tombstone), or where it would go.
    fn search(&self, pid: Pid) -> Result<usize, usize> {
        self.search_probing(pid, &mut || {})
    }

    /// [`search`](Self::search), calling `probed` once per slot it reads (its tests bound
    /// the number of probes: a search that finds the right slot too slowly is a defect too).
    fn search_probing(&self, pid: Pid, probed: &mut impl FnMut()) -> Result<usize, usize> {
        let len = self.slots.len();
        let (Some(first), Some(last)) = (self.slots.front(), self.slots.back()) else {
            return Err(0);
        };
        if pid < first.pid {
            return Err(0);
        }
        if pid > last.pid {
            return Err(len);
        }
        // Guess the index by interpolation, then gallop towards the pid and finish with a
        // binary search of the bracket found.
        let span = u128::from(last.pid.0 - first.pid.0).max(1);
        let offset = u128::from(pid.0 - first.pid.0) * (len as u128 - 1) / span;
        let guess = usize::try_from(offset).unwrap_or(len - 1).min(len - 1);
        let mut at = |i: usize| {
            probed();
            self.slots.get(i).map_or(pid, |slot| slot.pid)
        };
        // Every loop below is bounded by the bits of an index: doubling a step or halving a
        // bracket more often than that is a defect, which ends in a wrong answer or too
        // many probes (both tested), never in a hang.
        let (mut low, mut high) = if at(guess) < pid {
            // The pid is above the guess: gallop up.
            let (mut low, mut high) = (guess + 1, len);
            let mut step = 1;
            for _ in 0..usize::BITS {
                let probe = guess.saturating_add(step);
                if probe >= len || at(probe) >= pid {
                    high = probe.min(len);
                    break;
                }
                low = probe + 1;
                step *= 2;
            }
            (low, high)
        } else {
            // The pid is at or below the guess: gallop down.
            let (mut low, mut high) = (0, guess);
            let mut step = 1;
            for _ in 0..usize::BITS {
                let Some(probe) = guess.checked_sub(step) else {
                    break;
                };
                if at(probe) < pid {
                    low = probe + 1;
                    break;
                }
                high = probe;
                step *= 2;
            }
            (low, high)
        };
        // Invariant: every slot below `low` has a smaller pid, every slot from `high` on a
        // larger or equal one.
        for _ in 0..=usize::BITS {
            if low >= high {
                break;
            }
            let mid = low + (high - low) / 2;
            if at(mid) < pid {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        if low < len && at(low) == pid {
            Ok(low)
        } else {
            Err(low)
        }
    }

    pub(crate) fn get(&self, pid: Pid) -> Option<&Child<F, A>> {
        let index = self.search(pid).ok()?;
        self.slots.get(index)?.child.as_ref()
    }

    fn get_mut(&mut self, pid: Pid) -> Option<&mut Child<F, A>> {
        let index = self.search(pid).ok()?;
        self.slots.get_mut(index)?.child.as_mut()
    }

    pub(crate) fn contains(&self, pid: Pid) -> bool {
        self.get(pid).is_some()
    }

    fn type_counter(&mut self, child_type: ChildType) -> &mut u64 {
        match child_type {
            ChildType::Worker => &mut self.counts.workers,
            ChildType::Supervisor => &mut self.counts.supervisors,
        }
    }

    /// Stores a running child. The caller has checked that `pid` is new.
    pub(crate) fn insert_running(&mut self, pid: Pid, spec: ValidChildSpec<F, A>) {
        *self.type_counter(spec.child_type()) += 1;
        self.counts.specs += 1;
        self.counts.active += 1;
        let child = Some(Child {
            spec: spec.into_stored(),
            state: ChildState::Running,
        });
        match self.search(pid) {
            Err(index) => self.slots.insert(index, Slot { pid, child }),
            Ok(index) => {
                // A tombstone of the same pid (pids are never reused, but stay correct).
                if let Some(slot) = self.slots.get_mut(index) {
                    if slot.child.is_none() {
                        self.tombstones -= 1;
                    }
                    slot.child = child;
                }
            }
        }
    }

    /// A planted defect: `active` counts one more child than runs.
    #[cfg(feature = "planted-defects")]
    pub(crate) fn planted_active_drift(&mut self) {
        self.counts.active += 1;
    }

    pub(crate) fn remove(&mut self, pid: Pid) -> Option<Child<F, A>> {
        let index = self.search(pid).ok()?;
        let child = self.slots.get_mut(index)?.child.take()?;
        *self.type_counter(child.spec.child_type()) -= 1;
        self.counts.specs -= 1;
        if child.state == ChildState::Running {
            self.counts.active -= 1;
        }
        self.tombstones += 1;
        self.trim();
        Some(child)
    }

    /// Drops the tombstones at both ends, and sweeps them all out once they outnumber the
    /// entries.
    fn trim(&mut self) {
        while self.slots.front().is_some_and(|slot| slot.child.is_none()) {
            self.slots.pop_front();
            self.tombstones -= 1;
        }
        while self.slots.back().is_some_and(|slot| slot.child.is_none()) {
            self.slots.pop_back();
            self.tombstones -= 1;
        }
        if self.tombstones > TOMBSTONES_SWEPT_ABOVE && self.tombstones > self.slots.len() / 2 {
            self.sweep_tombstones();
        }
    }

    /// Marks a running entry as restarting (its restart failed).
    pub(crate) fn set_restarting(&mut self, pid: Pid) {
        let Some(child) = self.get_mut(pid) else {
            return;
        };
        if child.state == ChildState::Running {
            child.state = ChildState::Restarting;
            self.counts.active -= 1;
        }
    }

    /// The pids of running entries, in table order.
    pub(crate) fn running_pids(&self) -> Vec<Pid> {
        self.iter()
            .filter(|(_, child)| child.state == ChildState::Running)
            .map(|(pid, _)| pid)
            .collect()
    }

    pub(crate) fn clear(&mut self) {
        self.slots.clear();
        self.tombstones = 0;
        self.counts = ChildCounts::default();
    }

    pub(crate) fn infos(&self) -> Vec<ChildInfo> {
        let mut infos = Vec::with_capacity(usize::try_from(self.counts.specs).unwrap_or(0));
        infos.extend(self.iter().map(|(pid, child)| ChildInfo {
            pid: (child.state == ChildState::Running).then_some(pid),
            child_type: child.spec.child_type(),
            modules: child.spec.modules().clone(),
        }));
        infos
    }

    /// Drops every tombstone.
    pub(crate) fn sweep_tombstones(&mut self) {
        self.slots.retain(|slot| slot.child.is_some());
        self.tombstones = 0;
    }

    /// Renames the entries' pids (`rename` keeps their order, so the table stays sorted);
    /// tombstones go.
    pub(crate) fn relabel(&mut self, rename: &impl Fn(Pid) -> Pid) {
        self.sweep_tombstones();
        for slot in &mut self.slots {
            slot.pid = rename(slot.pid);
        }
    }

    /// Every stored spec, to rename its start function.
    pub(crate) fn specs_mut(&mut self) -> impl Iterator<Item = &mut ValidChildSpec<F, A>> {
        self.slots
            .iter_mut()
            .filter_map(|slot| slot.child.as_mut().map(|child| &mut child.spec))
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (Pid, &Child<F, A>)> {
        self.slots
            .iter()
            .filter_map(|slot| slot.child.as_ref().map(|child| (slot.pid, child)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::child_spec::ChildSpec;
    use std::collections::BTreeMap;

    fn spec() -> ValidChildSpec<(), ()> {
        ChildSpec::new((), Vec::new()).validate().unwrap()
    }

    /// A tiny deterministic generator, so the test needs no dependency.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, below: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % below
        }
    }

    /// The table against a `BTreeMap` under random inserts (mostly increasing pids, sometimes
    /// any), removals, state changes and lookups.
    #[test]
    fn behaves_like_an_ordered_map() {
        for seed in 0..40 {
            let mut rng = Lcg(seed);
            let mut table = Children::<(), ()>::new();
            let mut model: BTreeMap<Pid, ChildState> = BTreeMap::new();
            let mut next = 1 + rng.next(5);
            for _ in 0..2_000 {
                match rng.next(10) {
                    0..=3 => {
                        let pid = if rng.next(8) == 0 {
                            Pid(rng.next(next + 10))
                        } else {
                            next += 1 + rng.next(3) * rng.next(2);
                            Pid(next)
                        };
                        if let std::collections::btree_map::Entry::Vacant(entry) = model.entry(pid)
                        {
                            table.insert_running(pid, spec());
                            entry.insert(ChildState::Running);
                        }
                    }
                    4..=6 => {
                        let pid = Pid(rng.next(next + 2));
                        let removed = table.remove(pid).map(|c| c.state);
                        assert_eq!(removed, model.remove(&pid), "remove {pid:?}");
                    }
                    7 => {
                        let pid = Pid(rng.next(next + 2));
                        table.set_restarting(pid);
                        if let Some(state) = model.get_mut(&pid) {
                            *state = ChildState::Restarting;
                        }
                    }
                    _ => {
                        let pid = Pid(rng.next(next + 2));
                        assert_eq!(table.get(pid).map(|c| c.state), model.get(&pid).copied());
                    }
                }
                let listed: Vec<(Pid, ChildState)> = table
                    .iter()
                    .map(|(pid, child)| (pid, child.state))
                    .collect();
                let expected: Vec<(Pid, ChildState)> =
                    model.iter().map(|(&pid, &state)| (pid, state)).collect();
                assert_eq!(listed, expected);
                let active = model
                    .values()
                    .filter(|&&s| s == ChildState::Running)
                    .count() as u64;
                assert_eq!(table.counts().specs, model.len() as u64);
                assert_eq!(table.counts().active, active);
                assert_eq!(table.tombstones, counted_tombstones(&table));
                assert!(table.tombstones <= TOMBSTONES_SWEPT_ABOVE.max(table.slots.len() / 2));
            }
            table.clear();
            assert_eq!(table.iter().count(), 0);
        }
    }

    /// The tombstones in the table, counted slot by slot (not the table's own counter).
    fn counted_tombstones(table: &Children<(), ()>) -> usize {
        table
            .slots
            .iter()
            .filter(|slot| slot.child.is_none())
            .count()
    }

    /// Removes `pids` one by one from a table of the running children `1..=size`, and after
    /// each removal checks the tombstones left against the sweep rule, counted slot by slot:
    /// they pile up until they are more than `TOMBSTONES_SWEPT_ABOVE` and more than half the
    /// slots, and are then all swept out at once.
    fn assert_sweeps_when_tombstones_outnumber(size: u64, pids: std::ops::RangeInclusive<u64>) {
        let mut table = table_of(&(1..=size).collect::<Vec<_>>());
        let mut expected = 0;
        for pid in pids {
            assert!(table.remove(Pid(pid)).is_some());
            expected += 1;
            if expected > TOMBSTONES_SWEPT_ABOVE && expected > table.slots.len() / 2 {
                expected = 0;
            }
            assert_eq!(counted_tombstones(&table), expected, "after removing {pid}");
            assert_eq!(
                table.tombstones, expected,
                "the counter after removing {pid}"
            );
        }
    }

    #[test]
    fn interior_tombstones_are_swept_once_they_outnumber_the_threshold_and_half_the_slots() {
        // 200 slots: swept at the 101st interior removal (more than half), not before.
        assert_sweeps_when_tombstones_outnumber(200, 2..=102);
        let mut table = table_of(&(1..=200).collect::<Vec<_>>());
        for pid in 2..=101 {
            table.remove(Pid(pid));
        }
        assert_eq!(counted_tombstones(&table), 100);
        table.remove(Pid(102));
        assert_eq!(counted_tombstones(&table), 0);
        assert_eq!(table.slots.len(), 99);
        // 20 slots: half is 10, so the threshold decides: swept at the 17th, not before.
        assert_sweeps_when_tombstones_outnumber(20, 2..=18);
        let mut table = table_of(&(1..=20).collect::<Vec<_>>());
        for pid in 2..=17 {
            table.remove(Pid(pid));
        }
        assert_eq!(counted_tombstones(&table), TOMBSTONES_SWEPT_ABOVE);
        table.remove(Pid(18));
        assert_eq!(counted_tombstones(&table), 0);
    }

    #[test]
    fn tombstones_at_either_end_are_dropped_at_once() {
        let mut table = table_of(&[1, 2, 3, 4, 5]);
        table.remove(Pid(2));
        assert_eq!((counted_tombstones(&table), table.tombstones), (1, 1));
        // Removing 1 leaves 2's tombstone at the front: both go.
        table.remove(Pid(1));
        assert_eq!((table.slots.len(), table.tombstones), (3, 0));
        table.remove(Pid(4));
        table.remove(Pid(5));
        assert_eq!((table.slots.len(), table.tombstones), (1, 0));
        assert!(table.contains(Pid(3)));
    }

    #[test]
    fn a_pid_stored_again_over_its_own_tombstone_takes_the_tombstone_back() {
        let mut table = table_of(&[1, 2, 3]);
        table.remove(Pid(2));
        assert_eq!(table.tombstones, 1);
        table.insert_running(Pid(2), spec());
        assert_eq!((counted_tombstones(&table), table.tombstones), (0, 0));
        assert_eq!(table.slots.len(), 3);
        assert!(table.contains(Pid(2)));
    }

    #[test]
    fn far_apart_pids_are_found() {
        let mut table = Children::<(), ()>::new();
        for pid in [1, 2, 3, 1_000_000, u64::MAX - 1, u64::MAX] {
            table.insert_running(Pid(pid), spec());
        }
        for pid in [1, 2, 3, 1_000_000, u64::MAX - 1, u64::MAX] {
            assert!(table.contains(Pid(pid)), "{pid}");
        }
        for pid in [0, 4, 999_999, 1_000_001, u64::MAX - 2] {
            assert!(!table.contains(Pid(pid)), "{pid}");
        }
    }

    /// A table holding running children at `pids` (increasing).
    fn table_of(pids: &[u64]) -> Children<(), ()> {
        let mut table = Children::new();
        for &pid in pids {
            table.insert_running(Pid(pid), spec());
        }
        table
    }

    /// The search's answer for `pid` and how many slots it read.
    fn probed_search(table: &Children<(), ()>, pid: u64) -> (Result<usize, usize>, u32) {
        let mut probes = 0;
        let found = table.search_probing(Pid(pid), &mut || probes += 1);
        (found, probes)
    }

    /// `ceil(log2(n))`.
    fn log2_ceil(n: usize) -> u32 {
        usize::BITS - n.saturating_sub(1).leading_zeros()
    }

    #[test]
    fn a_dense_table_is_searched_in_at_most_three_probes() {
        // Contiguous pids: the interpolated guess is the slot itself.
        let pids: Vec<u64> = (1..=4096).collect();
        let table = table_of(&pids);
        for (index, &pid) in pids.iter().enumerate() {
            let (found, probes) = probed_search(&table, pid);
            assert_eq!(found, Ok(index));
            assert!(probes <= 3, "pid {pid}: {probes} probes");
        }
    }

    #[test]
    fn a_skewed_table_is_searched_in_logarithmic_probes() {
        // Two far-apart clusters: the interpolated guess is far off, and the gallop must
        // double its step to reach the pid in logarithmic time.
        let mut rng = Lcg(7);
        let mut pids: Vec<u64> = (1..=5_000).collect();
        let mut next = 1_000_000_000;
        for _ in 0..5_000 {
            next += 1 + rng.next(3);
            pids.push(next);
        }
        let table = table_of(&pids);
        let bound = 2 * log2_ceil(pids.len()) + 4;
        let mut worst = 0;
        for (index, &pid) in pids.iter().enumerate() {
            let (found, probes) = probed_search(&table, pid);
            assert_eq!(found, Ok(index));
            worst = worst.max(probes);
            // An absent pid just above lands right after it.
            if pids.get(index + 1) != Some(&(pid + 1)) {
                let (missing, probes) = probed_search(&table, pid + 1);
                assert_eq!(missing, Err(index + 1));
                worst = worst.max(probes);
            }
        }
        assert!(worst <= bound, "{worst} probes, more than {bound}");
    }
}
