//! Breadth-first search over every interleaving: distinct states are kept as 64-bit
//! fingerprints, each state's first parent is remembered so the shortest path to a violation
//! can be rebuilt, and `jobs` threads expand each level in parallel (the merge is sequential
//! and in a fixed order, so counts and the path found never depend on the number of jobs).
//!
//! The search is generic over the state space ([`Space`]): the one-supervisor world of
//! [`crate::model_check::world`] and the supervision trees of [`crate::tree::check`].

use std::collections::HashSet;
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use crate::model_check::config::CheckConfig;
use crate::model_check::world::{Step, Violation, World};

/// A state space the search explores: states that clone, that hash to their fingerprint (after
/// any symmetry reduction: equal states must hash alike), and that list and take their enabled
/// transitions.
pub trait Space: Clone + Hash + Send + Sync {
    /// What the transitions and the bounds come from.
    type Config: Sync;
    /// A transition.
    type Step: Clone + fmt::Debug + fmt::Display + PartialEq + Send + Sync;
    /// Every transition enabled in this state, in a fixed order, into `out` (cleared first).
    fn enabled(&self, config: &Self::Config, out: &mut Vec<Self::Step>);
    /// Takes transition `step`; the rule it breaks, if any, is the error.
    ///
    /// # Errors
    ///
    /// The [`Violation`] the transition (or the state it leads to) shows.
    fn take(&mut self, config: &Self::Config, step: &Self::Step) -> Result<(), Violation>;
    /// The deepest path and the most distinct states a search of `config` explores.
    fn bounds(config: &Self::Config) -> (u32, u64);
    /// The state's fingerprint: states equal up to the space's symmetries must have equal
    /// ones. By default the hash of the state as it is.
    fn fingerprint(&self, _config: &Self::Config) -> u64 {
        fingerprint(self)
    }
}

impl Space for World {
    type Config = CheckConfig;
    type Step = Step;

    fn enabled(&self, config: &CheckConfig, out: &mut Vec<Step>) {
        self.steps(config, out);
    }

    fn take(&mut self, config: &CheckConfig, step: &Step) -> Result<(), Violation> {
        self.apply(config, *step)
    }

    fn bounds(config: &CheckConfig) -> (u32, u64) {
        (config.bounds.depth, config.bounds.max_states)
    }

    /// Symmetry over interchangeable templates: the smallest fingerprint of the state under
    /// every renaming of templates with the same policy (just the state's own hash when no two
    /// are interchangeable, as in the default set).
    fn fingerprint(&self, config: &CheckConfig) -> u64 {
        let own = fingerprint(self);
        if !config.has_interchangeable_templates() {
            return own;
        }
        let symmetries = config.template_symmetries();
        let mut renamed = self.clone();
        symmetries.iter().fold(own, |least, renaming| {
            renamed.clone_from(self);
            renamed.rename_templates(renaming);
            least.min(fingerprint(&renamed))
        })
    }
}

/// How a search ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchReport<St = Step> {
    /// Distinct states reached (the initial one included).
    pub states: u64,
    /// Transitions taken (each an edge, to a new state or an already seen one).
    pub transitions: u64,
    /// The deepest level reached.
    pub depth: u32,
    /// Whether every state within the bounds was explored (no depth or state cap cut it).
    pub complete: bool,
    /// The first violation found, with the shortest path to it.
    pub violation: Option<Counterexample<St>>,
}

/// A violation and the shortest path from the initial state to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counterexample<St = Step> {
    /// What broke.
    pub violation: Violation,
    /// The transitions, from the initial state.
    pub path: Vec<St>,
}

/// Progress after each level: depth, distinct states so far, frontier size.
pub type Progress<'a> = &'a mut dyn FnMut(u32, u64, usize);

/// The fixed seeds of the fingerprint hash: the same state has the same fingerprint in every
/// run, so counts never vary between runs.
const SEEDS: [u64; 4] = [
    0x243f_6a88_85a3_08d3,
    0x1319_8a2e_0370_7344,
    0xa409_3822_299f_31d0,
    0x082e_fa98_ec4e_6c89,
];

