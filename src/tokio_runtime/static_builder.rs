//! Starting a static supervisor on tokio: validate the flags and specs, then spawn its task
//! and await its start-up, as a root or as the child of another supervisor.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::driver::{Spawner, StaticReport};
use crate::pid::Pid;
use crate::runtime::core_seed::StaticSeed;
use crate::runtime::{Registry, Report, SendWorker, StaticStartError};
use crate::static_supervisor::{Flags, StaticChildSpec, Supervisor};
use crate::tokio_runtime::launch::{child_supervisor, launch_root, Settings};
use crate::tokio_runtime::static_handle::StaticSupervisor;
use crate::tokio_runtime::tree::ChildSupervisor;

/// A static supervisor about to start on tokio, with optional settings;
/// [`StaticSupervisor::start_link`] is the short form without them.
///
/// ```
/// use dynsup::runtime::BoxedWorker;
/// use dynsup::static_supervisor::{Flags, StaticChildSpec};
/// use dynsup::tokio_runtime::{Report, StaticStartError, StaticSupervisor};
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
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let children = vec![StaticChildSpec::new("config", ChildSpec::new("config", vec![]))];
/// let started = StaticSupervisor::builder(Flags::default(), children, spawner)
///     .observer(|report: &Report<_>| eprintln!("{report:?}"))
///     .start_link()
///     .await;
/// let Err(StaticStartError::FailedToStartChild(failed)) = started else { panic!() };
/// assert_eq!(failed.id, "config");
/// # });
/// ```
pub struct StaticBuilder<I, F, A, S: Spawner<F, A>>
where
    I: Clone + Eq + fmt::Debug + Send + 'static,
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
{
    seed: StaticSeed<I, F, A>,
    spawner: S,
    settings: Settings<Supervisor<I, F, A>, S::Worker>,
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

    /// Calls `observer` with every [`Report`] on the supervisor's task; the core's events come
    /// as [`StaticReport`]s.
    pub fn observer(
        mut self,
        observer: impl FnMut(&Report<StaticReport<I>>) + Send + 'static,
    ) -> Self {
        self.settings.observer = Some(Box::new(observer));
        self
    }

    /// How long a trapping worker's cleanup takes (see
    /// [`Builder::cleanup_time`](crate::tokio_runtime::Builder::cleanup_time)).
    pub fn cleanup_time(
        mut self,
        cleanup: impl Fn(Pid, &S::Worker) -> Option<Duration> + Send + Sync + 'static,
    ) -> Self {
        self.settings.cleanup = Some(Arc::new(cleanup));
        self
    }

    /// Registers the supervisor under `name` (see
    /// [`Builder::name`](crate::tokio_runtime::Builder::name)).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.settings.name = Some(name.into());
        self
    }

    /// Starts a root in `registry`'s runtime instance.
    pub fn registry(mut self, registry: &Registry) -> Self {
        self.settings.registry = Some(registry.clone());
        self
    }

    /// Which starts are child supervisors (see
    /// [`Builder::supervisors`](crate::tokio_runtime::Builder::supervisors)).
    pub fn supervisors(
        mut self,
        supervisors: impl FnMut(&F, &[A]) -> Option<ChildSupervisor> + Send + 'static,
    ) -> Self {
        self.settings.supervisors = Some(Box::new(supervisors));
        self
    }

    /// Validates the flags and specs (nothing starts if one is invalid), spawns the
    /// supervisor's task on the current tokio runtime, and returns once every child has
    /// started in order.
    ///
    /// # Errors
    ///
    /// [`StaticStartError`].
    pub async fn start_link(
        self,
    ) -> Result<StaticSupervisor<I, F, A, S::Worker>, StaticStartError<I>> {
        launch_root(
            self.seed,
            self.spawner,
            self.settings,
            StaticSupervisor::from_link,
        )
        .await
    }

    /// This supervisor as the child of another (see [`ChildSupervisor`]): its start is its
    /// start-up, failing with `shutdown:failed_to_start_child:..` when a child fails.
    pub fn child(self) -> ChildSupervisor {
        child_supervisor(
            self.seed,
            self.spawner,
            self.settings,
            StaticSupervisor::from_link,
        )
    }
}
