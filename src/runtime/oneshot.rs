//! A one-shot reply slot: the driver answers a call once; the caller waits for that answer, or
//! learns that it will never come (the driver dropped the slot: the supervisor is gone).
//!
//! Either side may go first or go away: an answer to a caller that gave up (a `stop` with a
//! timeout) is dropped, and a caller whose slot is dropped unanswered sees
//! [`Recv::Closed`]. After a value has passed, neither end touches the lock again.

use std::time::Duration;

use crate::runtime::channel::Recv;
use crate::sync::{lock, wait, wait_timeout, Arc, Condvar, Mutex};

struct Shared<T> {
    slot: Mutex<Slot<T>>,
    ready: Condvar,
}

struct Slot<T> {
    value: Option<T>,
    sender_gone: bool,
    receiver_gone: bool,
    waiting: bool,
}

/// The answering end, used once.
pub(crate) struct ReplySender<T> {
    shared: Option<Arc<Shared<T>>>,
}

/// The waiting end.
pub(crate) struct ReplyReceiver<T> {
    shared: Arc<Shared<T>>,
    done: bool,
}

/// A new reply slot.
pub(crate) fn reply_slot<T>() -> (ReplySender<T>, ReplyReceiver<T>) {
    let shared = Arc::new(Shared {
        slot: Mutex::new(Slot {
            value: None,
            sender_gone: false,
            receiver_gone: false,
            waiting: false,
        }),
        ready: Condvar::new(),
    });
    (
        ReplySender {
            shared: Some(shared.clone()),
        },
        ReplyReceiver {
            shared,
            done: false,
        },
    )
}

impl<T> ReplySender<T> {
    /// Answers; gives the value back when the caller has gone.
    pub(crate) fn send(mut self, value: T) -> Result<(), T> {
        let Some(shared) = self.shared.take() else {
            return Err(value);
        };
        let mut slot = lock(&shared.slot);
        if slot.receiver_gone {
            return Err(value);
        }
        slot.value = Some(value);
        slot.sender_gone = true;
        let waiting = slot.waiting;
        drop(slot);
        if waiting {
            shared.ready.notify_one();
        }
        Ok(())
    }
}

impl<T> Drop for ReplySender<T> {
    fn drop(&mut self) {
        let Some(shared) = self.shared.take() else {
            return;
        };
        let mut slot = lock(&shared.slot);
        slot.sender_gone = true;
        let waiting = slot.waiting;
        drop(slot);
        if waiting {
            shared.ready.notify_one();
        }
    }
}

impl<T> ReplyReceiver<T> {
    /// Waits for the answer, or for the slot to be dropped unanswered.
    pub(crate) fn recv(&mut self) -> Recv<T> {
        self.receive(None)
    }

    /// Waits at most about `timeout`; [`Recv::Empty`] when nothing came (callers loop on their
    /// own deadline). A zero `timeout` does not wait.
    pub(crate) fn recv_timeout(&mut self, timeout: Duration) -> Recv<T> {
        self.receive(Some(timeout))
    }

    fn receive(&mut self, timeout: Option<Duration>) -> Recv<T> {
        if self.done {
            return Recv::Closed;
        }
        let mut slot = lock(&self.shared.slot);
        loop {
            if let Some(value) = slot.value.take() {
                self.done = true;
                return Recv::Message(value);
            }
            if slot.sender_gone {
                self.done = true;
                return Recv::Closed;
            }
            match timeout {
                None => {
                    slot.waiting = true;
                    slot = wait(&self.shared.ready, slot);
                    slot.waiting = false;
                }
                Some(timeout) if timeout.is_zero() => return Recv::Empty,
                Some(timeout) => {
                    slot.waiting = true;
                    slot = wait_timeout(&self.shared.ready, slot, timeout);
                    slot.waiting = false;
                    return match slot.value.take() {
                        Some(value) => {
                            self.done = true;
                            Recv::Message(value)
                        }
                        None if slot.sender_gone => {
                            self.done = true;
                            Recv::Closed
                        }
                        None => Recv::Empty,
                    };
                }
            }
        }
    }
}

impl<T> Drop for ReplyReceiver<T> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut slot = lock(&self.shared.slot);
        slot.receiver_gone = true;
        let value = slot.value.take();
        drop(slot);
        // An answer that arrived too late is dropped outside the lock.
        drop(value);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn answer_then_closed() {
        let (tx, mut rx) = reply_slot();
        assert!(matches!(rx.recv_timeout(Duration::ZERO), Recv::Empty));
        assert_eq!(tx.send(5), Ok(()));
        assert!(matches!(rx.recv(), Recv::Message(5)));
        assert!(matches!(rx.recv(), Recv::Closed));
    }

    #[test]
    fn dropped_sender_closes_and_dropped_receiver_refuses() {
        let (tx, mut rx) = reply_slot::<u8>();
        drop(tx);
        assert!(matches!(rx.recv(), Recv::Closed));
        let (tx, rx) = reply_slot();
        drop(rx);
        assert_eq!(tx.send(1), Err(1));
    }
}
