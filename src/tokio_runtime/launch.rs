//! Starting a tokio supervisor of either core, as a root (its caller awaits the start-up) or
//! as the child of another (its parent waits): the one place that makes a driver and its task.

use std::sync::Arc;

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::sync::{oneshot, watch};

use crate::driver::{Core, Host, Spawner};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::runtime::core_seed::CoreSeed;
use crate::runtime::{
    already_started, Registry, RootError, RuntimeCore, SendWorker, StartUp, StartUpWaiter,
};
use crate::tokio_runtime::child::{ChildNote, CleanupTime};
use crate::tokio_runtime::clock::Clock;
use crate::tokio_runtime::driver::{Driver, Input, Observer, Parts, Status};
use crate::tokio_runtime::link::Link;
use crate::tokio_runtime::tree::{ChildSupervisor, SubtreeControl, SupervisorChildren, TreeLink};
use crate::worker::{Init, Worker};

/// The optional settings of a tokio supervisor about to start, whichever its core.
pub(crate) struct Settings<C: RuntimeCore, W: Worker + ?Sized> {
    pub(crate) observer: Option<Observer<C::Event>>,
    pub(crate) cleanup: Option<CleanupTime<W>>,
    pub(crate) name: Option<String>,
    pub(crate) registry: Option<Registry>,
    pub(crate) supervisors: Option<SupervisorChildren<C::Function, C::Arg>>,
}

impl<C: RuntimeCore, W: Worker + ?Sized> Default for Settings<C, W> {
    fn default() -> Self {
        Settings {
            observer: None,
            cleanup: None,
            name: None,
            registry: None,
            supervisors: None,
        }
    }
}

/// A handle type made from a link (the dynamic or the static one).
pub(crate) type Wrap<C, W, H> = fn(Arc<Link<C, W>>) -> H;

/// How a parent signals a child supervisor: through its mailbox.
struct MailboxControl<C: RuntimeCore, W: SendWorker + ?Sized> {
    mailbox: UnboundedSender<Input<C, W>>,
}

impl<C: RuntimeCore, W: SendWorker + ?Sized> SubtreeControl for MailboxControl<C, W> {
    fn signal(&self, reason: ExitReason) {
        // The child supervisor may have just exited: its exit is in the parent's mailbox.
        let _ = self.mailbox.send(Input::ParentExit(reason));
    }

    fn kill(&self) {
        // Likewise: a child supervisor that has just exited has nothing left to kill.
        let _ = self.mailbox.send(Input::Killed);
    }
}

/// A new link (unlinked), the mailbox's receiving end and the status's sending end.
type NewLink<C, W> = (
    Link<C, W>,
    UnboundedReceiver<Input<C, W>>,
    watch::Sender<Status>,
);

/// A new link (unlinked) on `clock`, the mailbox's receiving end and the status's sending end.
fn new_link<C: RuntimeCore, W: SendWorker + ?Sized>(
    clock: Clock,
    registry: Registry,
    pid: Option<Pid>,
) -> NewLink<C, W> {
    let (mailbox_sender, mailbox) = unbounded_channel();
    let (status, status_receiver) = watch::channel(None);
    let link = Link {
        mailbox: mailbox_sender,
        clock,
        status: status_receiver,
        registry,
        pid,
        linked: false,
    };
    (link, mailbox, status)
}

/// Registers `name` (if any) for `pid` with the handle `wrap` makes.
fn register<C, W, H>(
    link: &Link<C, W>,
    name: Option<String>,
    wrap: Wrap<C, W, H>,
) -> Result<Option<(String, Pid)>, Pid>
where
    C: RuntimeCore,
    W: SendWorker + ?Sized,
    H: Send + Sync + 'static,
{
    match (name, link.pid) {
        (Some(name), Some(pid)) => {
            link.registry
                .register(&name, pid, wrap(Arc::new(link.unlinked())))?;
            Ok(Some((name, pid)))
        }
        _ => Ok(None),
    }
}

/// The parts of the driver of `core` behind `link`.
struct Start<C: RuntimeCore, S: Spawner<C::Function, C::Arg>> {
    core: C,
    spawner: S,
    settings: Settings<C, S::Worker>,
    name: Option<(String, Pid)>,
    start_up: StartUpWaiter<C::StartUpError>,
    on_exit: Option<Box<dyn FnOnce(ExitReason) + Send>>,
}

/// Spawns the driver task of `start` behind `link`.
fn spawn<C, S>(
    start: Start<C, S>,
    link: &Link<C, S::Worker>,
    mailbox: UnboundedReceiver<Input<C, S::Worker>>,
    status: watch::Sender<Status>,
) where
    C: RuntimeCore,
    S: Spawner<C::Function, C::Arg> + Send + 'static,
    S::Worker: SendWorker,
{
    let driver = Driver::new(Parts {
        host: Host::with_pids(start.core, link.registry.pids().clone()),
        spawner: start.spawner,
        supervisors: start.settings.supervisors,
        clock: link.clock,
        mailbox,
        mailbox_sender: link.mailbox.clone(),
        observer: start.settings.observer,
        cleanup: start.settings.cleanup,
        status,
        registry: link.registry.clone(),
        name: start.name,
        start_up: start.start_up,
        on_exit: start.on_exit,
    });
    tokio::spawn(driver.run());
}

