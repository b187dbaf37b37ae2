//! The termination protocol shared by `terminate_child` and the supervisor's own stop:
//! every child signalled in one pass, one kill timer per distinct timeout, then a selective
//! wait for their downs.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

use crate::child_spec::{Restart, Shutdown};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::supervisor::awaiting::Awaiting;
use crate::supervisor::mailbox::Message;
use crate::supervisor::output::{CallId, Effect, Event, Reply};
use crate::supervisor::{DynamicSupervisor, Phase};
use crate::time::Instant;

/// Why children are being terminated.
#[derive(Clone, Debug, Hash)]
pub(crate) enum Purpose {
    /// `terminate_child(pid)`: reply to `call` when the child is down.
    Child { call: CallId, pid: Pid },
    /// The supervisor stops with `reason`, answering `reply_to` when it was a `stop` call.
    Supervisor {
        reason: ExitReason,
        reply_to: Option<CallId>,
    },
}

/// The kill deadline of every child whose shutdown is `millis` milliseconds.
#[derive(Clone, Copy, Debug, Hash)]
pub(crate) struct KillTimer {
    pub(crate) millis: u64,
    pub(crate) deadline: Instant,
}

/// A termination in progress: the supervisor serves nothing else until it ends.
#[derive(Debug, Hash)]
pub(crate) struct Termination {
    pub(crate) purpose: Purpose,
    /// The children signalled and not yet down, with their shutdown and restart type.
    pub(crate) awaiting: Awaiting,
    /// Kill timers that have not fired, one per distinct timeout.
    pub(crate) timers: Vec<KillTimer>,
    /// The children that got a head start on their shutdown work.
    pub(crate) head_start: HeadStart,
}

/// The children sent `shutdown` in a termination's pass before the supervisor took an exit
/// already queued in its mailbox (a child that was already gone). On the BEAM that take waits
/// for the gone child's `DOWN`, so the children signalled before it begin their shutdown work
/// while the kill timers are not yet started: one whose work takes exactly its timeout ends in
/// time (`shutdown`), where a child signalled after the last such take is killed
/// (docs/semantics.md, "A tie with the kill timer").
///
/// Timing advice for drivers that simulate time ([`SupervisorView::shutdown_head_start`]),
/// not state: the core never reads it, so it is no part of the core's hash.
///
/// [`SupervisorView::shutdown_head_start`]: crate::SupervisorView::shutdown_head_start
#[derive(Clone, Debug, Default)]
pub(crate) struct HeadStart(pub(crate) Vec<Pid>);

impl Hash for HeadStart {
    fn hash<H: Hasher>(&self, _state: &mut H) {}
}

/// [`clone_from`](Clone::clone_from) reuses the target's buffers.
impl Clone for Termination {
    fn clone(&self) -> Self {
        Termination {
            purpose: self.purpose.clone(),
            awaiting: self.awaiting.clone(),
            timers: self.timers.clone(),
            head_start: self.head_start.clone(),
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.purpose.clone_from(&source.purpose);
        self.awaiting.clone_from(&source.awaiting);
        self.timers.clone_from(&source.timers);
        self.head_start.0.clone_from(&source.head_start.0);
    }
}

/// Whether a child that ended during termination ended as its shutdown asked (docs/semantics.md
/// §8.4); anything else is reported as a shutdown error, with the same outcome.
fn ended_cleanly(shutdown: Shutdown, restart: Restart, reason: &ExitReason) -> bool {
    match (shutdown, reason) {
        (Shutdown::BrutalKill, reason) => *reason == ExitReason::Killed,
        (_, ExitReason::Shutdown | ExitReason::ShutdownWith(_)) => true,
        (_, ExitReason::Normal) => restart != Restart::Permanent,
        _ => false,
    }
}

impl<F: Clone, A: Clone> DynamicSupervisor<F, A> {
    /// Starts terminating the running children `pids` (in table order).
    pub(crate) fn begin_termination(&mut self, now: Instant, pids: Vec<Pid>, purpose: Purpose) {
        let mut awaiting = Awaiting::default();
        let mut groups = BTreeSet::new();
        let mut head_start = Vec::new();
        // The effects of this pass before `marked` are the signals already given a head start.
        let mut marked = self.effects.len();
        for pid in pids {
            let Some(child) = self.children.get(pid) else {
                continue;
            };
            let (shutdown, restart) = (child.spec.shutdown(), child.spec.restart());
            // A child whose exit is already queued is gone: consume that exit so that it is
            // never restarted, and signal nothing.
            let queued = self
                .mailbox
                .iter()
                .position(|m| matches!(m, Message::Exit { pid: p, .. } if *p == pid));
            // A planted defect forgets the exits already queued.
            #[cfg(feature = "planted-defects")]
            let queued = queued.filter(|_| {
                !self.planted(crate::supervisor::defect::CoreDefect::QueuedExitOverlooked)
            });
            if let Some(index) = queued {
                if let Some(Message::Exit { reason, .. }) = self.mailbox.remove(index) {
                    self.note_down(pid, shutdown, restart, &reason);
                }
                for effect in self.effects.range(marked..) {
                    if let Effect::Shutdown { pid } = effect {
                        head_start.push(*pid);
                    }
                }
                marked = self.effects.len();
                continue;
            }
            match shutdown {
                Shutdown::BrutalKill => self.effects.push_back(Effect::Kill { pid }),
                Shutdown::Timeout { millis } => {
                    groups.insert(millis);
                    self.effects.push_back(Effect::Shutdown { pid });
                }
                Shutdown::Infinity => self.effects.push_back(Effect::Shutdown { pid }),
            }
            awaiting.insert(pid, (shutdown, restart));
        }
        let timers = groups
            .into_iter()
            .map(|millis| KillTimer {
                millis,
                deadline: now.saturating_add_millis(millis),
            })
            .collect();
        #[cfg(feature = "planted-defects")]
        let timers = if self.planted(crate::supervisor::defect::CoreDefect::EarlyKill) {
            Self::planted_early_kills(now, timers)
        } else {
            timers
        };
        self.phase = Phase::Terminating(Termination {
            purpose,
            awaiting,
            timers,
            head_start: HeadStart(head_start),
        });
        self.finish_termination_if_done(now);
    }

