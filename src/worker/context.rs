//! The context a worker's callbacks get: its own pid, the current time, and its timers.

use crate::pid::Pid;
use crate::time::Instant;
use crate::worker::timers::Timers;

/// Names one timer of one process, as [`Context::send_after`] returned it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerRef(pub u64);

/// What a worker can learn and ask for during a callback: its pid, the time, and timers
/// (`Process.send_after/3` and `Process.cancel_timer/1`).
///
/// The same context serves every driver: in the simulator the time is virtual and a timer is a
/// delivery in the simulator's queue; on the runtimes the time is the supervisor's clock and a
/// timer fires on that clock. A timer's message arrives through
/// [`handle_message`](crate::Worker::handle_message) like any other, after the messages
/// already queued for the worker at that time. Timers die with the process.
///
/// ```
/// use dynsup::{Context, Instant, Pid};
///
/// let mut ctx: Context<&str> = Context::new(Pid(7), Instant::from_millis(100));
/// assert_eq!(ctx.pid(), Pid(7));
/// let flush = ctx.send_after(250, "flush");
/// let _ping = ctx.send_after(50, "ping");
/// assert_eq!(ctx.timers().next_deadline(), Some(Instant::from_millis(150)));
/// assert!(ctx.cancel_timer(flush));
/// assert!(!ctx.cancel_timer(flush), "a timer is cancelled once");
/// ```
#[derive(Debug)]
pub struct Context<M> {
    pid: Pid,
    now: Instant,
    timers: Timers<M>,
}

impl<M> Context<M> {
    /// The context of process `pid` at time `now`, with no timers.
    pub fn new(pid: Pid, now: Instant) -> Self {
        Context {
            pid,
            now,
            timers: Timers::new(),
        }
    }

    /// This process's pid.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// The current time (virtual in the simulator, the supervisor's clock on a runtime).
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Sends `message` to this process after `after_ms` milliseconds (`Process.send_after`).
    pub fn send_after(&mut self, after_ms: u64, message: M) -> TimerRef {
        let at = self.now.saturating_add_millis(after_ms);
        self.timers.insert(at, message)
    }

    /// Cancels a timer that has not fired yet; returns whether it was still pending.
    pub fn cancel_timer(&mut self, timer: TimerRef) -> bool {
        self.timers.cancel(timer).is_some()
    }

    /// The pending timers, read-only.
    pub fn timers(&self) -> &Timers<M> {
        &self.timers
    }

    /// Moves the context to time `now` (drivers call this before each callback; the time
    /// never goes back).
    pub fn set_now(&mut self, now: Instant) {
        self.now = self.now.max(now);
    }

    /// The pending timers, for the driver that fires them.
    pub fn timers_mut(&mut self) -> &mut Timers<M> {
        &mut self.timers
    }
}
