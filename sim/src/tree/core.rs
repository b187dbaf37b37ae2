//! One supervisor process's core in the tree world: the static `Supervisor` or the
//! `DynamicSupervisor`, behind one set of inputs and outputs.

use dynsup::static_supervisor::{self, Flags, StaticChildSpec, Supervisor};
use dynsup::{
    CallId, ChildSpec, DriverError, DynamicSupervisor, ExitReason, Instant, MaxChildren, Options,
    Pid, StartOutcome,
};

use super::model::SupDecl;

/// The core of a static supervisor: child ids, start functions and both are node indexes.
pub type StaticCore = Supervisor<usize, usize, ()>;
/// The core of a dynamic supervisor: start functions are node indexes.
pub type DynamicCore = DynamicSupervisor<usize, ()>;

/// A supervisor's core.
#[derive(Debug)]
pub enum Core {
    /// Elixir's `Supervisor`.
    Static(Box<StaticCore>),
    /// Elixir's `DynamicSupervisor`.
    Dynamic(Box<DynamicCore>),
}

/// What a core asks the world to do, whichever its kind.
#[derive(Debug)]
pub enum CoreEffect {
    /// Start node `node` (a first start or a restart alike).
    Start {
        /// The node to start.
        node: usize,
    },
    /// Send the child the exit signal `shutdown`.
    Shutdown(Pid),
    /// Kill the child.
    Kill(Pid),
    /// Answer call `call`.
    Reply(CallId, CoreReply),
    /// A static supervisor's start-up ended: `Err((id, reason))` when child `id` failed.
    Initialized(Result<(), (usize, ExitReason)>),
    /// The supervisor exits.
    Exit(ExitReason),
}

/// A core's reply to a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CoreReply {
    /// A static supervisor's reply.
    Static(static_supervisor::Reply<usize>),
    /// A dynamic supervisor's reply.
    Dynamic(dynsup::Reply),
}

/// What a core reports, for the trace and the checkers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CoreNote {
    /// A restart was counted with this stamp (the static child's id when known).
    RestartCounted {
        /// The static child's node.
        node: Option<usize>,
        /// The whole-second stamp.
        second: u64,
    },
    /// A restart attempt failed (it will be retried).
    RestartFailed,
    /// A child started or restarted.
    Started,
    /// Restart intensity was exceeded: the supervisor gives up.
    IntensityExceeded,
}

/// The child spec of a node.
pub fn child_spec(
    node: usize,
    restart: dynsup::Restart,
    shutdown: dynsup::Shutdown,
    supervisor: bool,
    significant: bool,
) -> ChildSpec<usize, ()> {
    let child_type = if supervisor {
        dynsup::ChildType::Supervisor
    } else {
        dynsup::ChildType::Worker
    };
    ChildSpec::new(node, Vec::new())
        .restart(restart)
        .shutdown(shutdown)
        .child_type(child_type)
        .significant(significant)
}

/// The options of a dynamic supervisor declared by `decl`.
pub fn decl_options(decl: &SupDecl) -> Options<()> {
    let max_children = match decl.max_children {
        None => MaxChildren::Infinity,
        Some(n) => MaxChildren::Limit(i64::try_from(n).unwrap_or(i64::MAX)),
    };
    Options::<()>::default()
        .max_restarts(i64::try_from(decl.max_restarts).unwrap_or(i64::MAX))
        .max_seconds(i64::try_from(decl.max_seconds).unwrap_or(i64::MAX))
        .max_children(max_children)
}

/// The flags of a static supervisor declared by `decl`.
pub fn decl_flags(decl: &SupDecl) -> Flags {
    Flags::default()
        .strategy(decl.strategy)
        .max_restarts(i64::try_from(decl.max_restarts).unwrap_or(i64::MAX))
        .max_seconds(i64::try_from(decl.max_seconds).unwrap_or(i64::MAX))
        .auto_shutdown(decl.auto_shutdown)
}

impl Core {
    /// Starts a supervisor with `decl`; a static one begins with `children` (those not
    /// `later`). `Err` when OTP would refuse the flags or specs.
    pub fn start(
        now: Instant,
        decl: &SupDecl,
        children: Vec<StaticChildSpec<usize, usize, ()>>,
    ) -> Result<Core, String> {
        if decl.dynamic {
            let config = decl_options(decl).validate().map_err(|e| e.to_string())?;
            Ok(Core::Dynamic(Box::new(DynamicSupervisor::new(config))))
        } else {
            Supervisor::start(now, decl_flags(decl), children)
                .map(|core| Core::Static(Box::new(core)))
                .map_err(|e| e.to_string())
        }
    }

