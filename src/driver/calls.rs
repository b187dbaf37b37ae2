//! A table keyed by call id, for calls in flight or replies not yet taken.
//!
//! Usually zero or one wait here (the client waits for each reply in turn), so a deque sorted
//! by call id beats a tree: no allocation per call once it has grown, and the reply sought is
//! at one end.

use std::collections::VecDeque;

use crate::supervisor::output::CallId;
#[cfg(test)]
use crate::supervisor::output::Reply;

/// Values by call id: who made each call in flight, or the replies a client has not taken.
#[derive(Debug)]
pub struct Calls<V> {
    /// Sorted by call id, each id at most once.
    sorted: VecDeque<(CallId, V)>,
}

impl<V> Default for Calls<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> Calls<V> {
    /// An empty table.
    pub fn new() -> Self {
        Calls {
            sorted: VecDeque::new(),
        }
    }

    fn search(&self, call: CallId) -> Result<usize, usize> {
        if self.sorted.back().is_none_or(|(last, _)| *last < call) {
            return Err(self.sorted.len());
        }
        self.sorted.binary_search_by(|(id, _)| id.cmp(&call))
    }

    /// Stores the reply to `call`, replacing an earlier one.
    /// Stores `value` under `call`, replacing any value of that id.
    pub fn insert(&mut self, call: CallId, reply: V) {
        match self.search(call) {
            Ok(index) => {
                if let Some(slot) = self.sorted.get_mut(index) {
                    slot.1 = reply;
                }
            }
            Err(index) if index == self.sorted.len() => self.sorted.push_back((call, reply)),
            Err(index) => self.sorted.insert(index, (call, reply)),
        }
    }

    /// Takes the reply to `call`.
    /// Takes the value of `call`, if any.
    pub fn remove(&mut self, call: CallId) -> Option<V> {
        // The reply sought is nearly always alone, or the oldest or the newest.
        if self.sorted.front().is_some_and(|(id, _)| *id == call) {
            return self.sorted.pop_front().map(|(_, reply)| reply);
        }
        if self.sorted.back().is_some_and(|(id, _)| *id == call) {
            return self.sorted.pop_back().map(|(_, reply)| reply);
        }
        let index = self.search(call).ok()?;
        self.sorted.remove(index).map(|(_, reply)| reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_and_takes_in_any_order() {
        let mut replies = Calls::new();
        for id in [3, 1, 2, 5] {
            replies.insert(CallId(id), Reply::Stopped);
        }
        replies.insert(CallId(2), Reply::NoProc);
        assert_eq!(replies.remove(CallId(4)), None);
        assert_eq!(replies.remove(CallId(2)), Some(Reply::NoProc));
        assert_eq!(replies.remove(CallId(2)), None);
        for id in [5, 1, 3] {
            assert_eq!(replies.remove(CallId(id)), Some(Reply::Stopped));
        }
        assert!(replies.sorted.is_empty());
    }
}
