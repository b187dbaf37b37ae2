//! Where every decision of a run comes from: the seed's generator (recorded on a tape as it
//! goes), or a tape being replayed (no generator at all). The test body's operations and
//! draws and the simulator's fault hooks all ask here.

use dynsup::{ExitReason, Init};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::faults::{FaultKind, FaultPlan, SeedFaults};
use super::tape::{Decision, Record, Tape};

/// The exit reason of injected abnormal exits and failing `init`s.
pub(crate) const FAULT_REASON: &str = "fault";

/// The milliseconds a slow cleanup may take.
const SLOW_MS: [u64; 5] = [1, 100, 1_000, 5_000, 20_000];

/// Where decisions come from.
enum Source {
    /// The seed's generator and its fault plan.
    Seed {
        rng: Box<ChaCha8Rng>,
        faults: SeedFaults,
        operations: usize,
    },
    /// A tape; `taken[r][d]` says whether decision `d` of record `r` was used.
    Replay { tape: Tape, taken: Vec<Vec<bool>> },
}

/// Which part of the body is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Prelude,
    Op(usize),
    Epilogue,
}

/// The decisions of one run.
pub(crate) struct Decider {
    source: Source,
    /// What this run decided (for shrinking and replay files).
    recorded: Tape,
    section: Section,
    /// Deliveries since the current section began.
    offset: u64,
    /// Draws taken in the current section (for a replay's cursor).
    draws: usize,
}

impl Decider {
    /// Decisions from `seed` under `plan`, with at most `operations` operations.
    pub(crate) fn from_seed(seed: u64, plan: &FaultPlan, operations: usize) -> Self {
        let mut rng = Box::new(ChaCha8Rng::seed_from_u64(seed));
        let faults = plan.draw(&mut rng);
        Self::new(Source::Seed {
            rng,
            faults,
            operations,
        })
    }

    /// Decisions from `tape` only.
    pub(crate) fn from_tape(tape: Tape) -> Self {
        let taken = tape
            .records()
            .map(|record| vec![false; record.decisions.len()])
            .collect();
        Self::new(Source::Replay { tape, taken })
    }

    fn new(source: Source) -> Self {
        Decider {
            source,
            recorded: Tape::default(),
            section: Section::Prelude,
            offset: 0,
            draws: 0,
        }
    }

    /// The seed's faults (`None` in a replay).
    pub(crate) fn seed_faults(&self) -> Option<&SeedFaults> {
        match &self.source {
            Source::Seed { faults, .. } => Some(faults),
            Source::Replay { .. } => None,
        }
    }

    /// What the run decided so far.
    pub(crate) fn recorded(&self) -> &Tape {
        &self.recorded
    }

    fn record_index(&self) -> usize {
        match self.section {
            Section::Prelude => 0,
            Section::Op(index) => index + 1,
            Section::Epilogue => self.recorded.ops.len() + 1,
        }
    }

    fn current(&mut self) -> &mut Record {
        match self.section {
            Section::Prelude => &mut self.recorded.prelude,
            Section::Op(_) => match self.recorded.ops.last_mut() {
                Some(record) => record,
                None => &mut self.recorded.prelude,
            },
            Section::Epilogue => &mut self.recorded.epilogue,
        }
    }

    /// The next operation's kind (below `kinds`), or `None` when the run has had its
    /// operations; then the epilogue begins.
    pub(crate) fn operation(&mut self, kinds: usize) -> Option<usize> {
        if self.section == Section::Epilogue {
            return None;
        }
        let next = match self.section {
            Section::Prelude => 0,
            Section::Op(index) => index + 1,
            Section::Epilogue => return None,
        };
        let kind = match &mut self.source {
            Source::Seed {
                rng, operations, ..
            } => (next < *operations && kinds > 0).then(|| rng.gen_range(0..kinds)),
            Source::Replay { tape, .. } => tape
                .ops
                .get(next)
                .map(|record| record.kind.min(kinds.saturating_sub(1))),
        };
        self.offset = 0;
        self.draws = 0;
        match kind {
            Some(kind) => {
                self.section = Section::Op(next);
                self.recorded.ops.push(Record {
                    kind,
                    ..Record::default()
                });
            }
            None => self.section = Section::Epilogue,
        }
        kind
    }

    /// A number below `below` (0 when `below` is 0).
    pub(crate) fn draw(&mut self, below: u64) -> u64 {
        let index = self.record_index();
        let cursor = self.draws;
        self.draws += 1;
        let value = match &mut self.source {
            Source::Seed { rng, .. } => {
                if below == 0 {
                    0
                } else {
                    rng.gen_range(0..below)
                }
            }
            Source::Replay { tape, .. } => tape
                .records()
                .nth(index)
                .and_then(|record| record.draws.get(cursor))
                .map_or(0, |&value| value.min(below.saturating_sub(1))),
        };
        self.current().draws.push(value);
        value
    }