    /// A planted defect: every kill timer fires at half the child's shutdown timeout.
    #[cfg(feature = "planted-defects")]
    fn planted_early_kills(now: Instant, mut timers: Vec<KillTimer>) -> Vec<KillTimer> {
        // Assigned, not rebuilt with `..timer`: cargo-mutants' --exclude-re does not reach a
        // struct expression's field mutants, and this is not core code (scripts/mutants.sh).
        for timer in &mut timers {
            timer.deadline = now.saturating_add_millis(timer.millis / 2);
        }
        timers
    }

    fn note_down(&mut self, pid: Pid, shutdown: Shutdown, restart: Restart, reason: &ExitReason) {
        if !ended_cleanly(shutdown, restart, reason) {
            self.events.push_back(Event::ShutdownError {
                pid,
                reason: reason.clone(),
            });
        }
    }

    /// A child's down arrived during a termination. Returns `false` when the termination does
    /// not wait for that child (the exit then goes to the mailbox).
    pub(crate) fn termination_down(&mut self, now: Instant, pid: Pid, reason: &ExitReason) -> bool {
        let Phase::Terminating(termination) = &mut self.phase else {
            return false;
        };
        let Some((shutdown, restart)) = termination.awaiting.remove(pid) else {
            return false;
        };
        // Only awaited children keep a head start (so a renaming never meets a stale pid).
        termination.head_start.0.retain(|&started| started != pid);
        self.note_down(pid, shutdown, restart, reason);
        self.finish_termination_if_done(now);
        true
    }

    /// Fires every kill timer due at `now`: each child of that group still awaited is killed.
    pub(crate) fn fire_kill_timers(&mut self, now: Instant) {
        let Phase::Terminating(termination) = &mut self.phase else {
            return;
        };
        // In place, in the timers' order: a timer due kills its group and goes.
        let (awaiting, effects) = (&termination.awaiting, &mut self.effects);
        termination.timers.retain(|timer| {
            if timer.deadline > now {
                return true;
            }
            for (pid, (shutdown, _)) in awaiting.iter() {
                if shutdown == Shutdown::millis(timer.millis) {
                    effects.push_back(Effect::Kill { pid });
                }
            }
            false
        });
    }

    fn finish_termination_if_done(&mut self, now: Instant) {
        let done = matches!(&self.phase, Phase::Terminating(t) if t.awaiting.is_empty());
        if !done {
            return;
        }
        let Phase::Terminating(termination) = std::mem::replace(&mut self.phase, Phase::Ready)
        else {
            return;
        };
        match termination.purpose {
            Purpose::Child { call, pid } => {
                self.children.remove(pid);
                self.events.push_back(Event::ChildTerminated { pid });
                self.reply(call, Reply::TerminateChild(Ok(())));
                self.run(now);
            }
            Purpose::Supervisor { reason, reply_to } => {
                self.children.clear();
                if let Some(call) = reply_to {
                    self.reply(call, Reply::Stopped);
                }
                self.events.push_back(Event::SupervisorDown {
                    reason: reason.clone(),
                });
                self.effects.push_back(Effect::Exit {
                    reason: reason.clone(),
                });
                // Calls still queued find the process gone. The mailbox keeps its buffer.
                let mut mailbox = std::mem::take(&mut self.mailbox);
                for message in mailbox.drain(..) {
                    if let Message::Call { call, .. } = message {
                        self.reply(call, Reply::NoProc);
                    }
                }
                self.mailbox = mailbox;
                self.phase = Phase::Down(reason);
            }
        }
    }
}
