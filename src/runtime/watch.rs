//! A value other threads can wait on: the supervisor's status (alive, or down with a reason)
//! and the number of its child threads still running.

use crate::runtime::clock::Clock;
use crate::sync::{lock, wait, wait_timeout, Arc, Condvar, Mutex};
use crate::time::Instant;

/// A value behind a lock, with a condition variable signalled on every change.
pub(crate) struct Watch<T> {
    value: Mutex<Watched<T>>,
    changed: Condvar,
}

struct Watched<T> {
    value: T,
    /// Threads waiting for a change (only then is the condition variable notified).
    waiters: usize,
}

impl<T> Watch<T> {
    /// A watch holding `value`.
    pub(crate) fn new(value: T) -> Self {
        Watch {
            value: Mutex::new(Watched { value, waiters: 0 }),
            changed: Condvar::new(),
        }
    }

    /// Changes the value and wakes every waiter.
    pub(crate) fn update<R>(&self, change: impl FnOnce(&mut T) -> R) -> R {
        let mut watched = lock(&self.value);
        let result = change(&mut watched.value);
        let waiters = watched.waiters;
        drop(watched);
        if waiters > 0 {
            self.changed.notify_all();
        }
        result
    }

    /// Reads the value.
    pub(crate) fn read<R>(&self, look: impl FnOnce(&T) -> R) -> R {
        look(&lock(&self.value).value)
    }

    /// Waits until `ready` returns `Some`, or until `deadline` (read on `clock`) passes; `None`
    /// waits for ever. Returns the last answer of `ready`.
    pub(crate) fn wait_for<R>(
        &self,
        clock: &Clock,
        deadline: Option<Instant>,
        mut ready: impl FnMut(&T) -> Option<R>,
    ) -> Option<R> {
        let mut watched = lock(&self.value);
        loop {
            if let Some(answer) = ready(&watched.value) {
                return Some(answer);
            }
            watched.waiters += 1;
            watched = match deadline {
                None => wait(&self.changed, watched),
                Some(deadline) => {
                    let left = clock.until(deadline);
                    if left.is_zero() {
                        watched.waiters -= 1;
                        return None;
                    }
                    wait_timeout(&self.changed, watched, left)
                }
            };
            watched.waiters -= 1;
        }
    }
}

/// Counts one running child thread while it lives: made by the driver before the spawn, moved
/// into the thread, dropped when the thread's body ends (even by a panic), or with the closure
/// if the spawn fails.
pub(crate) struct ThreadToken {
    count: Arc<Watch<usize>>,
}

impl ThreadToken {
    /// Counts one more thread on `count`.
    pub(crate) fn new(count: &Arc<Watch<usize>>) -> Self {
        count.update(|n| *n += 1);
        ThreadToken {
            count: count.clone(),
        }
    }
}

impl Drop for ThreadToken {
    fn drop(&mut self) {
        self.count.update(|n| *n = n.saturating_sub(1));
    }
}
