//! Starting a DynamicSupervisor on tokio: validate the options, then spawn its task, as a root
//! or as the child of another supervisor.

use std::sync::Arc;
use std::time::Duration;

use crate::driver::Spawner;
use crate::options::Options;
use crate::pid::Pid;
use crate::runtime::core_seed::DynamicSeed;
use crate::runtime::{Registry, Report, SendWorker, StartLinkError};
use crate::supervisor::DynamicSupervisor;
use crate::tokio_runtime::handle::Supervisor;
use crate::tokio_runtime::launch::{child_supervisor, launch_root, Settings};
use crate::tokio_runtime::tree::ChildSupervisor;

/// A supervisor about to start on tokio, with optional settings; [`Supervisor::start_link`]
/// is the short form without them.
pub struct Builder<F, A, S: Spawner<F, A>>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
{
    seed: DynamicSeed<F, A>,
    spawner: S,
    settings: Settings<DynamicSupervisor<F, A>, S::Worker>,
}

impl<F, A, S> Builder<F, A, S>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
    S: Spawner<F, A> + Send + 'static,
    S::Worker: SendWorker,
{
    /// A supervisor with these options, whose children `spawner` makes.
    pub fn new(options: Options<A>, spawner: S) -> Self {
        Builder {
            seed: DynamicSeed::new(options),
            spawner,
            settings: Settings::default(),
        }
    }

    /// Calls `observer` with every [`Report`], on the supervisor's task, as it happens. It
    /// should be quick and must not block: the supervisor waits for it. A panicking observer
    /// is removed.
    pub fn observer(mut self, observer: impl FnMut(&Report) + Send + 'static) -> Self {
        self.settings.observer = Some(Box::new(observer));
        self
    }

    /// How long a trapping worker's cleanup takes once its `terminate` has returned, on
    /// tokio's clock: the child exits with `shutdown` that long after (`None`: never by
    /// itself, only a kill ends it). By default it exits as soon as `terminate` returns.
    ///
    /// Callbacks are synchronous, so a cleanup that must *take time* without blocking a
    /// runtime thread is modelled by this setting (as the simulator's
    /// `Simulation::set_cleanup_time` does); the wait is an await point, so a kill (the
    /// shutdown timeout running out) interrupts it.
    pub fn cleanup_time(
        mut self,
        cleanup: impl Fn(Pid, &S::Worker) -> Option<Duration> + Send + Sync + 'static,
    ) -> Self {
        self.settings.cleanup = Some(Arc::new(cleanup));
        self
    }

    /// Registers the supervisor under `name` in its [`Registry`]: a start under a name in use
    /// fails with `already_started`; the name is freed when the supervisor ends.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.settings.name = Some(name.into());
        self
    }

    /// Starts a root in `registry`'s runtime instance (its names and its pids) instead of a
    /// registry of its own. A child supervisor always uses its parent's.
    pub fn registry(mut self, registry: &Registry) -> Self {
        self.settings.registry = Some(registry.clone());
        self
    }

    /// Which starts are child supervisors: asked first for every start (restarts included);
    /// its [`ChildSupervisor`] is started instead of a worker, `None` leaves the start to the
    /// spawner.
    pub fn supervisors(
        mut self,
        supervisors: impl FnMut(&F, &[A]) -> Option<ChildSupervisor> + Send + 'static,
    ) -> Self {
        self.settings.supervisors = Some(Box::new(supervisors));
        self
    }

    /// Validates the options (an invalid one is returned here, nothing is started), then
    /// spawns the supervisor's task on the current tokio runtime (it panics outside one, as
    /// `tokio::spawn` does). The supervisor's clock starts now, on tokio's clock.
    pub async fn start_link(self) -> Result<Supervisor<F, A, S::Worker>, StartLinkError> {
        launch_root(
            self.seed,
            self.spawner,
            self.settings,
            Supervisor::from_link,
        )
        .await
    }

    /// This supervisor as the child of another (see [`ChildSupervisor`]), in a task of its
    /// own with its parent's registry. Invalid options make that start fail with the reason
    /// `supervisor_data`.
    pub fn child(self) -> ChildSupervisor {
        child_supervisor(
            self.seed,
            self.spawner,
            self.settings,
            Supervisor::from_link,
        )
    }
}