fn fingerprint<W: Hash>(world: &W) -> u64 {
    ahash::RandomState::with_seeds(SEEDS[0], SEEDS[1], SEEDS[2], SEEDS[3]).hash_one(world)
}

/// The set of fingerprints seen: they are hashes already, so the table uses them as they are.
type Seen = HashSet<u64, BuildHasherDefault<PassThrough>>;

/// A hasher for keys that are already well-mixed 64-bit hashes.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// One state discovered: its first parent and the step from it.
#[derive(Clone)]
struct Node<St> {
    parent: u32,
    step: Option<St>,
}

/// What expanding one frontier state produced.
struct Expansion<W: Space> {
    /// Successors: fingerprint, state, the step taken.
    successors: Vec<(u64, W, W::Step)>,
    /// A transition that broke a rule, with the step that broke it.
    violation: Option<(W::Step, Violation)>,
    transitions: u64,
}

/// Expands `world`: every enabled step is taken on `scratch` (a copy of `world` made with
/// [`clone_from`](Clone::clone_from), which reuses its buffers), and only the successors in
/// neither `seen` (the states of the levels before) nor `local` (the successors this thread
/// already kept in this level, from states before `world` in the frontier's order) are kept,
/// as fresh clones. The merge would drop such a successor anyway (it takes the frontier in
/// order and keeps the first of equal fingerprints), so the search is the same, without
/// cloning or carrying the most common successors.
fn expand<W: Space>(
    config: &W::Config,
    world: &W,
    seen: &Seen,
    local: &mut Seen,
    scratch: &mut Option<W>,
    steps: &mut Vec<W::Step>,
) -> Expansion<W> {
    world.enabled(config, steps);
    let transitions = steps.len() as u64;
    let mut successors = Vec::new();
    for step in steps.iter() {
        let next = match scratch {
            Some(next) => {
                next.clone_from(world);
                next
            }
            None => scratch.insert(world.clone()),
        };
        if let Err(violation) = next.take(config, step) {
            return Expansion {
                successors,
                violation: Some((step.clone(), violation)),
                transitions,
            };
        }
        let print = next.fingerprint(config);
        if !seen.contains(&print) && local.insert(print) {
            successors.push((print, next.clone(), step.clone()));
        }
    }
    Expansion {
        successors,
        violation: None,
        transitions,
    }
}

/// Expands the states of `part` in order, with one scratch world, one step buffer and one set
/// of the successors kept so far; each state is freed by the thread that expanded it, as soon
/// as it is expanded. Returns each state's node index with its expansion.
fn expand_all<W: Space>(
    config: &W::Config,
    part: Vec<(W, u32)>,
    seen: &Seen,
) -> Vec<(u32, Expansion<W>)> {
    let mut scratch = None;
    let mut steps = Vec::new();
    let mut local = Seen::default();
    part.into_iter()
        .map(|(world, node)| {
            let expansion = expand(config, &world, seen, &mut local, &mut scratch, &mut steps);
            (node, expansion)
        })
        .collect()
}

/// Explores every state of `config` reachable within its bounds.
///
/// # Errors
///
/// The configuration's problem, when it is invalid.
pub fn search(
    config: &CheckConfig,
    jobs: usize,
    progress: Progress<'_>,
) -> Result<SearchReport, crate::model_check::config::ConfigProblem> {
    Ok(search_from(World::new(config)?, config, jobs, progress))
}

