//! The parsed form of a tree file: its supervisors and workers (one name space, in file order)
//! and its timed steps.

use dynsup::{AutoShutdown, ExitReason, Restart, Shutdown, Strategy};

use crate::scenario::{Name, Template};

/// A whole tree scenario (docs/tree-scenarios.md).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    /// Every `sup` and `child` line, in file order; the root is `nodes[0]`.
    pub nodes: Vec<Node>,
    /// The steps, in file order; their times never decrease.
    pub steps: Vec<TreeStep>,
}

impl Tree {
    /// The node called `name`, by index.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }

    /// The node at `index`.
    pub fn node(&self, index: usize) -> Option<&Node> {
        self.nodes.get(index)
    }

    /// The name of node `index` (`?` for none).
    pub fn name(&self, index: usize) -> &str {
        self.nodes.get(index).map_or("?", |n| n.name.as_str())
    }

    /// The declared children (or templates) of supervisor `sup`, in file order.
    pub fn children_of(&self, sup: usize) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| self.nodes.get(i).and_then(|n| n.parent) == Some(sup))
            .collect()
    }
}

/// One `sup` or `child` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Its name (a static child's id, a registered supervisor's name).
    pub name: Name,
    /// The supervisor it belongs to (`None` for the root).
    pub parent: Option<usize>,
    /// As a child: its restart type.
    pub restart: Restart,
    /// As a child: its shutdown.
    pub shutdown: Shutdown,
    /// As a child of a static supervisor: whether it is significant.
    pub significant: bool,
    /// As a child of a static supervisor: only started by a `start NAME` step.
    pub later: bool,
    /// A worker or a supervisor.
    pub kind: NodeKind,
    /// The 1-based source line.
    pub line: usize,
}

impl Node {
    /// The supervisor settings, if this node is a supervisor.
    pub fn sup(&self) -> Option<&SupDecl> {
        match &self.kind {
            NodeKind::Sup(decl) => Some(decl),
            NodeKind::Worker(_) => None,
        }
    }

    /// Whether this node is a worker.
    pub fn is_worker(&self) -> bool {
        matches!(self.kind, NodeKind::Worker(_))
    }
}

/// What a node is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A scripted worker with format 1's keys (the template's `restart` and `shutdown` are
    /// those of the [`Node`]).
    Worker(Template),
    /// A supervisor.
    Sup(SupDecl),
}

/// A supervisor's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupDecl {
    /// `kind=dynamic` (else static).
    pub dynamic: bool,
    /// `strategy=` (static only).
    pub strategy: Strategy,
    /// `max_children=` (dynamic only; `None` is infinity).
    pub max_children: Option<u64>,
    /// `auto_shutdown=` (static only).
    pub auto_shutdown: AutoShutdown,
    /// `max_restarts=`.
    pub max_restarts: u64,
    /// `max_seconds=`.
    pub max_seconds: u64,
}

impl Default for SupDecl {
    fn default() -> Self {
        SupDecl {
            dynamic: false,
            strategy: Strategy::OneForOne,
            max_children: None,
            auto_shutdown: AutoShutdown::Never,
            max_restarts: 3,
            max_seconds: 5,
        }
    }
}

/// An `at MS [on SUP] OP` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeStep {
    /// The written time.
    pub at_ms: u64,
    /// The supervisor the operation goes to (node index; the root when not written).
    pub on: usize,
    /// The operation.
    pub op: TreeOp,
    /// The step as the transcript repeats it: `@MS [on SUP] OP`.
    pub text: String,
    /// The 1-based source line.
    pub line: usize,
}

/// A process reference `NAME#K` by node index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeRef {
    /// The node.
    pub node: usize,
    /// The attempt number, from 1.
    pub attempt: u64,
}

/// A step's operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TreeOp {
    /// `start NAME` (a child of a static supervisor, or a template of a dynamic one).
    Start(usize),
    /// `terminate NAME` on a static supervisor.
    TerminateId(usize),
    /// `terminate REF` on a dynamic supervisor.
    TerminateRef(NodeRef),
    /// `restart NAME` (static only).
    Restart(usize),
    /// `delete NAME` (static only).
    Delete(usize),
    /// `count`.
    Count,
    /// `which`.
    Which,
    /// `stop` (the root only).
    Stop,
    /// `exit REF REASON` (a worker).
    Exit(NodeRef, ExitReason),
    /// `kill REF` (any process).
    Kill(NodeRef),
}
