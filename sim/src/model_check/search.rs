//! Breadth-first search over every interleaving: distinct states are kept as 64-bit
//! fingerprints, each state's first parent is remembered so the shortest path to a violation
//! can be rebuilt. A pool of `jobs` threads, kept for the whole search, expands each level in
//! parallel, each thread taking runs of the frontier one at a time (first those it found
//! itself), then adds the level's successors to the seen set in parallel, each thread owning
//! some of its shards; the first of equal fingerprints in the level's order is the one
//! kept, so counts and the path found never depend on the number of jobs.
//!
//! The search is generic over the state space ([`Space`]): the one-supervisor world of
//! [`crate::model_check::world`] and the supervision trees of [`crate::tree::check`]. Each
//! space says how a run's states wait for their expansion ([`Shelf`]): the world's packed
//! (each core once), the trees' as copies.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::hash::{BuildHasherDefault, Hash};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::model_check::config::CheckConfig;
use crate::model_check::fingerprint::{fingerprint, PassThrough};
use crate::model_check::world::{PackedWorlds, Step, Violation, World};

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
    /// The [`Violation`] the transition shows (or the state it leads to, for a space that
    /// checks its states here rather than in [`Space::check`]).
    fn take(&mut self, config: &Self::Config, step: &Self::Step) -> Result<(), Violation>;
    /// The rules the state itself keeps (whatever path led to it), once it was reached by
    /// [`Space::take`]: the search checks a state the first time a run of the frontier reaches
    /// it, not again in that run (a later run may reach and check it again: its rules depend on
    /// the state alone, so it passes again). By default [`Space::take`] checks everything
    /// itself.
    ///
    /// # Errors
    ///
    /// The [`Violation`] the state shows.
    fn check(&self, _config: &Self::Config) -> Result<(), Violation> {
        Ok(())
    }
    /// Where the search keeps a run of states between finding and expanding them: a plain
    /// [`Vec`] of copies, or a form of the space's own.
    type Shelf: Shelf<Self>;
    /// The deepest path and the most distinct states a search of `config` explores.
    fn bounds(config: &Self::Config) -> (u32, u64);
    /// The state's fingerprint: states equal up to the space's symmetries must have equal
    /// ones. By default the hash of the state as it is.
    fn fingerprint(&self, _config: &Self::Config) -> u64 {
        fingerprint(self)
    }
    /// Makes this state equal to `parent` again, given that it was copied from `parent` (by
    /// [`Clone::clone_from`] or this method) and has taken one transition since. By default a
    /// whole copy; a space may copy back only what the transition changed.
    fn restore_from(&mut self, parent: &Self) {
        self.clone_from(parent);
    }
}

/// Where the search keeps a run of states of space `W`, in order, between finding them (a
/// copy of each) and expanding them (each loaded once, into a scratch state).
pub trait Shelf<W>: Default + Send + Sync {
    /// Keeps a copy of `state` after the others.
    fn push(&mut self, state: &W);
    /// How many states are kept.
    fn len(&self) -> usize;
    /// Whether none is.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Makes room for `states` more.
    fn reserve(&mut self, states: usize);
    /// Drops every state, keeping the buffers.
    fn clear(&mut self);
    /// State `index` where it lies, for a shelf that keeps whole copies; `None` for one that
    /// must [`load`](Shelf::load) its states.
    fn lend(&self, index: usize) -> Option<&W>;
    /// Makes `scratch` (a state of the same search) state `index`, for a shelf that does not
    /// lend its states; whether it could (by default, never).
    fn load(&self, _index: usize, _scratch: &mut W) -> bool {
        false
    }
}

/// Copies, expanded where they lie.
impl<W: Clone + Send + Sync> Shelf<W> for Vec<W> {
    fn push(&mut self, state: &W) {
        Vec::push(self, state.clone());
    }

    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn reserve(&mut self, states: usize) {
        Vec::reserve(self, states);
    }

    fn clear(&mut self) {
        Vec::clear(self);
    }

    fn lend(&self, index: usize) -> Option<&W> {
        self.get(index)
    }
}

impl Space for World {
    type Config = CheckConfig;
    type Step = Step;
    type Shelf = PackedWorlds;

    fn enabled(&self, config: &CheckConfig, out: &mut Vec<Step>) {
        self.steps(config, out);
    }

