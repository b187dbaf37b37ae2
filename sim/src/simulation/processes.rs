//! The table of live child processes, indexed by pid.
//!
//! The simulator hands out pids from a counter, so the live processes sit in a window of pids
//! from the oldest live one to the newest: a deque of slots indexed by `pid - base`, with the
//! dead ones empty and trimmed off both ends. Every operation is O(1). The window is as wide
//! as the pids handed out since the oldest live process started (24 bytes a slot for a boxed
//! worker), never wider.

use std::collections::VecDeque;

use dynsup::Pid;

use super::checker::LiveChildren;

/// Live processes keyed by pid.
pub(super) struct Processes<P> {
    /// The pid of `slots[0]`.
    base: u64,
    /// `slots[i]` is the process with pid `base + i`, if alive; no empty slot at either end.
    slots: VecDeque<Option<P>>,
    live: usize,
}

impl<P> Processes<P> {
    pub(super) fn new() -> Self {
        Processes {
            base: 0,
            slots: VecDeque::new(),
            live: 0,
        }
    }

    fn index(&self, pid: Pid) -> Option<usize> {
        usize::try_from(pid.0.checked_sub(self.base)?).ok()
    }

    pub(super) fn get(&self, pid: Pid) -> Option<&P> {
        let index = self.index(pid)?;
        self.slots.get(index)?.as_ref()
    }

    pub(super) fn get_mut(&mut self, pid: Pid) -> Option<&mut P> {
        let index = self.index(pid)?;
        self.slots.get_mut(index)?.as_mut()
    }

    /// Stores the process `pid`, replacing any process of that pid.
    pub(super) fn insert(&mut self, pid: Pid, process: P) {
        if self.slots.is_empty() {
            self.base = pid.0;
        }
        while pid.0 < self.base {
            self.slots.push_front(None);
            self.base -= 1;
        }
        let Some(index) = self.index(pid) else {
            return;
        };
        while self.slots.len() <= index {
            self.slots.push_back(None);
        }
        if let Some(slot) = self.slots.get_mut(index) {
            if slot.replace(process).is_none() {
                self.live += 1;
            }
        }
    }

    /// Takes the process `pid` out, if it is alive.
    pub(super) fn remove(&mut self, pid: Pid) -> Option<P> {
        let index = self.index(pid)?;
        let process = self.slots.get_mut(index)?.take()?;
        self.live -= 1;
        while self.slots.front().is_some_and(Option::is_none) {
            self.slots.pop_front();
            self.base += 1;
        }
        while self.slots.back().is_some_and(Option::is_none) {
            self.slots.pop_back();
        }
        Some(process)
    }

    /// The live process with the highest pid.
    pub(super) fn newest(&self) -> Option<Pid> {
        let len = u64::try_from(self.slots.len()).ok()?;
        (len > 0).then(|| Pid(self.base + len - 1))
    }

    /// The live pids, ascending.
    pub(super) fn iter_pids(&self) -> impl Iterator<Item = Pid> + '_ {
        (self.base..)
            .zip(self.slots.iter())
            .filter(|(_, slot)| slot.is_some())
            .map(|(pid, _)| Pid(pid))
    }
}

impl<P> LiveChildren for Processes<P> {
    fn contains(&self, pid: Pid) -> bool {
        self.index(pid)
            .and_then(|index| self.slots.get(index))
            .is_some_and(Option::is_some)
    }

    fn len(&self) -> usize {
        self.live
    }

    fn pids(&self) -> Vec<Pid> {
        self.iter_pids().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn behaves_like_a_map() {
        let mut state = 11u64;
        let mut next = |below: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % below
        };
        let mut table = Processes::new();
        let mut model = BTreeMap::new();
        let mut next_pid = 100;
        for round in 0..20_000u64 {
            match next(5) {
                0 | 1 => {
                    // Mostly the next pid; now and then one out of order.
                    let pid = if next(10) == 0 {
                        next(next_pid + 5)
                    } else {
                        next_pid
                    };
                    next_pid = next_pid.max(pid + 1);
                    table.insert(Pid(pid), round);
                    model.insert(Pid(pid), round);
                }
                2 | 3 => {
                    let pid = Pid(next(next_pid + 2));
                    assert_eq!(table.remove(pid), model.remove(&pid));
                }
                _ => {
                    let pid = Pid(next(next_pid + 2));
                    assert_eq!(table.get_mut(pid).copied(), model.get(&pid).copied());
                    assert_eq!(
                        LiveChildren::contains(&table, pid),
                        model.contains_key(&pid)
                    );
                }
            }
            assert_eq!(LiveChildren::len(&table), model.len());
        }
        assert_eq!(table.pids(), model.keys().copied().collect::<Vec<_>>());
    }
}
