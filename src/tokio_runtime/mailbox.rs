//! A child's control mailbox: an unbounded FIFO queue from the supervisor's task (its one
//! sender) to the child's task (its one receiver), small enough for a million children.
//!
//! tokio's `mpsc` channel would do, but each one allocates its first block of 32 slots and two
//! cache-padded halves up front, about a kilobyte per child before any message. This one is a
//! `VecDeque` behind a lock (empty: no allocation) and a [`Notify`], about a hundred bytes,
//! with the same behaviour as the unbounded channel as the child uses it: messages arrive in
//! order; `recv` answers `None` once the sender is gone and the queue is empty; a send fails
//! (giving the message back) once the receiver is closed or dropped, and what was still queued
//! is dropped with the receiver (a queued call's answer slot too, which its caller sees).

use std::collections::VecDeque;

use tokio::sync::Notify;

use crate::sync::{lock, Arc, Mutex};

/// The queue and who is still there.
struct State<T> {
    items: VecDeque<T>,
    /// The receiver is closed or dropped: sends fail.
    closed: bool,
    /// The sender is dropped: once the queue is empty, `recv` answers `None`.
    sender_gone: bool,
}

/// What both ends share.
struct Shared<T> {
    state: Mutex<State<T>>,
    /// Wakes the receiver after a send, or when the sender goes.
    ready: Notify,
}

/// The sending end (the supervisor's task holds it).
pub(crate) struct Sender<T>(Arc<Shared<T>>);

/// The receiving end (the child's task holds it).
pub(crate) struct Receiver<T>(Arc<Shared<T>>);

/// A new, empty mailbox.
pub(crate) fn mailbox<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            items: VecDeque::new(),
            closed: false,
            sender_gone: false,
        }),
        ready: Notify::new(),
    });
    (Sender(shared.clone()), Receiver(shared))
}

impl<T> Sender<T> {
    /// Queues `item`; gives it back when the receiver is closed or gone.
    pub(crate) fn send(&self, item: T) -> Result<(), T> {
        {
            let mut state = lock(&self.0.state);
            if state.closed {
                return Err(item);
            }
            state.items.push_back(item);
        }
        self.0.ready.notify_one();
        Ok(())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        lock(&self.0.state).sender_gone = true;
        self.0.ready.notify_one();
    }
}

impl<T> Receiver<T> {
    /// The next item, in order; `None` once the sender is gone and nothing is queued.
    pub(crate) async fn recv(&mut self) -> Option<T> {
        loop {
            {
                let mut state = lock(&self.0.state);
                if let Some(item) = state.items.pop_front() {
                    return Some(item);
                }
                if state.sender_gone {
                    return None;
                }
            }
            // A send after the check above leaves a permit: this returns at once.
            self.0.ready.notified().await;
        }
    }

    /// Closes the mailbox (later sends fail) and returns what was still queued.
    pub(crate) fn close(&mut self) -> VecDeque<T> {
        let mut state = lock(&self.0.state);
        state.closed = true;
        std::mem::take(&mut state.items)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // Dropped outside the lock: an item's own drop (an answer slot) may wake a task.
        let queued = self.close();
        drop(queued);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
            .block_on(future)
    }

    #[test]
    fn items_arrive_in_order_then_none_once_the_sender_is_gone() {
        let (sender, mut receiver) = mailbox();
        for n in 0..40 {
            assert_eq!(sender.send(n), Ok(()));
        }
        drop(sender);
        let got = block_on(async {
            let mut got = Vec::new();
            while let Some(n) = receiver.recv().await {
                got.push(n);
            }
            got
        });
        assert_eq!(got, (0..40).collect::<Vec<_>>());
    }

    #[test]
    fn a_waiting_receiver_wakes_for_a_send_from_another_task() {
        let (sender, mut receiver) = mailbox();
        let got = block_on(async move {
            let sending = tokio::spawn(async move {
                tokio::task::yield_now().await;
                assert_eq!(sender.send("hello"), Ok(()));
                sender
            });
            let got = receiver.recv().await;
            drop(sending.await);
            (got, receiver.recv().await)
        });
        assert_eq!(got, (Some("hello"), None));
    }

    #[test]
    fn sends_fail_once_the_receiver_is_closed_or_dropped() {
        let (sender, mut receiver) = mailbox();
        assert_eq!(sender.send(1), Ok(()));
        assert_eq!(receiver.close(), VecDeque::from([1]));
        assert_eq!(sender.send(2), Err(2));
        let (sender, receiver) = mailbox();
        drop(receiver);
        assert_eq!(sender.send(3), Err(3));
    }

    #[test]
    fn what_is_queued_is_dropped_with_the_receiver() {
        let (sender, receiver) = mailbox();
        let (slot, answer) = tokio::sync::oneshot::channel::<()>();
        assert!(sender.send(slot).is_ok());
        drop(receiver);
        assert!(
            block_on(answer).is_err(),
            "the caller sees its slot dropped"
        );
    }
}