    fn take(&mut self, config: &CheckConfig, step: &Step) -> Result<(), Violation> {
        self.transition(config, *step)
    }

    fn check(&self, config: &CheckConfig) -> Result<(), Violation> {
        self.check_state(config)
    }

    fn bounds(config: &CheckConfig) -> (u32, u64) {
        (config.bounds.depth, config.bounds.max_states)
    }

    fn restore_from(&mut self, parent: &Self) {
        World::restore_from(self, parent);
    }

    /// Symmetry over interchangeable templates: the smallest fingerprint of the state under
    /// every renaming of templates with the same policy (just the state's own hash when no two
    /// of the templates the world was made for are interchangeable, as in the default set).
    fn fingerprint(&self, _config: &CheckConfig) -> u64 {
        let own = self.own_fingerprint();
        let symmetries = self.template_symmetries();
        if symmetries.is_empty() {
            return own;
        }
        // Each renaming is applied to a copy in this thread's scratch world, whose buffers
        // the copies reuse.
        RENAMED.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let renamed = match scratch.as_mut() {
                Some(renamed) => renamed,
                None => scratch.insert(self.clone()),
            };
            symmetries.iter().fold(own, |least, renaming| {
                renamed.clone_from(self);
                renamed.rename_templates(renaming);
                least.min(fingerprint(&*renamed))
            })
        })
    }
}

