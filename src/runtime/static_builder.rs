//! Starting a static supervisor: validate the flags and specs in the caller, then start its
//! driver thread and wait for its start-up, as a root or as the child of another supervisor.

use std::fmt;

use crate::driver::Spawner;
use crate::driver::StaticReport;
use crate::runtime::core_seed::StaticSeed;
use crate::runtime::launch::{child_supervisor, launch_root, Settings};
use crate::runtime::registry::Registry;
use crate::runtime::report::Report;
use crate::runtime::send_worker::SendWorker;
use crate::runtime::static_error::StaticStartError;
use crate::runtime::static_handle::StaticSupervisor;
use crate::runtime::tree::ChildSupervisor;
use crate::static_supervisor::{Flags, StaticChildSpec, Supervisor};

/// A static supervisor about to start, with optional settings;
/// [`StaticSupervisor::start_link`] is the short form without them.
///
/// ```
/// use dynsup::runtime::{BoxedWorker, Report, StaticStartError, StaticSupervisor};
/// use dynsup::static_supervisor::{Flags, StaticChildSpec};
/// use dynsup::{ChildSpec, Context, ExitReason, Init, Worker};
///
/// struct Picky;
/// impl Worker for Picky {
///     type Message = ();
///     type Call = ();
///     type Reply = ();
///     fn init(&mut self, _ctx: &mut Context<()>) -> Init {
///         Init::Stop(ExitReason::other("no_config"))
///     }
/// }
/// let spawner = |_: &&str, _: &[()]| -> BoxedWorker<()> { Box::new(Picky) };
/// let children = vec![StaticChildSpec::new("config", ChildSpec::new("config", vec![]))];
/// let started = StaticSupervisor::builder(Flags::default(), children, spawner)
///     .observer(|report: &Report<_>| eprintln!("{report:?}"))
///     .start_link();
/// let Err(StaticStartError::FailedToStartChild(failed)) = started else { panic!() };
/// assert_eq!((failed.id, failed.reason), ("config", ExitReason::other("no_config")));
/// ```
pub struct StaticBuilder<I, F, A, S>
where
    I: Clone + Eq + fmt::Debug + Send + 'static,
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
{
    seed: StaticSeed<I, F, A>,
    spawner: S,
    settings: Settings<Supervisor<I, F, A>>,
}

impl<I, F, A, S> StaticBuilder<I, F, A, S>
where
    I: Clone + Eq + fmt::Debug + Send + 'static,
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
    S: Spawner<F, A> + Send + 'static,
    S::Worker: SendWorker,
{
    /// A static supervisor with these flags and children, whose workers `spawner` makes.
    pub fn new(flags: Flags, children: Vec<StaticChildSpec<I, F, A>>, spawner: S) -> Self {
        StaticBuilder {
            seed: StaticSeed::new(flags, children),
            spawner,
            settings: Settings::default(),
        }
    }

    /// Calls `observer` with every [`Report`] on the driver thread (see
    /// [`Builder::observer`](crate::runtime::Builder::observer)); the core's events come as
    /// [`StaticReport`]s.
    pub fn observer(
        mut self,
        observer: impl FnMut(&Report<StaticReport<I>>) + Send + 'static,
    ) -> Self {
        self.settings.observer = Some(Box::new(observer));
        self
    }

    /// At most `limit` threads at once in its tree (see
    /// [`Builder::thread_limit`](crate::runtime::Builder::thread_limit)).
    pub fn thread_limit(mut self, limit: usize) -> Self {
        self.settings.thread_limit = Some(limit.max(1));
        self
    }

    /// Registers the supervisor under `name` (see
    /// [`Builder::name`](crate::runtime::Builder::name)).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.settings.name = Some(name.into());
        self
    }

    /// Starts a root in `registry`'s runtime instance (see
    /// [`Builder::registry`](crate::runtime::Builder::registry)).
    pub fn registry(mut self, registry: &Registry) -> Self {
        self.settings.registry = Some(registry.clone());
        self
    }

    /// Which starts are child supervisors (see
    /// [`Builder::supervisors`](crate::runtime::Builder::supervisors)).
    pub fn supervisors(
        mut self,
        supervisors: impl FnMut(&F, &[A]) -> Option<ChildSupervisor> + Send + 'static,
    ) -> Self {
        self.settings.supervisors = Some(Box::new(supervisors));
        self
    }

    /// Validates the flags and specs (nothing starts if one is invalid), starts the driver
    /// thread, and returns once every child has started in order.
    ///
    /// # Errors
    ///
    /// [`StaticStartError`].
    pub fn start_link(self) -> Result<StaticSupervisor<I, F, A, S::Worker>, StaticStartError<I>> {
        launch_root(
            self.seed,
            self.spawner,
            self.settings,
            StaticSupervisor::from_link,
        )
    }

    /// This supervisor as the child of another (see [`ChildSupervisor`]). Its start is its
    /// start-up: it succeeds once every child runs, and fails with the reason
    /// `shutdown:failed_to_start_child:..` when one fails (`start_spec` or
    /// `supervisor_data` for invalid specs or flags).
    pub fn child(self) -> ChildSupervisor {
        child_supervisor(
            self.seed,
            self.spawner,
            self.settings,
            StaticSupervisor::from_link,
        )
    }
}