    /// A delivery was made.
    pub(crate) fn delivered(&mut self) {
        self.offset += 1;
    }

    /// Takes the replayed decision of one of `kinds` at this offset, if any.
    fn replayed(&mut self, kinds: &[FaultKind]) -> Option<Decision> {
        let index = self.record_index();
        let offset = self.offset;
        let Source::Replay { tape, taken } = &mut self.source else {
            return None;
        };
        let record = tape.records().nth(index)?;
        let used = taken.get_mut(index)?;
        let position = record
            .decisions
            .iter()
            .enumerate()
            .position(|(d, decision)| {
                decision.offset == offset
                    && kinds.contains(&decision.kind)
                    && !used.get(d).copied().unwrap_or(true)
            })?;
        if let Some(flag) = used.get_mut(position) {
            *flag = true;
        }
        record.decisions.get(position).copied()
    }

    fn note(&mut self, kind: FaultKind, value: u64) {
        let decision = Decision {
            offset: self.offset,
            kind,
            value,
        };
        self.current().decisions.push(decision);
    }

    /// Before a delivery with `live` children alive: an exit fault and its target index.
    pub(crate) fn exit_fault(&mut self, live: usize) -> Option<(FaultKind, usize)> {
        if live == 0 {
            return None;
        }
        let decided = match &mut self.source {
            Source::Seed { rng, faults, .. } => {
                let exits: Vec<FaultKind> = faults
                    .kinds
                    .iter()
                    .copied()
                    .filter(|kind| kind.is_exit())
                    .collect();
                if exits.is_empty() || !rng.gen_ratio(1, faults.exit_one_in) {
                    None
                } else {
                    let kind = exits[rng.gen_range(0..exits.len())];
                    Some((kind, rng.gen_range(0..live as u64)))
                }
            }
            Source::Replay { .. } => self
                .replayed(&FaultKind::EXITS)
                .map(|decision| (decision.kind, decision.value)),
        };
        let (kind, target) = decided?;
        self.note(kind, target);
        Some((kind, usize::try_from(target).unwrap_or(0) % live))
    }

    /// At a restart: a forced `init` outcome, if a fault replaces it.
    pub(crate) fn restart_init(&mut self) -> Option<Init> {
        const KINDS: [FaultKind; 2] = [FaultKind::FailingInit, FaultKind::IgnoringInit];
        let kind = match &mut self.source {
            Source::Seed { rng, faults, .. } => {
                let on: Vec<FaultKind> = KINDS.into_iter().filter(|k| faults.has(*k)).collect();
                if on.is_empty() || !rng.gen_ratio(1, faults.restart_one_in) {
                    None
                } else {
                    Some(on[rng.gen_range(0..on.len())])
                }
            }
            Source::Replay { .. } => self.replayed(&KINDS).map(|decision| decision.kind),
        }?;
        self.note(kind, 0);
        Some(match kind {
            FaultKind::IgnoringInit => Init::Ignore,
            _ => Init::Stop(ExitReason::other(FAULT_REASON)),
        })
    }

    /// When a trapping child's cleanup begins: its extra milliseconds (0: none).
    pub(crate) fn slow_cleanup(&mut self) -> u64 {
        let millis = match &mut self.source {
            Source::Seed { rng, faults, .. } => {
                if faults.has(FaultKind::SlowTermination) && rng.gen_ratio(1, faults.slow_one_in) {
                    SLOW_MS[rng.gen_range(0..SLOW_MS.len())]
                } else {
                    0
                }
            }
            Source::Replay { .. } => self
                .replayed(&[FaultKind::SlowTermination])
                .map_or(0, |decision| decision.value),
        };
        if millis > 0 {
            self.note(FaultKind::SlowTermination, millis);
        }
        millis
    }

    /// Among `n` deliveries due at once: which goes first (0: the oldest).
    pub(crate) fn order(&mut self, n: usize) -> usize {
        let pick = match &mut self.source {
            Source::Seed { rng, faults, .. } => {
                if faults.has(FaultKind::Reorder) {
                    rng.gen_range(0..n as u64)
                } else {
                    0
                }
            }
            Source::Replay { .. } => self
                .replayed(&[FaultKind::Reorder])
                .map_or(0, |decision| decision.value),
        };
        if pick > 0 {
            self.note(FaultKind::Reorder, pick);
        }
        usize::try_from(pick).unwrap_or(0)
    }
}