thread_local! {
    /// The world each thread renames templates in, for the fingerprints of configurations with
    /// interchangeable templates.
    static RENAMED: RefCell<Option<World>> = const { RefCell::new(None) };
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

/// The fingerprints seen, cut into shards by a few of their middle bits (never the low bits,
/// which pick a shard's bucket, nor the top ones, which its tags use), so that the merge of a
/// level inserts into the shards in parallel.
struct Seen {
    shards: Vec<FingerprintSet>,
}

/// How many shards the seen set has (a power of two).
const SHARDS: usize = 64;

/// One shard: fingerprints are hashes already, so the table uses them as they are.
type FingerprintSet = HashSet<u64, BuildHasherDefault<PassThrough>>;

impl Seen {
    fn new() -> Self {
        Seen {
            shards: (0..SHARDS).map(|_| FingerprintSet::default()).collect(),
        }
    }

    fn shard_of(print: u64) -> usize {
        (print >> 40) as usize & (SHARDS - 1)
    }

    /// The group of shards a fingerprint falls in, when the shards are shared out among
    /// `groups` threads (shard `s` goes to thread `s % groups`).
    fn group_of(print: u64, groups: usize) -> usize {
        Seen::shard_of(print) % groups.max(1)
    }
}

/// How the states of one run were first reached: node `first_node + k` (the `k`-th fresh
/// state of the run) by `steps[k]` from node `parents[k]`. The initial state is node 0, with
/// no step. The search keeps one lineage per run, in order, to rebuild the path to a node.
struct Lineage<St> {
    first_node: u32,
    steps: Vec<St>,
    parents: Vec<u32>,
}

impl<St> Lineage<St> {
    /// The lineage of a run: of its states' steps and parents, those of the fresh states.
    fn of_fresh(
        first_node: u32,
        mut steps: Vec<St>,
        mut parents: Vec<u32>,
        fresh: &[bool],
    ) -> Self {
        let mut flags = fresh.iter();
        steps.retain(|_| flags.next().copied().unwrap_or(false));
        let mut flags = fresh.iter();
        parents.retain(|_| flags.next().copied().unwrap_or(false));
        // Kept for the whole search: no room to spare.
        steps.shrink_to_fit();
        parents.shrink_to_fit();
        Lineage {
            first_node,
            steps,
            parents,
        }
    }
}

/// States of the frontier, a run of them in the level's order: the fresh ones are expanded
/// (the others were found first by an earlier run of the same level), and the `k`-th fresh
/// one is node `first_node + k`. Each state comes with the step that made it and its parent's
/// node.
struct Run<W: Space> {
    states: W::Shelf,
    steps: Vec<W::Step>,
    parents: Vec<u32>,
    fresh: Vec<bool>,
    /// How many of `fresh` are set.
    fresh_states: usize,
    first_node: u32,
    /// The thread that found the states: it expands them too, unless it has run out of its
    /// own runs, so that most states are freed by the thread that allocated them.
    owner: usize,
}

/// Successors found by expanding one run, in order, each with its fingerprint, the step that
/// made it and its parent's node: none was found earlier in the same run; the merge finds
/// those seen in an earlier level or found first by an earlier run of the level.
struct Found<W: Space> {
    states: W::Shelf,
    /// The fingerprints, sorted into the merge's groups of shards as they are found (each
    /// merge thread then reads its own group alone).
    prints: Vec<GroupPrints>,
    steps: Vec<W::Step>,
    parents: Vec<u32>,
}

/// The fingerprints of a piece of successors that fall in one group of shards, in order, with
/// their positions in the piece.
struct GroupPrints {
    positions: Vec<u32>,
    prints: Vec<u64>,
}

/// What expanding one run produced.
struct RunExpansion<W: Space> {
    /// How the run's fresh states were reached (made by the thread that expanded it).
    lineage: Lineage<W::Step>,
    /// Its successors, cut into pieces of at most [`run_length`] (the next level's runs).
    found: Vec<Found<W>>,
    /// Transitions taken: every enabled step of every state expanded, up to the first
    /// violation.
    transitions: u64,
    /// The first transition that broke a rule: the node it leaves, the step, what broke (no
    /// step when the node's state itself could not be loaded).
    violation: Option<(u32, Option<W::Step>, Violation)>,
    /// The thread that expanded the run.
    by: usize,
}

/// A thread's buffers, kept from level to level: the search allocates almost nothing once
/// they have grown.
struct Scratch<W: Space> {
    /// The state being expanded, when the shelf loads it rather than lending it (its last
    /// transition is taken on it).
    parent: W,
    /// The copy of a state each transition is taken on.
    world: Option<W>,
    steps: Vec<W::Step>,
    /// The successors kept so far in the current run.
    local: FingerprintSet,
    /// Emptied run buffers, for the next pieces of successors (all are kept: the next level
    /// needs as many, and fresh memory costs a page fault per page).
    buffers: Vec<W::Shelf>,
}

impl<W: Space> Scratch<W> {
    fn new(initial: &W) -> Self {
        Scratch {
            parent: initial.clone(),
            world: None,
            steps: Vec::new(),
            local: FingerprintSet::default(),
            buffers: Vec::new(),
        }
    }

    /// An empty piece of successors with room for `piece` states, in one of the emptied
    /// `buffers` when there is one.
    fn piece(buffers: &mut Vec<W::Shelf>, piece: usize, groups: usize) -> Found<W> {
        let mut states = buffers.pop().unwrap_or_default();
        states.reserve(piece);
        let share = piece / groups + piece / (groups * 8);
        Found {
            states,
            prints: (0..groups)
                .map(|_| GroupPrints {
                    positions: Vec::with_capacity(share),
                    prints: Vec::with_capacity(share),
                })
                .collect(),
            steps: Vec::with_capacity(piece),
            parents: Vec::with_capacity(piece),
        }
    }
}

/// Expands the fresh states of `run` in order: each is lent by the run's shelf or loaded into
/// the scratch parent; every enabled step is taken on a copy of it made with
/// [`clone_from`](Clone::clone_from) (which reuses the scratch world's buffers), but the last
/// step of a loaded state, taken on the state itself. Only successors the run has not found
/// before are kept (a copy of each on the next level's shelf): the merge would drop a repeat
/// anyway (it keeps the first of equal fingerprints in the level's order), so the search is
/// the same, without copying the most common successors. Those seen in earlier levels are
/// kept too, for the merge to drop: asking the seen set here, one transition at a time, cost
/// a cache miss each (a tenth of the search, measured), where the merge's lookups, one after
/// another in a tight loop, overlap. The run's shelf is emptied here, by the thread that
/// expanded it, and kept for the next level.
fn expand_run<W: Space>(
    config: &W::Config,
    run: Run<W>,
    piece: usize,
    groups: usize,
    scratch: &mut Scratch<W>,
) -> RunExpansion<W> {
    let Run {
        mut states,
        steps,
        parents,
        fresh,
        first_node,
        ..
    } = run;
    let mut expansion = RunExpansion {
        lineage: Lineage::of_fresh(first_node, steps, parents, &fresh),
        found: Vec::new(),
        transitions: 0,
        violation: None,
        by: 0,
    };
    let mut found = Scratch::piece(&mut scratch.buffers, piece.min(states.len() * 4), groups);
    scratch.local.clear();
    let fresh = (0..).zip(&fresh).filter(|(_, &fresh)| fresh);
    for (node, (index, _)) in (first_node..).zip(fresh) {
        // A state lent where it lies, or loaded into the scratch parent.
        let lent = states.lend(index);
        if lent.is_none() && !states.load(index, &mut scratch.parent) {
            let violation = Violation {
                checker: "search",
                message: format!("state {index} of a run could not be loaded"),
            };
            expansion.violation = Some((node, None, violation));
            return expansion;
        }
        lent.unwrap_or(&scratch.parent)
            .enabled(config, &mut scratch.steps);
        expansion.transitions += scratch.steps.len() as u64;
        let last = scratch.steps.len().saturating_sub(1);
        for (index, step) in scratch.steps.iter().enumerate() {
            let next = match (lent, &mut scratch.world) {
                // A loaded state is needed no more once its last transition is taken: that
                // one is taken on it, with no copy.
                (None, _) if index == last => &mut scratch.parent,
                (_, Some(next)) if index == 0 => {
                    next.clone_from(lent.unwrap_or(&scratch.parent));
                    next
                }
                // The scratch world was copied from this state, then took one transition.
                (_, Some(next)) => {
                    next.restore_from(lent.unwrap_or(&scratch.parent));
                    next
                }
                (_, None) => scratch
                    .world
                    .insert(lent.unwrap_or(&scratch.parent).clone()),
            };
            // A state reached before in this run kept its rules then: only those of the
            // transition are checked again.
            let print = next.take(config, step).and_then(|()| {
                let print = next.fingerprint(config);
                let fresh = scratch.local.insert(print);
                if fresh {
                    next.check(config)?;
                }
                Ok(fresh.then_some(print))
            });
            let print = match print {
                Ok(Some(print)) => print,
                Ok(None) => continue,
                Err(violation) => {
                    // The search ends here: what this run found so far is of no use.
                    expansion.violation = Some((node, Some(step.clone()), violation));
                    return expansion;
                }
            };
            if Shelf::len(&found.states) >= piece {
                let next_piece = Scratch::piece(&mut scratch.buffers, piece, groups);
                let full = std::mem::replace(&mut found, next_piece);
                expansion.found.push(full);
            }
            if let Some(group) = found.prints.get_mut(Seen::group_of(print, groups)) {
                group.positions.push(found.steps.len() as u32);
                group.prints.push(print);
            }
            found.states.push(next);
            found.steps.push(step.clone());
            found.parents.push(node);
        }
    }
    states.clear();
    scratch.buffers.push(states);
    expansion.found.push(found);
    expansion
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
    let jobs = jobs.max(1);
    let mut seen = Seen::new();
    let first = initial.fingerprint(config);
    seen.shards[Seen::shard_of(first)].insert(first);
    // How every state found was first reached, one lineage per run expanded, in order.
    let mut lineages = Vec::new();
    let mut nodes: usize = 1;
    let mut scratches: Vec<Scratch<W>> = (0..jobs).map(|_| Scratch::new(&initial)).collect();
    let mut states = W::Shelf::default();
    states.push(&initial);
    let mut frontier = vec![Run {
        states,
        steps: Vec::new(),
        parents: Vec::new(),
        fresh: vec![true],
        fresh_states: 1,
        first_node: 0,
        owner: 0,
    }];
    let mut frontier_len = 1;
    // One pool of threads for the whole search: a thread keeps its allocator arena from level
    // to level, and frees the states it allocated (threads spawned anew for each level made
    // the allocator's cross-thread frees cost a third of the work). Without a pool (one job,
    // or the threads could not be made) the search runs on this thread, to the same result.
    let pool = (jobs > 1)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(jobs)
                .build()
                .ok()
        })
        .flatten();
    // The merge shares the seen set's shards out among the pool's threads, and the expansion
    // sorts each successor's fingerprint into its thread's group.
    let groups = pool
        .as_ref()
        .map_or(1, rayon::ThreadPool::current_num_threads);
    let mut report = SearchReport {
        states: 1,
        transitions: 0,
        depth: 0,
        complete: true,
        violation: None,
    };
    while frontier_len > 0 {
        if report.depth >= depth_bound {
            report.complete = false;
            break;
        }
        let expansions = expand_level(
            config,
            frontier,
            &mut scratches,
            run_length(frontier_len, jobs),
            groups,
            pool.as_ref(),
        );
        let mut found = Vec::new();
        let mut owners = Vec::new();
        for expansion in expansions {
            report.transitions += expansion.transitions;
            lineages.push(expansion.lineage);
            if let Some((parent, step, violation)) = expansion.violation {
                let mut path = path_to(&lineages, parent);
                path.extend(step);
                report.violation = Some(Counterexample { violation, path });
                report.depth += 1;
                return report;
            }
            for piece in expansion.found.into_iter().filter(|f| !f.states.is_empty()) {
                found.push(piece);
                owners.push(expansion.by);
            }
        }
        let fresh = merge_level(&mut seen, &found, groups, pool.as_ref());
        frontier = Vec::with_capacity(found.len());
        frontier_len = 0;
        // The steps and parents of the fresh states are kept by the thread that expands
        // their run, in the next level.
        for ((found, fresh), owner) in found.into_iter().zip(fresh).zip(owners) {
            let kept = fresh.iter().filter(|&&fresh| fresh).count();
            if kept > 0 {
                frontier.push(Run {
                    states: found.states,
                    steps: found.steps,
                    parents: found.parents,
                    fresh,
                    fresh_states: kept,
                    first_node: u32::try_from(nodes).unwrap_or(u32::MAX),
                    owner,
                });
                nodes += kept;
                frontier_len += kept;
            }
        }
        report.states = nodes as u64;
        if frontier_len > 0 {
            report.depth += 1;
        }
        progress(report.depth, report.states, frontier_len);
        if report.states >= max_states {
            report.complete = frontier_len == 0;
            break;
        }
    }
    report
}

