//! A read-only view of a [`DynamicSupervisor`]'s state, outside the mailbox.

use std::fmt;

use crate::child_spec::ValidChildSpec;
use crate::exit_reason::ExitReason;
use crate::options::Config;
use crate::pid::Pid;
use crate::supervisor::output::{ChildCounts, ChildInfo};
use crate::supervisor::{DynamicSupervisor, Phase};
use crate::time::Instant;

/// A read-only view of a supervisor, from [`DynamicSupervisor::view`]: what it holds right
/// now, read directly (nothing goes through the mailbox, nothing changes). It is `Copy` and
/// borrows the supervisor, so take a new one after each input.
///
/// # Example
///
/// ```
/// use dynsup::{
///     CallId, ChildSpec, DynamicSupervisor, EntryState, ExitReason, Instant, Options, Pid,
///     StartOutcome,
/// };
///
/// let mut sup = DynamicSupervisor::<&str, ()>::with_options(Options::default()).unwrap();
/// let spec = ChildSpec::new("worker", Vec::new()).validate().unwrap();
/// sup.start_child(Instant::from_millis(5), CallId(1), spec).unwrap();
/// let view = sup.view();
/// assert!(view.is_blocked()); // inside the start function
/// assert_eq!(view.latest_time(), Instant::from_millis(5));
///
/// let started = StartOutcome::Started { pid: Pid(1), info: None };
/// sup.handle_start_result(Instant::from_millis(5), started).unwrap();
/// let view = sup.view();
/// assert!(view.is_alive() && !view.is_blocked());
/// assert_eq!(view.counts().active, 1);
/// assert_eq!(view.which_children()[0].pid, Some(Pid(1)));
/// assert_eq!(view.running_pids(), vec![Pid(1)]);
/// let entry = view.entries().next().unwrap();
/// assert_eq!((entry.pid, entry.state), (Pid(1), EntryState::Running));
/// assert_eq!(view.entry(Pid(1)).map(|entry| entry.pid), Some(Pid(1)));
/// assert_eq!(view.restarts_in_window(), 0);
/// assert_eq!(view.mailbox_len(), 0);
/// assert_eq!(view.config().max_restarts(), 3);
/// assert_eq!(view.exit_reason(), None);
///
/// sup.handle_parent_exit(Instant::from_millis(9), ExitReason::Shutdown).unwrap();
/// # while sup.poll_effect().is_some() {}
/// sup.handle_child_exit(Instant::from_millis(9), Pid(1), ExitReason::Shutdown).unwrap();
/// assert_eq!(sup.view().exit_reason(), Some(&ExitReason::Shutdown));
/// assert!(!sup.view().is_alive());
/// ```
pub struct SupervisorView<'a, F, A> {
    sup: &'a DynamicSupervisor<F, A>,
}

impl<F, A> Clone for SupervisorView<'_, F, A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F, A> Copy for SupervisorView<'_, F, A> {}

impl<F: fmt::Debug, A: fmt::Debug> fmt::Debug for SupervisorView<'_, F, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SupervisorView")
            .field("sup", self.sup)
            .finish()
    }
}

impl<'a, F, A> SupervisorView<'a, F, A> {
    pub(crate) fn new(sup: &'a DynamicSupervisor<F, A>) -> Self {
        SupervisorView { sup }
    }

