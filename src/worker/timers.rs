//! A process's pending timers, ordered by deadline, then by the order they were set.

use std::collections::BTreeMap;

use crate::time::Instant;
use crate::worker::context::TimerRef;

/// Pending timers of one process: each fires once, at its deadline, in (deadline, set order).
///
/// A process that never sets a timer pays one pointer for it and allocates nothing. Drivers ask
/// [`next_deadline`](Timers::next_deadline) after every callback and take due messages with
/// [`pop_due`](Timers::pop_due).
#[derive(Debug)]
pub struct Timers<M> {
    /// Allocated at the first timer, then kept (so timer refs are never reused).
    set: Option<Box<TimerSet<M>>>,
}

#[derive(Debug)]
struct TimerSet<M> {
    pending: BTreeMap<(Instant, TimerRef), M>,
    next_ref: u64,
}

impl<M> Default for Timers<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M> Timers<M> {
    /// No timers.
    pub fn new() -> Self {
        Timers { set: None }
    }

    /// Sets a timer for `message` at `at`.
    pub fn insert(&mut self, at: Instant, message: M) -> TimerRef {
        let set = self.set.get_or_insert_with(|| {
            Box::new(TimerSet {
                pending: BTreeMap::new(),
                next_ref: 0,
            })
        });
        set.next_ref += 1;
        let timer = TimerRef(set.next_ref);
        set.pending.insert((at, timer), message);
        timer
    }

    /// Cancels `timer`; its message if it was pending.
    pub fn cancel(&mut self, timer: TimerRef) -> Option<M> {
        let set = self.set.as_mut()?;
        let key = *set.pending.keys().find(|(_, t)| *t == timer)?;
        set.pending.remove(&key)
    }

    /// The earliest deadline, if any timer is pending.
    pub fn next_deadline(&self) -> Option<Instant> {
        let set = self.set.as_ref()?;
        set.pending.keys().next().map(|(at, _)| *at)
    }

    /// Takes the earliest timer due at or before `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<M> {
        let entry = self.set.as_mut()?.pending.first_entry()?;
        if entry.key().0 > now {
            return None;
        }
        Some(entry.remove())
    }

    /// How many timers are pending.
    pub fn len(&self) -> usize {
        self.set.as_ref().map_or(0, |set| set.pending.len())
    }

    /// Whether no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every pending timer (the process ended).
    pub fn clear(&mut self) {
        if let Some(set) = self.set.as_mut() {
            set.pending.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fire_in_deadline_then_set_order() {
        let mut timers = Timers::new();
        let at = Instant::from_millis;
        timers.insert(at(20), "b");
        timers.insert(at(10), "a");
        let c = timers.insert(at(20), "c");
        timers.insert(at(30), "d");
        assert_eq!(timers.next_deadline(), Some(at(10)));
        assert_eq!(timers.pop_due(at(9)), None);
        assert_eq!(timers.pop_due(at(25)), Some("a"));
        assert_eq!(timers.cancel(c), Some("c"));
        assert_eq!(timers.cancel(c), None);
        assert_eq!(timers.pop_due(at(25)), Some("b"));
        assert_eq!(timers.pop_due(at(25)), None);
        assert_eq!(timers.len(), 1);
        timers.clear();
        assert!(timers.is_empty());
        assert_eq!(timers.next_deadline(), None);
        // A ref is never handed out twice, even after every timer is gone.
        assert!(timers.insert(at(40), "e") > c);
    }

    #[test]
    fn an_unused_timer_set_is_one_pointer() {
        assert_eq!(
            std::mem::size_of::<Timers<u64>>(),
            std::mem::size_of::<usize>()
        );
    }
}