/// How many successors a run of the next level holds at most: enough runs for every thread
/// to have several (so that a few long ones do not leave a thread idle), long enough that a
/// run drops most of its successors that are each other's duplicates before they are copied
/// (the merge would drop them anyway, but only after they were stored), and a power of two,
/// so that the emptied buffers of one level's runs mostly fit the next level's (a length that
/// changed with every level made each level's buffers fresh memory, a page fault per page).
/// Measured on the default set and the larger one of docs/model-checking.md: with runs of
/// 2,048 states at most, the larger set took a third more memory. The cut never changes the
/// search: only its speed.
fn run_length(frontier: usize, jobs: usize) -> usize {
    (frontier / (jobs * 8))
        .next_power_of_two()
        .clamp(2048, 16_384)
}

/// Expands a whole level: each thread of the pool, with the scratch of its index, takes the
/// runs one at a time, first its own (those it found) in order, then any left of the others',
/// and the expansions come back in the runs' order. Once a run has found a violation, the runs
/// after it are not expanded (the violation of the earliest run is the one reported).
fn expand_level<W: Space>(
    config: &W::Config,
    frontier: Vec<Run<W>>,
    scratches: &mut [Scratch<W>],
    piece: usize,
    groups: usize,
    pool: Option<&rayon::ThreadPool>,
) -> Vec<RunExpansion<W>> {
    let pool = pool.filter(|_| scratches.len() > 1 && frontier.len() > 1);
    let Some(pool) = pool else {
        let Some(scratch) = scratches.first_mut() else {
            return Vec::new();
        };
        let mut expansions = Vec::with_capacity(frontier.len());
        for run in frontier {
            let expansion = expand_run(config, run, piece, groups, scratch);
            let violated = expansion.violation.is_some();
            expansions.push(expansion);
            if violated {
                break;
            }
        }
        return expansions;
    };
    let threads = scratches.len();
    // Each thread's own runs, in order; a thread that has done its own takes the others'.
    let mut queues: Vec<Vec<usize>> = vec![Vec::new(); threads];
    for (index, run) in frontier.iter().enumerate() {
        if let Some(queue) = queues.get_mut(run.owner % threads) {
            queue.push(index);
        }
    }
    // The longest runs first, so that the level ends on short ones and no thread waits long
    // for the other's last run (the expansions are put back in the runs' order after).
    for queue in &mut queues {
        queue.sort_by_key(|&index| {
            std::cmp::Reverse(frontier.get(index).map(|run| run.fresh_states))
        });
    }
    let cursors: Vec<AtomicUsize> = (0..threads).map(|_| AtomicUsize::new(0)).collect();
    let runs: Vec<Mutex<Option<Run<W>>>> = frontier
        .into_iter()
        .map(|run| Mutex::new(Some(run)))
        .collect();
    let first_violation = AtomicUsize::new(usize::MAX);
    let slots: Vec<Mutex<&mut Scratch<W>>> = scratches.iter_mut().map(Mutex::new).collect();
    let results = Mutex::new(Vec::new());
    pool.scope(|scope| {
        for _ in 0..threads {
            let (runs, queues, cursors, first_violation, slots, results) =
                (&runs, &queues, &cursors, &first_violation, &slots, &results);
            scope.spawn(move |_| {
                let me = rayon::current_thread_index().unwrap_or(0) % threads;
                let Some(Ok(mut scratch)) = slots.get(me).map(|slot| slot.try_lock()) else {
                    return;
                };
                let mut mine = Vec::new();
                for queue in (0..threads).map(|offset| (me + offset) % threads) {
                    let (Some(indices), Some(cursor)) = (queues.get(queue), cursors.get(queue))
                    else {
                        continue;
                    };
                    while let Some(&index) = indices.get(cursor.fetch_add(1, Ordering::Relaxed)) {
                        if index > first_violation.load(Ordering::Relaxed) {
                            continue;
                        }
                        let taken = runs.get(index).and_then(|slot| {
                            slot.lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner)
                                .take()
                        });
                        let Some(run) = taken else { continue };
                        let mut expansion = expand_run(config, run, piece, groups, &mut scratch);
                        expansion.by = me;
                        if expansion.violation.is_some() {
                            first_violation.fetch_min(index, Ordering::Relaxed);
                        }
                        mine.push((index, expansion));
                    }
                }
                if let Ok(mut results) = results.lock() {
                    results.extend(mine);
                }
            });
        }
    });
    let mut done: Vec<(usize, RunExpansion<W>)> = results.into_inner().unwrap_or_default();
    done.sort_unstable_by_key(|(index, _)| *index);
    // Every run up to the first violation was expanded; later ones may or may not have been,
    // and count for nothing.
    let last = first_violation.into_inner();
    done.into_iter()
        .take_while(|(index, _)| *index <= last)
        .map(|(_, expansion)| expansion)
        .collect()
}

