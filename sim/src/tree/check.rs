//! `dynsup-sim check --trees`: an exhaustive, bounded breadth-first search over every sequence
//! of operations on a small supervision tree, with every tree checker on in every state.
//!
//! A state is the tree world at rest after a path of operations (each a step of the tree
//! format: a worker's exit, normal or abnormal; a kill of any process but the root; the static
//! API by id; `start` and `terminate` on a dynamic supervisor; a wait of [`WAIT_MS`]; `stop`).
//! Within a step the simulator's one delivery order holds: unlike the one-supervisor `check`,
//! this search does not reorder messages, it tries every order of operations. Each state is
//! reached by replaying its path from the start in a fresh tree world, so every checker sees
//! every delivery of every path, and the shortest path to a violation is a tree file that
//! `dynsup-sim run` replays.
//!
//! States are deduplicated by a fingerprint of what decides the future: which processes are
//! alive (pids renamed 1, 2, ... in their order, as the flat checker's symmetry reduction
//! does), each supervisor's children as `which_children` lists them, its restart stamps still
//! in its window (by age), the time (bounded by `max_time_ms`), and how far each worker's
//! list of init outcomes has gone. The search itself is [`crate::model_check::search`]'s.
//!
//! ```
//! use dynsup_sim::model_check::search::search_from;
//! use dynsup_sim::tree::check::{TreeCheckConfig, TreeState};
//! let mut config = TreeCheckConfig::default_tree();
//! config.depth = 2;
//! let initial = TreeState::initial(&config).unwrap();
//! let report = search_from(initial, &config, 1, &mut |_, _, _| {});
//! assert!(report.violation.is_none());
//! assert!(report.states > 10);
//! ```

use std::collections::hash_map::DefaultHasher;
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};

use dynsup::static_supervisor::{ChildPid, Reply as StaticReply};
use dynsup::{Pid, Reply as DynReply};

use super::calls::Request;
use super::core::CoreReply;
use super::explore::failure_of;
use super::invariants::{TreeInvariants, CHECKS};
use super::model::{NodeKind, Tree};
use super::run::run_inspected;
use super::trace::TreeEvent;
use super::world::{World, WorldError};
use super::{parse_tree, ParseError};
use crate::model_check::search::Space;
use crate::model_check::world::Violation;
use crate::testing::TreeDefect;

/// How far a `wait` moves the clock, in milliseconds.
pub const WAIT_MS: u64 = 1_000;

/// The tree of the default run: a static root (`one_for_all`) with a trapping worker slower
/// to stop than its shutdown and a dynamic child supervisor, whose templates are a transient
/// worker and a worker whose restarts fail.
pub const DEFAULT_TREE: &str = "\
sup root strategy=one_for_all max_restarts=1 max_seconds=5
child w in=root trap_exit=true stop_ms=150 shutdown=100
sup ds in=root kind=dynamic max_children=2 max_restarts=1 max_seconds=5
child t in=ds restart=transient
child f in=ds init=ok,stop:boom
";

/// What `check --trees` explores: the tree and the bounds.
#[derive(Clone, Debug)]
pub struct TreeCheckConfig {
    /// The `sup` and `child` lines of the tree, as written.
    pub nodes: String,
    /// The tree they declare (no steps).
    pub tree: Tree,
    /// The deepest path explored (operations from the start).
    pub depth: u32,
    /// The most distinct states kept; the search stops (incomplete) beyond it.
    pub max_states: u64,
    /// The latest time a `wait` may reach, in milliseconds.
    pub max_time_ms: u64,
    /// A planted, wrong tree checker (for the harness's own tests).
    pub defect: Option<TreeDefect>,
}

impl TreeCheckConfig {
    /// The configuration of a tree file's `sup` and `child` lines (its steps are ignored),
    /// with the default bounds.
    ///
    /// # Errors
    ///
    /// The tree's first problem, as the tree parser reports it.
    pub fn new(text: &str) -> Result<Self, ParseError> {
        let nodes: String = text
            .lines()
            .filter(|line| {
                let first = line.split_ascii_whitespace().next();
                matches!(first, Some("sup" | "child"))
            })
            .map(|line| format!("{}\n", line.trim()))
            .collect();
        let tree = parse_tree(&nodes)?;
        Ok(TreeCheckConfig {
            nodes,
            tree,
            depth: 20,
            max_states: 2_000_000,
            max_time_ms: 3 * WAIT_MS,
            defect: None,
        })
    }

    /// The configuration of [`DEFAULT_TREE`].
    pub fn default_tree() -> Self {
        match Self::new(DEFAULT_TREE) {
            Ok(config) => config,
            Err(err) => unreachable!("the default tree parses: {err}"),
        }
    }

