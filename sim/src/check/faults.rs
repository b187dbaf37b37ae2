//! The faults a check injects, and the swarm-style plan each seed draws: which kinds are on
//! for this seed, and how often they strike.

use std::fmt;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// One kind of fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    /// A live child crashes (exit reason `panic`, as a panicking worker's).
    Crash,
    /// A live child is killed from outside (exit reason `killed`).
    Kill,
    /// A live child exits with an abnormal reason of its own (`fault`).
    AbnormalExit,
    /// A live child exits with reason `shutdown` (not restarted unless permanent).
    ShutdownExit,
    /// A restart's `init` fails (`{:stop, :fault}`).
    FailingInit,
    /// A restart's `init` returns `:ignore` (the child is dropped).
    IgnoringInit,
    /// A trapping child's cleanup after `terminate` takes a while (up to 20 s of virtual time),
    /// so shutdown timeouts and kills come into play.
    SlowTermination,
    /// Deliveries due at the same instant arrive in a seeded order, where the BEAM's
    /// per-sender-receiver FIFO leaves it open.
    Reorder,
}

impl FaultKind {
    /// Every kind, in a fixed order.
    pub const ALL: [FaultKind; 8] = [
        FaultKind::Crash,
        FaultKind::Kill,
        FaultKind::AbnormalExit,
        FaultKind::ShutdownExit,
        FaultKind::FailingInit,
        FaultKind::IgnoringInit,
        FaultKind::SlowTermination,
        FaultKind::Reorder,
    ];

    /// The kinds that end a live child between two deliveries.
    pub const EXITS: [FaultKind; 4] = [
        FaultKind::Crash,
        FaultKind::Kill,
        FaultKind::AbnormalExit,
        FaultKind::ShutdownExit,
    ];

    /// Its name in replay files and reports.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Crash => "crash",
            FaultKind::Kill => "kill",
            FaultKind::AbnormalExit => "abnormal-exit",
            FaultKind::ShutdownExit => "shutdown-exit",
            FaultKind::FailingInit => "failing-init",
            FaultKind::IgnoringInit => "ignoring-init",
            FaultKind::SlowTermination => "slow-termination",
            FaultKind::Reorder => "reorder",
        }
    }

    /// The kind named `name` (as [`name`](Self::name) writes it).
    pub fn from_name(name: &str) -> Option<FaultKind> {
        FaultKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// Whether it ends a live child between two deliveries.
    pub fn is_exit(self) -> bool {
        FaultKind::EXITS.contains(&self)
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which fault kinds a check may use, and whether each seed picks a subset (swarm testing:
/// a seed with only kills and reorderings finds other bugs than one with everything on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultPlan {
    kinds: Vec<FaultKind>,
    swarm: bool,
}

impl FaultPlan {
    /// Every kind, swarm-style: each seed turns each kind on with probability 1/2 and picks
    /// how often faults strike (the default).
    pub fn swarm() -> Self {
        FaultPlan {
            kinds: FaultKind::ALL.to_vec(),
            swarm: true,
        }
    }

    /// No faults at all: the body alone drives the run.
    pub fn none() -> Self {
        FaultPlan {
            kinds: Vec::new(),
            swarm: false,
        }
    }

    /// Only these kinds, swarm-style.
    pub fn only(kinds: &[FaultKind]) -> Self {
        FaultPlan {
            kinds: kinds.to_vec(),
            swarm: true,
        }
    }

    /// Every allowed kind on in every seed (no swarm choice); the rates are still seeded.
    pub fn all_on(mut self) -> Self {
        self.swarm = false;
        self
    }

    /// The faults of one seed, drawn from its generator.
    pub(crate) fn draw(&self, rng: &mut ChaCha8Rng) -> SeedFaults {
        let kinds = self
            .kinds
            .iter()
            .copied()
            .filter(|_| !self.swarm || rng.gen_bool(0.5))
            .collect();
        SeedFaults {
            kinds,
            exit_one_in: [4, 16, 64, 256][rng.gen_range(0..4)],
            restart_one_in: [2, 4, 16][rng.gen_range(0..3)],
            slow_one_in: [1, 2, 4][rng.gen_range(0..3)],
        }
    }
}

impl Default for FaultPlan {
    fn default() -> Self {
        FaultPlan::swarm()
    }
}

/// The faults one seed uses: its kinds and rates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedFaults {
    /// The kinds on in this seed.
    pub kinds: Vec<FaultKind>,
    /// An exit fault strikes before one delivery in this many (when a child is alive).
    pub exit_one_in: u32,
    /// A restart fault replaces one restart's `init` in this many.
    pub restart_one_in: u32,
    /// One trapping child's cleanup in this many is slow.
    pub slow_one_in: u32,
}

impl SeedFaults {
    /// Whether `kind` is on.
    pub fn has(&self, kind: FaultKind) -> bool {
        self.kinds.contains(&kind)
    }
}

impl fmt::Display for SeedFaults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kinds.is_empty() {
            return f.write_str("faults: none");
        }
        f.write_str("faults:")?;
        for kind in &self.kinds {
            write!(f, " {kind}")?;
        }
        write!(
            f,
            " (exits 1 in {} deliveries, restart faults 1 in {}, slow cleanups 1 in {})",
            self.exit_one_in, self.restart_one_in, self.slow_one_in
        )
    }
}
