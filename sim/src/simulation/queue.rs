//! The delivery queue: everything in flight, taken in key order (time, tie, sequence number).
//!
//! Most deliveries are sent for the current instant, in sequence order, so they arrive already
//! sorted: those go to a FIFO. Anything out of order (a timer, a delayed stop) goes to a binary
//! heap. Taking the smaller of the two heads gives exactly the order of one sorted map, with no
//! allocation per delivery once the buffers have grown.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// A queued item under its key.
struct Entry<K, T> {
    key: K,
    item: T,
}

impl<K: Ord, T> PartialEq for Entry<K, T> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<K: Ord, T> Eq for Entry<K, T> {}

impl<K: Ord, T> PartialOrd for Entry<K, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K: Ord, T> Ord for Entry<K, T> {
    /// Reversed, so that the max-heap gives the smallest key first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Items taken in ascending key order; keys must be distinct.
pub(crate) struct Queue<K, T> {
    /// Items pushed in ascending key order (each key greater than the one before).
    sorted: VecDeque<(K, T)>,
    /// Everything else.
    heap: BinaryHeap<Entry<K, T>>,
}

impl<K: Ord + Copy, T> Queue<K, T> {
    pub(crate) fn new() -> Self {
        Queue {
            sorted: VecDeque::new(),
            heap: BinaryHeap::new(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.sorted.is_empty() && self.heap.is_empty()
    }

    pub(crate) fn push(&mut self, key: K, item: T) {
        if self.sorted.back().is_none_or(|(last, _)| key > *last) {
            self.sorted.push_back((key, item));
        } else {
            self.heap.push(Entry { key, item });
        }
    }

    /// The smallest key.
    pub(crate) fn first_key(&self) -> Option<K> {
        match (self.sorted.front(), self.heap.peek()) {
            (Some((a, _)), Some(b)) => Some((*a).min(b.key)),
            (Some((a, _)), None) => Some(*a),
            (None, Some(b)) => Some(b.key),
            (None, None) => None,
        }
    }

    /// Takes the item with the smallest key.
    pub(crate) fn pop_first(&mut self) -> Option<(K, T)> {
        let from_heap = match (self.sorted.front(), self.heap.peek()) {
            (Some((a, _)), Some(b)) => b.key < *a,
            (None, Some(_)) => true,
            _ => false,
        };
        if from_heap {
            self.heap.pop().map(|entry| (entry.key, entry.item))
        } else {
            self.sorted.pop_front()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Against a sorted map, with keys mostly ascending and sometimes not.
    #[test]
    fn pops_in_key_order() {
        let mut state = 7u64;
        let mut next = |below: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % below
        };
        let mut queue = Queue::new();
        let mut model = BTreeMap::new();
        let mut sequence = 0u64;
        let mut time = 0u64;
        for _ in 0..20_000 {
            if next(3) == 0 {
                let popped = queue.pop_first();
                assert_eq!(popped, model.pop_first());
                if let Some(((at, _), _)) = popped {
                    time = time.max(at);
                }
            } else {
                sequence += 1;
                let at = if next(4) == 0 { time + next(50) } else { time };
                queue.push((at, sequence), sequence);
                model.insert((at, sequence), sequence);
            }
            assert_eq!(queue.first_key(), model.keys().next().copied());
            assert_eq!(queue.is_empty(), model.is_empty());
        }
    }
}
