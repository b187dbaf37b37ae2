//! Elixir 1.14's `PartitionSupervisor` for DynamicSupervisors: N independent supervisors
//! behind one handle, each child routed to one of them by a key.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use crate::call_error::CallError;
use crate::child_spec::ChildSpec;
use crate::driver::Spawner;
use crate::error::ConfigError;
use crate::exit_reason::ExitReason;
use crate::options::Options;
use crate::pid::Pid;
use crate::runtime::{
    NoProc, SendWorker, StartChildError, StartLinkError, StopError, TerminateChildError,
};
use crate::supervisor::output::{ChildCounts, ChildInfo, Started};
use crate::tokio_runtime::handle::Supervisor;
use crate::worker::Worker;

/// A child of a [`PartitionSupervisor`]: its partition and its pid there.
///
/// Every partition numbers its own children from 1, so a bare [`Pid`] is ambiguous across
/// partitions; the pair is not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartitionPid {
    /// The partition's index, `0..partitions()`.
    pub partition: usize,
    /// The child's pid in that partition.
    pub pid: Pid,
}

/// What [`PartitionSupervisor::start_child`] answers when the start function did not fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartitionStarted {
    /// The child runs, in `pid.partition`.
    Running {
        /// The new child.
        pid: PartitionPid,
        /// The extra info of `{:ok, pid, info}`, if any.
        info: Option<String>,
    },
    /// `:ignore`: the start function declined; nothing is stored.
    Ignored {
        /// The partition the key routed to.
        partition: usize,
    },
}

impl PartitionStarted {
    /// The child, when it runs.
    pub fn pid(&self) -> Option<PartitionPid> {
        match self {
            PartitionStarted::Running { pid, .. } => Some(*pid),
            PartitionStarted::Ignored { .. } => None,
        }
    }
}

/// Why [`PartitionSupervisor::start_link`] started nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PartitionStartError {
    /// `partitions` was 0 (Elixir: `:partitions` must be a positive integer).
    NoPartitions,
    /// The options are invalid (checked once, before any partition starts).
    Config(ConfigError),
    /// A partition did not start; the ones started before it have been shut down.
    Partition {
        /// Its index.
        partition: usize,
        /// Why.
        error: StartLinkError,
    },
}

impl fmt::Display for PartitionStartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartitionStartError::NoPartitions => {
                f.write_str("a partition supervisor needs at least one partition")
            }
            PartitionStartError::Config(err) => write!(f, "{err}"),
            PartitionStartError::Partition { partition, error } => {
                write!(f, "partition {partition} did not start: {error}")
            }
        }
    }
}

impl std::error::Error for PartitionStartError {}

/// FNV-1a, 64 bits: a hasher with no random keys, so that routing is the same in every
/// process and every Rust release (the standard `DefaultHasher` promises neither).
struct Fnv1a(u64);

impl Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// The partition of `key` among `partitions` (> 0): FNV-1a of its [`Hash`], modulo.
fn route<K: Hash + ?Sized>(key: &K, partitions: usize) -> usize {
    let mut hasher = Fnv1a(0xcbf2_9ce4_8422_2325);
    key.hash(&mut hasher);
    // The remainder is below `partitions`, so it fits a usize.
    (hasher.finish() % partitions as u64) as usize
}