    /// The validated options.
    pub fn config(self) -> &'a Config<A> {
        &self.sup.config
    }

    /// The current counts (O(1)), as `count_children` would answer them.
    pub fn counts(self) -> ChildCounts {
        self.sup.children.counts()
    }

    /// The rows `which_children` would answer, in ascending pid order (OTP lists its
    /// pid-keyed map in pid order): creation order when pids increase, and a restarted child
    /// at its new pid's place.
    pub fn which_children(self) -> Vec<ChildInfo> {
        self.sup.children.infos()
    }

    /// The running children's pids, in ascending pid order.
    pub fn running_pids(self) -> Vec<Pid> {
        self.sup.children.running_pids()
    }

    /// Whether the supervisor process is alive.
    pub fn is_alive(self) -> bool {
        self.sup.alive()
    }

    /// The supervisor's exit reason, once it is down.
    pub fn exit_reason(self) -> Option<&'a ExitReason> {
        match &self.sup.phase {
            Phase::Down(reason) => Some(reason),
            _ => None,
        }
    }

    /// Whether the supervisor is blocked in a start function or a termination.
    pub fn is_blocked(self) -> bool {
        matches!(self.sup.phase, Phase::Starting(_) | Phase::Terminating(_))
    }

    /// Whether `pid` was sent `shutdown` by the termination in progress before the supervisor,
    /// in the same pass, took an exit already queued in its mailbox. On the BEAM that take
    /// waits for the gone child's `DOWN`, so `pid` begins its shutdown work before the kill
    /// timers start: when the work takes exactly its shutdown timeout, it ends in time with
    /// `shutdown` instead of being killed (docs/semantics.md, "A tie with the kill timer").
    /// Only a driver that simulates time needs it; `false` when no termination is in progress.
    ///
    /// ```
    /// use dynsup::{
    ///     CallId, ChildSpec, DynamicSupervisor, ExitReason, Instant, Options, Pid, StartOutcome,
    /// };
    /// let mut sup = DynamicSupervisor::<&str, ()>::with_options(Options::default()).unwrap();
    /// let t = Instant::from_millis(0);
    /// for (call, pid) in [(1, Pid(1)), (2, Pid(2))] {
    ///     let spec = ChildSpec::new("worker", vec![]).validate().unwrap();
    ///     sup.start_child(t, CallId(call), spec).unwrap();
    ///     sup.handle_start_result(t, StartOutcome::Started { pid, info: None }).unwrap();
    /// }
    /// // Suspended, the supervisor leaves child 2's exit in its mailbox; its parent's exit
    /// // then terminates the children in one pass: 1 is signalled, 2's exit is taken.
    /// sup.suspend();
    /// sup.handle_child_exit(t, Pid(2), ExitReason::Other("boom".into())).unwrap();
    /// sup.handle_parent_exit(t, ExitReason::Shutdown).unwrap();
    /// assert!(sup.view().shutdown_head_start(Pid(1)));
    /// assert!(!sup.view().shutdown_head_start(Pid(2)));
    /// ```
    pub fn shutdown_head_start(self, pid: Pid) -> bool {
        match &self.sup.phase {
            Phase::Terminating(termination) => termination.head_start.0.contains(&pid),
            _ => false,
        }
    }

    /// Whether the supervisor is suspended (`:sys.suspend/1`): its mailbox waits.
    pub fn is_suspended(self) -> bool {
        self.sup.suspended
    }

    /// How many restarts the intensity log holds now.
    pub fn restarts_in_window(self) -> u64 {
        self.sup.restarts.len()
    }

    /// How many messages wait in the mailbox.
    pub fn mailbox_len(self) -> usize {
        self.sup.mailbox.len()
    }

    /// Every entry (running or restarting) with its state and stored spec, in ascending pid
    /// order.
    pub fn entries(self) -> impl Iterator<Item = Entry<'a, F, A>> + 'a {
        self.sup.children.iter().map(|(pid, child)| Entry {
            pid,
            state: child.state,
            spec: &child.spec,
        })
    }

    /// The entry keyed `pid` (running or restarting), found by binary search.
    pub fn entry(self, pid: Pid) -> Option<Entry<'a, F, A>> {
        self.sup.children.get(pid).map(|child| Entry {
            pid,
            state: child.state,
            spec: &child.spec,
        })
    }

    /// The latest `now` given to any call or input ([`Instant::ZERO`] before the first);
    /// an earlier `now` is refused with
    /// [`DriverError::TimeWentBackwards`](crate::DriverError::TimeWentBackwards).
    pub fn latest_time(self) -> Instant {
        self.sup.latest
    }
}

/// One entry of the children table, from [`SupervisorView::entries`].
#[derive(Debug)]
pub struct Entry<'a, F, A> {
    /// The entry's key: the running process, or for a restarting entry the pid of the
    /// process that died (its restart is being retried).
    pub pid: Pid,
    /// Whether a process runs or the restart is being retried.
    pub state: EntryState,
    /// The stored child spec (restart type, shutdown, child type, modules, start call).
    pub spec: &'a ValidChildSpec<F, A>,
}

impl<F, A> Clone for Entry<'_, F, A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F, A> Copy for Entry<'_, F, A> {}

/// The state of one entry of the children table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryState {
    /// A process runs (or died and its exit is not processed yet). `which_children` lists
    /// its pid.
    Running,
    /// The process is dead and its restart is being retried; the entry is keyed by the old
    /// pid, and `which_children` lists it with no pid (OTP's `:restarting`).
    Restarting,
}