    /// The tree file of a path: the tree's lines, then one step per move (a wait is a `count`
    /// on the root, which changes nothing but the time).
    pub fn file_text(&self, path: &[TreeMove]) -> String {
        let mut text = self.nodes.clone();
        let mut now = 0;
        for step in path {
            if *step == TreeMove::wait() {
                now += WAIT_MS;
                let _ = writeln!(text, "at {now} count");
            } else {
                let _ = writeln!(text, "at {now} {step}");
            }
        }
        text
    }
}

/// One operation: the tree-format step it is, without its time (`wait` moves the clock).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TreeMove(pub String);

impl TreeMove {
    /// The move that only lets [`WAIT_MS`] pass.
    pub fn wait() -> Self {
        TreeMove("wait".to_owned())
    }
}

impl fmt::Display for TreeMove {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A state: the path that leads to it, its fingerprint and its enabled moves.
#[derive(Clone, Debug)]
pub struct TreeState {
    path: Vec<TreeMove>,
    now: u64,
    fingerprint: u64,
    enabled: Vec<TreeMove>,
}

impl Hash for TreeState {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.fingerprint.hash(state);
    }
}

impl TreeState {
    /// The tree once its root has started.
    ///
    /// # Errors
    ///
    /// The violation of a checker during the start-up.
    pub fn initial(config: &TreeCheckConfig) -> Result<Self, Violation> {
        let mut state = TreeState {
            path: Vec::new(),
            now: 0,
            fingerprint: 0,
            enabled: Vec::new(),
        };
        state.run(config)?;
        Ok(state)
    }

    /// The moves from the start to this state.
    pub fn path(&self) -> &[TreeMove] {
        &self.path
    }

    /// Replays the path in a fresh world with every checker on and reads the state it leads
    /// to.
    fn run(&mut self, config: &TreeCheckConfig) -> Result<(), Violation> {
        let text = config.file_text(&self.path);
        let tree = parse_tree(&text).map_err(|err| Violation {
            checker: "parse-error",
            message: err.to_string(),
        })?;
        let checker = Box::new(TreeInvariants::with_defect(config.defect));
        let now = self.now;
        let (fingerprint, enabled) =
            run_inspected(&tree, checker, |world| observe(world, config, now))
                .map_err(|err| violation_of(&err, config.defect))?;
        self.fingerprint = fingerprint;
        self.enabled = enabled;
        Ok(())
    }
}

impl Space for TreeState {
    type Config = TreeCheckConfig;
    type Step = TreeMove;
    type Shelf = Vec<TreeState>;

    fn enabled(&self, _config: &TreeCheckConfig, out: &mut Vec<TreeMove>) {
        out.clear();
        out.extend(self.enabled.iter().cloned());
    }

    fn take(&mut self, config: &TreeCheckConfig, step: &TreeMove) -> Result<(), Violation> {
        if *step == TreeMove::wait() {
            self.now += WAIT_MS;
        }
        self.path.push(step.clone());
        self.run(config)
    }

    fn bounds(config: &TreeCheckConfig) -> (u32, u64) {
        (config.depth, config.max_states)
    }
}

/// A tree run's error as a violation, named by its checker.
fn violation_of(err: &WorldError, defect: Option<TreeDefect>) -> Violation {
    let failure = failure_of(err);
    let planted = defect.map(TreeDefect::check);
    let checker = CHECKS
        .iter()
        .copied()
        .chain(planted)
        .chain(["does-not-settle", "driver-error", "too-large"])
        .find(|name| *name == failure.check)
        .unwrap_or("tree");
    Violation {
        checker,
        message: failure.detail,
    }
}