/// Elixir 1.14's `PartitionSupervisor` of DynamicSupervisors, on the tokio runtime: N
/// independent [`Supervisor`]s (the partitions) behind one cloneable handle.
///
/// Each partition is a supervisor of its own, with its own task, mailbox, restart intensity,
/// `max_children` (the options apply **per partition**) and pid numbering. Spreading the
/// children over partitions spreads the load on the supervisor's mailbox, which serializes
/// every `start_child`.
///
/// * **Routing.** [`start_child`](Self::start_child) takes a key and starts the child in
///   partition `fnv1a(key) % partitions` ([`partition_for`](Self::partition_for)), like
///   `{:via, PartitionSupervisor, {name, key}}` with `:erlang.phash2(key, partitions)`. The
///   hash is deterministic: the same key lands in the same partition in every run and every
///   process (for keys whose [`Hash`] does not depend on the platform's integer width, e.g.
///   strings and fixed-width integers).
/// * **Pids.** A child is named by a [`PartitionPid`] (partition and pid), which
///   `start_child` returns and [`terminate_child`](Self::terminate_child),
///   [`send`](Self::send), [`call`](Self::call) and [`kill`](Self::kill) take.
/// * **Aggregates.** [`which_children`](Self::which_children) and
///   [`count_children`](Self::count_children) gather every partition's answer;
///   [`stop`](Self::stop) stops every partition. [`partition`](Self::partition) gives one
///   partition's [`Supervisor`] for anything else.
/// * **Link.** Dropping the last clone of the handle drops every partition's handle: each
///   partition sees its parent exit with `shutdown`.
///
/// # Example
///
/// ```
/// use dynsup::tokio_runtime::{PartitionStarted, PartitionSupervisor};
/// use dynsup::{BoxedWorker, ChildCounts, ChildSpec, Context, ExitReason, Init, Options, Worker};
///
/// struct Session;
/// impl Worker for Session {
///     type Message = ();
///     type Call = ();
///     type Reply = ();
///     fn init(&mut self, _ctx: &mut Context<()>) -> Init {
///         Init::Ok
///     }
/// }
///
/// let runtime = tokio::runtime::Builder::new_current_thread()
///     .enable_time()
///     .start_paused(true)
///     .build()
///     .unwrap();
/// runtime.block_on(async {
///     // One spawner per partition; this one ignores its index.
///     let sessions = PartitionSupervisor::start_link(4, Options::default(), |_partition| {
///         |_: &&str, _: &[()]| -> BoxedWorker<(), (), ()> { Box::new(Session) }
///     })
///     .await
///     .unwrap();
///     assert_eq!(sessions.partitions(), 4);
///
///     // The key picks the partition, the same one every time.
///     let started = sessions
///         .start_child(&"user-42", ChildSpec::new("session", vec![]))
///         .await
///         .unwrap();
///     let PartitionStarted::Running { pid, .. } = started else { panic!() };
///     assert_eq!(pid.partition, sessions.partition_for(&"user-42"));
///     assert!(sessions.send(pid, ()).await);
///
///     for user in 0..100u32 {
///         sessions
///             .start_child(&user, ChildSpec::new("session", vec![]))
///             .await
///             .unwrap();
///     }
///     let counts = sessions.count_children().await.unwrap();
///     assert_eq!(counts, ChildCounts { specs: 101, active: 101, supervisors: 0, workers: 101 });
///     assert_eq!(sessions.which_children().await.unwrap().len(), 101);
///
///     sessions.terminate_child(pid).await.unwrap();
///     sessions.stop(ExitReason::Shutdown, None).await.unwrap();
///     assert!((0..4).all(|i| !sessions.partition(i).unwrap().is_alive()));
/// });
/// ```
pub struct PartitionSupervisor<F, A, W: Worker + ?Sized>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
{
    partitions: Arc<[Supervisor<F, A, W>]>,
}

impl<F, A, W: Worker + ?Sized> Clone for PartitionSupervisor<F, A, W>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
{
    fn clone(&self) -> Self {
        PartitionSupervisor {
            partitions: Arc::clone(&self.partitions),
        }
    }
}

impl<F, A, W: Worker + ?Sized> fmt::Debug for PartitionSupervisor<F, A, W>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartitionSupervisor")
            .field("partitions", &self.partitions.len())
            .finish_non_exhaustive()
    }
}

impl<F, A, W: Worker + ?Sized> PartitionSupervisor<F, A, W>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
{
    /// How many partitions there are (≥ 1).
    pub fn partitions(&self) -> usize {
        self.partitions.len()
    }

    /// Partition `index`'s supervisor, or `None` past the last partition.
    pub fn partition(&self, index: usize) -> Option<&Supervisor<F, A, W>> {
        self.partitions.get(index)
    }

    /// The partition `key` routes to: FNV-1a of its [`Hash`] modulo
    /// [`partitions`](Self::partitions). Deterministic (no random keys).
    pub fn partition_for<K: Hash + ?Sized>(&self, key: &K) -> usize {
        route(key, self.partitions.len())
    }

    /// Whether every partition is alive.
    pub fn is_alive(&self) -> bool {
        self.partitions.iter().all(Supervisor::is_alive)
    }
}