/// Explores every state reachable from `initial` within the bounds of `config` (for a world
/// with a planted defect, say, or a state space of another kind).
pub fn search_from<W: Space>(
    initial: W,
    config: &W::Config,
    jobs: usize,
    progress: Progress<'_>,
) -> SearchReport<W::Step> {
    let (depth_bound, max_states) = W::bounds(config);
    let mut seen = Seen::default();
    seen.insert(initial.fingerprint(config));
    let mut nodes = vec![Node {
        parent: 0,
        step: None,
    }];
    let mut frontier: Vec<(W, u32)> = vec![(initial, 0)];
    let mut report = SearchReport {
        states: 1,
        transitions: 0,
        depth: 0,
        complete: true,
        violation: None,
    };
    let jobs = jobs.max(1);
    while !frontier.is_empty() {
        if report.depth >= depth_bound {
            report.complete = false;
            break;
        }
        let expansions = expand_level(config, std::mem::take(&mut frontier), &seen, jobs);
        // Room for every successor at once: the seen set grows once per level, not by
        // doublings that rehash it in the middle of the merge.
        let incoming: usize = expansions.iter().map(|(_, e)| e.successors.len()).sum();
        seen.reserve(incoming);
        nodes.reserve(incoming);
        let mut next_frontier = Vec::with_capacity(incoming);
        for (parent, expansion) in expansions {
            report.transitions += expansion.transitions;
            if let Some((step, violation)) = expansion.violation {
                let mut path = path_to(&nodes, parent);
                path.push(step);
                report.violation = Some(Counterexample { violation, path });
                report.depth += 1;
                return report;
            }
            for (print, world, step) in expansion.successors {
                if seen.insert(print) {
                    let index = u32::try_from(nodes.len()).unwrap_or(u32::MAX);
                    nodes.push(Node {
                        parent,
                        step: Some(step),
                    });
                    next_frontier.push((world, index));
                }
            }
        }
        report.states = seen.len() as u64;
        if !next_frontier.is_empty() {
            report.depth += 1;
        }
        frontier = next_frontier;
        progress(report.depth, report.states, frontier.len());
        if report.states >= max_states {
            report.complete = frontier.is_empty();
            break;
        }
    }
    report
}

/// Expands a whole level, the frontier cut into `jobs` runs of states, one thread each; the
/// expansions come back in the frontier's order.
fn expand_level<W: Space>(
    config: &W::Config,
    mut frontier: Vec<(W, u32)>,
    seen: &Seen,
    jobs: usize,
) -> Vec<(u32, Expansion<W>)> {
    if jobs == 1 || frontier.len() < 64 {
        return expand_all(config, frontier, seen);
    }
    let chunk = frontier.len().div_ceil(jobs);
    // Cut from the back, so that each cut moves one run only.
    let mut parts = Vec::with_capacity(jobs);
    while frontier.len() > chunk {
        let tail = frontier.split_off(frontier.len() - chunk);
        parts.push(tail);
    }
    parts.push(frontier);
    parts.reverse();
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || expand_all(config, part, seen)))
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| match handle.join() {
                Ok(part) => part,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

fn path_to<St: Clone>(nodes: &[Node<St>], mut index: u32) -> Vec<St> {
    let mut path = Vec::new();
    while let Some(node) = nodes.get(index as usize) {
        match &node.step {
            Some(step) => path.push(step.clone()),
            None => break,
        }
        index = node.parent;
    }
    path.reverse();
    path
}

/// Replays `path` from the initial state of `config`, returning the states after each step
/// and the violation the last step raises, if any.
///
/// # Errors
///
/// The configuration's problem, when it is invalid.
pub fn replay(
    config: &CheckConfig,
    path: &[Step],
) -> Result<(Vec<World>, Option<Violation>), crate::model_check::config::ConfigProblem> {
    Ok(replay_from(World::new(config)?, config, path))
}

/// Replays `path` from `initial`: the states after each step, and the violation the path ends
/// in, if any (a step that is not enabled is a `replay` violation).
pub fn replay_from<W: Space>(
    mut world: W,
    config: &W::Config,
    path: &[W::Step],
) -> (Vec<W>, Option<Violation>) {
    let mut states = Vec::new();
    let mut steps = Vec::new();
    for step in path {
        world.enabled(config, &mut steps);
        if !steps.contains(step) {
            let violation = Violation {
                checker: "replay",
                message: format!("step `{step}` is not enabled here"),
            };
            return (states, Some(violation));
        }
        if let Err(violation) = world.take(config, step) {
            return (states, Some(violation));
        }
        states.push(world.clone());
    }
    (states, None)
}
