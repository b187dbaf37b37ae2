//! Process identifiers: how the core names a child process.

use std::fmt;

/// Identifies one child process, as the driver allocated it.
///
/// The driver hands a `Pid` to the core when a start succeeds. Pids must never be reused, and
/// the core lists children in ascending pid order ([`which_children`]), which is creation order
/// when the driver allocates pids from an increasing counter, as both the simulator and the
/// threaded runtime do. That matches OTP, where a small children map iterates in pid order.
///
/// [`which_children`]: crate::DynamicSupervisor::which_children
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pid(pub u64);

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.0)
    }
}
