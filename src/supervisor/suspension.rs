//! `:sys.suspend/1` and `:sys.resume/1`: a suspended supervisor lets messages pile up in its
//! mailbox, in arrival order, and handles none until it is resumed (docs/races.md).

use crate::error::DriverError;
use crate::supervisor::{DynamicSupervisor, Phase};
use crate::time::Instant;

impl<F: Clone, A: Clone> DynamicSupervisor<F, A> {
    /// Suspends the supervisor (`:sys.suspend/1`): from now on every call and every child's
    /// exit waits in the mailbox, in arrival order, until [`resume`](Self::resume). A
    /// termination already in progress still takes its children's downs and kill timers (the
    /// process is inside its terminate code, not in its loop), and the parent's exit signal is
    /// still taken at once. Returns `false` (and changes nothing) when the supervisor is down:
    /// OTP's `noproc`.
    pub fn suspend(&mut self) -> bool {
        if !self.alive() {
            return false;
        }
        self.suspended = true;
        true
    }

    /// Resumes a suspended supervisor (`:sys.resume/1`): it handles the waiting messages in
    /// order, and what they cause (a failed restart's retry goes to the back of the mailbox,
    /// behind them) follows. Returns `Ok(false)` when the supervisor is down.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`] when `now` goes backwards; nothing changes then.
    pub fn resume(&mut self, now: Instant) -> Result<bool, DriverError> {
        self.advance(now)?;
        self.suspended = false;
        if !self.alive() {
            return Ok(false);
        }
        self.run(now);
        Ok(true)
    }

    /// Whether the supervisor serves its mailbox now: ready, and not suspended.
    pub(crate) fn serving(&self) -> bool {
        matches!(self.phase, Phase::Ready) && !self.suspended
    }
}