impl<F, A, W> PartitionSupervisor<F, A, W>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
    W: SendWorker + ?Sized,
{
    /// `PartitionSupervisor.start_link(child_spec: DynamicSupervisor, partitions: n)`: checks
    /// `partitions` (> 0) and `options` once, then starts `partitions` supervisors with those
    /// options on the current tokio runtime, partition `i` with spawner `make_spawner(i)`
    /// (Elixir's `:with_arguments` hook: the spawner may use its partition's index).
    pub async fn start_link<S>(
        partitions: usize,
        options: Options<A>,
        mut make_spawner: impl FnMut(usize) -> S,
    ) -> Result<Self, PartitionStartError>
    where
        S: Spawner<F, A, Worker = W> + Send + 'static,
    {
        if partitions == 0 {
            return Err(PartitionStartError::NoPartitions);
        }
        options
            .clone()
            .validate()
            .map_err(PartitionStartError::Config)?;
        let mut started = Vec::with_capacity(partitions);
        for partition in 0..partitions {
            // On an error, the partitions started so far are dropped, which shuts them down.
            let sup = Supervisor::start_link(options.clone(), make_spawner(partition))
                .await
                .map_err(|error| PartitionStartError::Partition { partition, error })?;
            started.push(sup);
        }
        Ok(PartitionSupervisor {
            partitions: started.into(),
        })
    }

    /// Starts a child in the partition `key` routes to ([`partition_for`](Self::partition_for)),
    /// with that partition's [`Supervisor::start_child`].
    pub async fn start_child<K: Hash + ?Sized>(
        &self,
        key: &K,
        spec: ChildSpec<F, A>,
    ) -> Result<PartitionStarted, StartChildError> {
        let partition = self.partition_for(key);
        match self.partitions[partition].start_child(spec).await? {
            Started::Running { pid, info } => Ok(PartitionStarted::Running {
                pid: PartitionPid { partition, pid },
                info,
            }),
            Started::Ignored => Ok(PartitionStarted::Ignored { partition }),
        }
    }

    /// [`Supervisor::terminate_child`] in `pid.partition`; `NotFound` for a partition index
    /// past the last one.
    pub async fn terminate_child(&self, pid: PartitionPid) -> Result<(), TerminateChildError> {
        match self.partitions.get(pid.partition) {
            Some(sup) => sup.terminate_child(pid.pid).await,
            None => Err(TerminateChildError::NotFound),
        }
    }

    /// Every partition's [`Supervisor::which_children`], in partition order, each row with
    /// its partition's index. [`NoProc`] when any partition has exited.
    pub async fn which_children(&self) -> Result<Vec<(usize, ChildInfo)>, NoProc> {
        let mut rows = Vec::new();
        for (partition, sup) in self.partitions.iter().enumerate() {
            rows.extend(
                sup.which_children()
                    .await?
                    .into_iter()
                    .map(|info| (partition, info)),
            );
        }
        Ok(rows)
    }

    /// The sums of every partition's [`Supervisor::count_children`]. [`NoProc`] when any
    /// partition has exited.
    pub async fn count_children(&self) -> Result<ChildCounts, NoProc> {
        let mut total = ChildCounts::default();
        for sup in self.partitions.iter() {
            let counts = sup.count_children().await?;
            total.specs += counts.specs;
            total.active += counts.active;
            total.supervisors += counts.supervisors;
            total.workers += counts.workers;
        }
        Ok(total)
    }

    /// Stops every partition with `reason` (each as [`Supervisor::stop`]), all at once, and
    /// returns when all have exited or `timeout` (shared by all) has passed. Every partition
    /// is asked even if one fails; the first error in partition order is returned
    /// ([`StopError::NoProc`] when a partition had already exited).
    pub async fn stop(
        &self,
        reason: ExitReason,
        timeout: Option<Duration>,
    ) -> Result<(), StopError> {
        let mut stops = tokio::task::JoinSet::new();
        for (partition, sup) in self.partitions.iter().enumerate() {
            let sup = sup.clone();
            let reason = reason.clone();
            stops.spawn(async move { (partition, sup.stop(reason, timeout).await) });
        }
        let mut first: Option<(usize, StopError)> = None;
        while let Some(joined) = stops.join_next().await {
            let (partition, result) = match joined {
                Ok(done) => done,
                Err(err) => std::panic::resume_unwind(err.into_panic()),
            };
            if let Err(err) = result {
                if first
                    .as_ref()
                    .is_none_or(|(earlier, _)| partition < *earlier)
                {
                    first = Some((partition, err));
                }
            }
        }
        match first {
            Some((_, err)) => Err(err),
            None => Ok(()),
        }
    }

    /// [`Supervisor::send`] to `pid.partition`; `false` for a partition index past the last.
    pub async fn send(&self, pid: PartitionPid, message: W::Message) -> bool {
        match self.partitions.get(pid.partition) {
            Some(sup) => sup.send(pid.pid, message).await,
            None => false,
        }
    }

    /// [`Supervisor::call`] in `pid.partition`; [`CallError::NoProc`] for a partition index
    /// past the last.
    pub async fn call(
        &self,
        pid: PartitionPid,
        request: W::Call,
        timeout: Option<Duration>,
    ) -> Result<W::Reply, CallError> {
        match self.partitions.get(pid.partition) {
            Some(sup) => sup.call(pid.pid, request, timeout).await,
            None => Err(CallError::NoProc),
        }
    }

    /// [`Supervisor::kill`] in `pid.partition`; `false` for a partition index past the last.
    pub async fn kill(&self, pid: PartitionPid) -> bool {
        match self.partitions.get(pid.partition) {
            Some(sup) => sup.kill(pid.pid).await,
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::route;

    #[test]
    fn routing_is_fixed_fnv1a() {
        // FNV-1a of "a" followed by str's 0xff terminator: a fixed value, whatever the run.
        assert_eq!(route("a", 1), 0);
        let spread: Vec<usize> = (0u32..8).map(|key| route(&key, 4)).collect();
        assert_eq!(
            spread,
            (0u32..8).map(|key| route(&key, 4)).collect::<Vec<_>>()
        );
    }
}
