//! Copying one queue over another in place, for the `clone_from` of the core's parts.

use std::collections::VecDeque;

/// `target.clone_from(source)`, with nothing done when both are empty: a model checker copies
/// a supervisor into a scratch one at every transition, and most of its queues (outputs not
/// yet polled, messages waiting, restarts in the window) are empty on both sides, where a
/// general `clone_from` still clears one and extends it from the other.
pub(crate) fn clone_queue_from<T: Clone>(target: &mut VecDeque<T>, source: &VecDeque<T>) {
    if !(target.is_empty() && source.is_empty()) {
        target.clone_from(source);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_becomes_the_source_whichever_is_empty() {
        let full: VecDeque<u32> = [1, 2, 3].into_iter().collect();
        let other: VecDeque<u32> = [9].into_iter().collect();
        for (target, source) in [
            (VecDeque::new(), full.clone()),
            (full.clone(), VecDeque::new()),
            (other.clone(), full.clone()),
            (VecDeque::new(), VecDeque::new()),
        ] {
            let mut copy = target.clone();
            clone_queue_from(&mut copy, &source);
            assert_eq!(copy, source, "from {target:?}");
        }
    }
}