/// Adds the fingerprints of a level's successors to `seen`, in the level's order, and says
/// which are new (neither seen in an earlier level nor found first by an earlier run of the
/// level): one flag per successor, run by run. The shards are shared out among `groups`
/// threads of the pool (the groups the expansion sorted the fingerprints into); each walks the
/// fingerprints of its own group in order, so the first of equal fingerprints is the one kept
/// whatever the number of threads.
fn merge_level<W: Space>(
    seen: &mut Seen,
    found: &[Found<W>],
    groups: usize,
    pool: Option<&rayon::ThreadPool>,
) -> Vec<Vec<bool>> {
    let incoming: usize = found.iter().map(|f| Shelf::len(&f.states)).sum();
    let pool = pool.filter(|_| incoming >= 4096 && groups > 1);
    let mut owned: Vec<Vec<Option<&mut FingerprintSet>>> = (0..groups)
        .map(|_| (0..SHARDS).map(|_| None).collect())
        .collect();
    for (index, shard) in seen.shards.iter_mut().enumerate() {
        if let Some(slot) = owned.get_mut(index % groups).and_then(|g| g.get_mut(index)) {
            *slot = Some(shard);
        }
    }
    // Room for what may come, made by the thread that owns the shard: growing a shard moves
    // every fingerprint in it, and the shards grow in parallel.
    let room = incoming / SHARDS + incoming / (SHARDS * 4);
    let again: Vec<Vec<(usize, usize)>> = match pool {
        None => owned
            .into_iter()
            .enumerate()
            .map(|(group, shards)| insert_in_order(shards, found, group, room))
            .collect(),
        Some(pool) => {
            let results: Vec<Mutex<Vec<(usize, usize)>>> =
                (0..groups).map(|_| Mutex::new(Vec::new())).collect();
            pool.scope(|scope| {
                for (group, (shards, result)) in owned.into_iter().zip(&results).enumerate() {
                    scope.spawn(move |_| {
                        let again = insert_in_order(shards, found, group, room);
                        if let Ok(mut result) = result.lock() {
                            *result = again;
                        }
                    });
                }
            });
            results
                .into_iter()
                .map(|result| result.into_inner().unwrap_or_default())
                .collect()
        }
    };
    let mut fresh: Vec<Vec<bool>> = found
        .iter()
        .map(|f| vec![true; Shelf::len(&f.states)])
        .collect();
    for (run, position) in again.into_iter().flatten() {
        if let Some(flag) = fresh.get_mut(run).and_then(|r| r.get_mut(position)) {
            *flag = false;
        }
    }
    fresh
}