    /// Whether the process is alive.
    pub fn is_alive(&self) -> bool {
        match self {
            Core::Static(core) => core.view().is_alive(),
            Core::Dynamic(core) => core.view().is_alive(),
        }
    }

    /// Whether it is in the middle of something (start-up, a start, a termination).
    pub fn is_busy(&self) -> bool {
        match self {
            Core::Static(core) => core.view().is_busy(),
            Core::Dynamic(core) => core.view().is_blocked(),
        }
    }

    /// The outcome of the pending start.
    pub fn start_result(&mut self, now: Instant, outcome: StartOutcome) -> Result<(), DriverError> {
        match self {
            Core::Static(core) => core.handle_start_result(now, outcome),
            Core::Dynamic(core) => core.handle_start_result(now, outcome),
        }
    }

    /// A child's exit arrives.
    pub fn child_exit(
        &mut self,
        now: Instant,
        pid: Pid,
        reason: ExitReason,
    ) -> Result<(), DriverError> {
        match self {
            Core::Static(core) => core.handle_child_exit(now, pid, reason),
            Core::Dynamic(core) => core.handle_child_exit(now, pid, reason),
        }
    }

    /// The parent's exit arrives.
    pub fn parent_exit(&mut self, now: Instant, reason: ExitReason) -> Result<(), DriverError> {
        match self {
            Core::Static(core) => core.handle_parent_exit(now, reason),
            Core::Dynamic(core) => core.handle_parent_exit(now, reason),
        }
    }

    /// The kill deadline passed.
    pub fn timeout(&mut self, now: Instant) -> Result<(), DriverError> {
        match self {
            Core::Static(core) => core.handle_timeout(now),
            Core::Dynamic(core) => core.handle_timeout(now),
        }
    }

    /// The next kill deadline.
    pub fn deadline(&self) -> Option<Instant> {
        match self {
            Core::Static(core) => core.poll_timeout(),
            Core::Dynamic(core) => core.poll_timeout(),
        }
    }

    /// The next effect.
    pub fn poll_effect(&mut self) -> Option<CoreEffect> {
        use dynsup::static_supervisor::Effect as S;
        use dynsup::Effect as D;
        match self {
            Core::Static(core) => core.poll_effect().map(|effect| match effect {
                S::Start { id, .. } => CoreEffect::Start { node: id },
                S::Shutdown { pid } => CoreEffect::Shutdown(pid),
                S::Kill { pid } => CoreEffect::Kill(pid),
                S::Reply { call, reply } => CoreEffect::Reply(call, CoreReply::Static(reply)),
                S::Initialized(result) => {
                    CoreEffect::Initialized(result.map_err(|f| (f.id, f.reason)))
                }
                S::Exit { reason } => CoreEffect::Exit(reason),
            }),
            Core::Dynamic(core) => core.poll_effect().map(|effect| match effect {
                D::Start { function, .. } => CoreEffect::Start { node: function },
                D::Shutdown { pid } => CoreEffect::Shutdown(pid),
                D::Kill { pid } => CoreEffect::Kill(pid),
                D::Reply { call, reply } => CoreEffect::Reply(call, CoreReply::Dynamic(reply)),
                D::Exit { reason } => CoreEffect::Exit(reason),
            }),
        }
    }

    /// The next report, reduced to what the world and its checkers use (`Some(None)`: a
    /// report of no interest).
    pub fn poll_note(&mut self) -> Option<Option<CoreNote>> {
        use dynsup::static_supervisor::Event as S;
        use dynsup::Event as D;
        match self {
            Core::Static(core) => core.poll_event().map(|event| match event {
                S::RestartCounted { id, second } => Some(CoreNote::RestartCounted {
                    node: Some(id),
                    second,
                }),
                S::RestartFailed { .. } => Some(CoreNote::RestartFailed),
                S::ChildStarted { .. } => Some(CoreNote::Started),
                S::IntensityExceeded => Some(CoreNote::IntensityExceeded),
                _ => None,
            }),
            Core::Dynamic(core) => core.poll_event().map(|event| match event {
                D::RestartCounted { second, .. } => {
                    Some(CoreNote::RestartCounted { node: None, second })
                }
                D::RestartFailed { .. } => Some(CoreNote::RestartFailed),
                D::ChildStarted { .. } | D::ChildRestarted { .. } => Some(CoreNote::Started),
                D::IntensityExceeded => Some(CoreNote::IntensityExceeded),
                _ => None,
            }),
        }
    }
}