/// Starts a root made from `seed`, validated first (nothing starts if it is invalid), and
/// awaits its start-up; its handle (made by `wrap`) is the supervisor's link to its caller.
pub(crate) async fn launch_root<P, S, H>(
    seed: P,
    spawner: S,
    settings: Settings<P::Core, S::Worker>,
    wrap: Wrap<P::Core, S::Worker, H>,
) -> Result<H, P::Error>
where
    P: CoreSeed,
    S: Spawner<<P::Core as Core>::Function, <P::Core as Core>::Arg> + Send + 'static,
    S::Worker: SendWorker,
    H: Send + Sync + 'static,
{
    let core = seed.root_core()?;
    Ok(start_root(core, spawner, settings, wrap).await?)
}

/// A supervisor made from `seed` as the child of another: validated when its parent starts
/// it (invalid makings fail that start).
pub(crate) fn child_supervisor<P, S, H>(
    seed: P,
    spawner: S,
    settings: Settings<P::Core, S::Worker>,
    wrap: Wrap<P::Core, S::Worker, H>,
) -> ChildSupervisor
where
    P: CoreSeed,
    S: Spawner<<P::Core as Core>::Function, <P::Core as Core>::Arg> + Send + 'static,
    S::Worker: SendWorker,
    H: Send + Sync + 'static,
{
    ChildSupervisor::new(move |tree| start_child(seed.child_core()?, spawner, settings, wrap, tree))
}

/// Starts `core` as a root on the current tokio runtime and awaits its start-up; its handle
/// (made by `wrap`) is the supervisor's link to its caller.
async fn start_root<C, S, H>(
    core: C,
    spawner: S,
    mut settings: Settings<C, S::Worker>,
    wrap: Wrap<C, S::Worker, H>,
) -> Result<H, RootError<C::StartUpError>>
where
    C: RuntimeCore,
    S: Spawner<C::Function, C::Arg> + Send + 'static,
    S::Worker: SendWorker,
    H: Send + Sync + 'static,
{
    let registry = settings.registry.take().unwrap_or_default();
    let name = settings.name.take();
    let pid = name.as_ref().map(|_| registry.pids().next());
    // A root starts the tree's clock.
    let (mut link, mailbox, status) = new_link(Clock::start(), registry, pid);
    let name = register(&link, name, wrap).map_err(RootError::AlreadyStarted)?;
    // A core without a start-up is started as soon as its task runs: nothing to await.
    let has_start_up = core.has_start_up();
    let (answer, start_up) = oneshot::channel::<StartUp<C::StartUpError>>();
    let waiter: StartUpWaiter<C::StartUpError> = Box::new(move |outcome| {
        // The caller awaits this in `start_link`.
        let _ = answer.send(outcome);
    });
    let start = Start {
        core,
        spawner,
        settings,
        name,
        start_up: waiter,
        on_exit: None,
    };
    spawn(start, &link, mailbox, status);
    if !has_start_up {
        link.linked = true;
        return Ok(wrap(Arc::new(link)));
    }
    let outcome = start_up
        .await
        .unwrap_or_else(|_| StartUp::Exited(ExitReason::other("driver_panic")));
    match outcome {
        StartUp::Done => {
            link.linked = true;
            Ok(wrap(Arc::new(link)))
        }
        StartUp::Failed(error) => {
            link.wait_exit_until(None).await;
            Err(RootError::StartUp(error))
        }
        StartUp::Exited(reason) => {
            link.wait_exit_until(None).await;
            Err(RootError::Exited(reason))
        }
    }
}

/// Starts `core` as a child supervisor in its place `tree`; its start-up's answer and, after a
/// successful one, its exit go to the parent as the child's notes.
fn start_child<C, S, H>(
    core: C,
    spawner: S,
    mut settings: Settings<C, S::Worker>,
    wrap: Wrap<C, S::Worker, H>,
    tree: TreeLink,
) -> Result<Box<dyn SubtreeControl>, ExitReason>
where
    C: RuntimeCore,
    S: Spawner<C::Function, C::Arg> + Send + 'static,
    S::Worker: SendWorker,
    H: Send + Sync + 'static,
{
    let pid = tree.pid;
    let (link, mailbox, status) = new_link(tree.clock, tree.registry, Some(pid));
    let name = register(&link, settings.name.take(), wrap).map_err(already_started)?;
    let notify = tree.notify;
    let on_start_up = notify.clone();
    let waiter: StartUpWaiter<C::StartUpError> = Box::new(move |outcome| {
        let init = match outcome {
            StartUp::Done => Init::Ok,
            StartUp::Failed(error) => Init::Stop(C::start_up_reason(&error)),
            StartUp::Exited(reason) => Init::Stop(reason),
        };
        on_start_up(ChildNote::Started { pid, init });
    });
    let on_exit: Box<dyn FnOnce(ExitReason) + Send> =
        Box::new(move |reason| notify(ChildNote::Exited { pid, reason }));
    let control = MailboxControl {
        mailbox: link.mailbox.clone(),
    };
    let start = Start {
        core,
        spawner,
        settings,
        name,
        start_up: waiter,
        on_exit: Some(on_exit),
    };
    spawn(start, &link, mailbox, status);
    Ok(Box::new(control))
}