/// Inserts, in order, the fingerprints of `found` of one `group` into its shards (the others
/// are `None`), after making room for `room` more in each; returns where those already
/// present are: run and position.
fn insert_in_order<W: Space>(
    mut shards: Vec<Option<&mut FingerprintSet>>,
    found: &[Found<W>],
    group: usize,
    room: usize,
) -> Vec<(usize, usize)> {
    for shard in shards.iter_mut().flatten() {
        shard.reserve(room);
    }
    let mut again = Vec::new();
    for (run, f) in found.iter().enumerate() {
        let Some(mine) = f.prints.get(group) else {
            continue;
        };
        for (&position, &print) in mine.positions.iter().zip(&mine.prints) {
            if let Some(Some(shard)) = shards.get_mut(Seen::shard_of(print)) {
                if !shard.insert(print) {
                    again.push((run, position as usize));
                }
            }
        }
    }
    again
}

/// The steps from the initial state to node `index`, from the lineages of the runs expanded.
fn path_to<St: Clone>(lineages: &[Lineage<St>], mut index: u32) -> Vec<St> {
    let mut path = Vec::new();
    loop {
        let run = lineages.partition_point(|lineage| lineage.first_node <= index);
        let Some(lineage) = run.checked_sub(1).and_then(|run| lineages.get(run)) else {
            break;
        };
        let offset = (index - lineage.first_node) as usize;
        let (Some(step), Some(&parent)) = (lineage.steps.get(offset), lineage.parents.get(offset))
        else {
            break;
        };
        path.push(step.clone());
        // A parent is always found before its children: a later one would be a broken
        // lineage, and the walk ends rather than loop.
        if parent >= index {
            break;
        }
        index = parent;
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
        if let Err(violation) = world.take(config, step).and_then(|()| world.check(config)) {
            return (states, Some(violation));
        }
        states.push(world.clone());
    }
    (states, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lineage(first_node: u32, steps: &[&'static str], parents: &[u32]) -> Lineage<&'static str> {
        Lineage {
            first_node,
            steps: steps.to_vec(),
            parents: parents.to_vec(),
        }
    }

    #[test]
    fn a_lineage_keeps_the_steps_and_parents_of_the_fresh_states_only() {
        let steps = vec!["a", "b", "c", "d"];
        let kept = Lineage::of_fresh(5, steps, vec![1, 2, 3, 4], &[true, false, false, true]);
        assert_eq!(kept.first_node, 5);
        assert_eq!(kept.steps, ["a", "d"]);
        assert_eq!(kept.parents, [1, 4]);
        // The initial run has a fresh state and no step.
        let initial = Lineage::<&str>::of_fresh(0, Vec::new(), Vec::new(), &[true]);
        assert!(initial.steps.is_empty() && initial.parents.is_empty());
    }

    #[test]
    fn the_path_to_a_node_walks_its_parents_back_to_the_initial_state() {
        // Node 0 is the initial state; nodes 1 and 2 are its successors; 3 comes from 2, and
        // 4 and 5 from 1 and 3.
        let lineages = [
            lineage(0, &[], &[]),
            lineage(1, &["x", "y"], &[0, 0]),
            lineage(3, &["p"], &[2]),
            lineage(4, &["q", "r"], &[1, 3]),
        ];
        assert!(path_to(&lineages, 0).is_empty());
        assert_eq!(path_to(&lineages, 2), ["y"]);
        assert_eq!(path_to(&lineages, 4), ["x", "q"]);
        assert_eq!(path_to(&lineages, 5), ["y", "p", "r"]);
        // Beyond the last node there is no path.
        assert!(path_to(&lineages, 9).is_empty());
    }

    #[test]
    fn a_parent_found_after_its_child_ends_the_walk() {
        let lineages = [lineage(0, &[], &[]), lineage(1, &["a", "b"], &[2, 1])];
        assert_eq!(path_to(&lineages, 1), ["a"]);
        assert_eq!(path_to(&lineages, 2), ["a", "b"]);
    }
}