/// The fingerprint of the world at rest and the moves it enables.
fn observe(
    world: &mut World<'_>,
    config: &TreeCheckConfig,
    now: u64,
) -> Result<(u64, Vec<TreeMove>), WorldError> {
    let tree = &config.tree;
    let live = world.live();
    let rank = |pid: Pid| live.iter().position(|&p| p == pid);
    let mut hasher = DefaultHasher::new();
    // The time: within its second for the stamps to come, and as a whole for the waits left.
    now.hash(&mut hasher);
    // How far each node's list of init outcomes has gone.
    for (node, decl) in tree.nodes.iter().enumerate() {
        if let NodeKind::Worker(template) = &decl.kind {
            if template.init.len() > 1 {
                let attempts = world
                    .trace()
                    .iter()
                    .filter(|e| matches!(e.event, TreeEvent::Spawned { node: n, .. } if n == node))
                    .count();
                (node, attempts.min(template.init.len())).hash(&mut hasher);
            }
        }
    }
    let mut moves = Vec::new();
    let root_alive = world.root_alive();
    root_alive.hash(&mut hasher);
    for &pid in &live {
        let Some(r) = world.ref_of(pid) else {
            continue;
        };
        let parent = world.parent_of(pid).and_then(rank);
        (r.node, parent).hash(&mut hasher);
        let name = world.ref_text(r);
        let Some(node) = tree.node(r.node) else {
            continue;
        };
        if node.is_worker() {
            moves.push(TreeMove(format!("exit {name} normal")));
            moves.push(TreeMove(format!("exit {name} boom")));
        }
        if parent.is_some() {
            moves.push(TreeMove(format!("kill {name}")));
        }
        let Some(decl) = node.sup() else {
            continue;
        };
        // Its restart stamps still in its window, by age.
        let seconds = now / 1_000;
        for entry in world.trace() {
            if let TreeEvent::RestartCounted { sup, second, .. } = entry.event {
                let age = seconds.saturating_sub(second);
                if sup == pid && age <= decl.max_seconds {
                    age.hash(&mut hasher);
                }
            }
        }
        let on = tree.name(r.node);
        for child in tree.children_of(r.node) {
            let child_name = tree.name(child);
            if decl.dynamic {
                moves.push(TreeMove(format!("on {on} start {child_name}")));
            } else {
                moves.push(TreeMove(format!("on {on} terminate {child_name}")));
                moves.push(TreeMove(format!("on {on} restart {child_name}")));
            }
        }
        match world.call(pid, Request::Which)? {
            CoreReply::Static(StaticReply::WhichChildren(rows)) => {
                for row in rows {
                    let status = match row.pid {
                        ChildPid::Running(child) => rank(child),
                        ChildPid::Restarting => Some(usize::MAX),
                        ChildPid::Undefined => None,
                    };
                    (row.id, status).hash(&mut hasher);
                }
            }
            CoreReply::Dynamic(DynReply::WhichChildren(infos)) => {
                for info in infos {
                    let child = info.pid.and_then(rank);
                    child.hash(&mut hasher);
                    if let Some(r) = info.pid.and_then(|p| world.ref_of(p)) {
                        let child_name = world.ref_text(r);
                        moves.push(TreeMove(format!("on {on} terminate {child_name}")));
                    }
                }
            }
            _ => {}
        }
    }
    if root_alive {
        if now + WAIT_MS <= config.max_time_ms {
            moves.push(TreeMove::wait());
        }
        moves.push(TreeMove("stop".to_owned()));
    } else {
        moves.clear();
    }
    Ok((hasher.finish(), moves))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_check::search::{replay_from, search_from};

    #[test]
    fn the_default_tree_is_clean_to_depth_3_and_states_merge() {
        let mut config = TreeCheckConfig::default_tree();
        config.depth = 3;
        let initial = TreeState::initial(&config).expect("starts");
        let report = search_from(initial, &config, 1, &mut |_, _, _| {});
        assert!(report.violation.is_none(), "{:?}", report.violation);
        assert_eq!(report.depth, 3);
        // Paths that lead to the same state count once.
        assert!(report.states < report.transitions, "{report:?}");
    }

    #[test]
    fn a_planted_checker_is_found_by_the_shortest_path_and_replays() {
        let mut config = TreeCheckConfig::default_tree();
        config.depth = 4;
        config.defect = Some(TreeDefect::EscalationForbidden);
        let initial = TreeState::initial(&config).expect("starts");
        let report = search_from(initial.clone(), &config, 2, &mut |_, _, _| {});
        let found = report.violation.expect("the planted checker fires");
        assert_eq!(found.violation.checker, "planted-escalation-forbidden");
        // ds gives up once f, whose restarts fail, exits: start it, then its exit.
        assert_eq!(
            found.path,
            [
                TreeMove("on ds start f".to_owned()),
                TreeMove("exit f#1 normal".to_owned())
            ]
        );
        let (_, replayed) = replay_from(initial, &config, &found.path);
        assert_eq!(
            replayed.map(|v| v.checker),
            Some("planted-escalation-forbidden")
        );
        // The path as a tree file fails the same way in an ordinary run.
        let text = config.file_text(&found.path);
        let failure = crate::testing::check_tree_text_with(
            &text,
            config.defect,
            &mut crate::coverage::Coverage::new(),
        )
        .unwrap_err();
        assert_eq!(failure.check, "planted-escalation-forbidden");
    }
}
