//! The calls a tree step makes to a supervisor, and how each kind of core takes them.

use dynsup::static_supervisor::StaticChildSpec;
use dynsup::{CallId, ChildSpec, Instant, Pid};

use super::core::{child_spec, Core};
use super::model::Tree;

/// A call to a supervisor, as a step makes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// `start_child` of node `0`.
    Start(usize),
    /// Static `terminate_child(id)`.
    TerminateId(usize),
    /// Dynamic `terminate_child(pid)` (`None`: a REF that names no process).
    TerminatePid(Option<Pid>),
    /// Static `restart_child(id)`.
    Restart(usize),
    /// Static `delete_child(id)`.
    Delete(usize),
    /// `count_children`.
    Count,
    /// `which_children`.
    Which,
}

/// The child spec of node `node` (its start function: the node's index); `significant` only
/// as the child of a static supervisor.
pub(crate) fn node_spec(tree: &Tree, node: usize, in_static: bool) -> ChildSpec<usize, ()> {
    match tree.node(node) {
        Some(n) => child_spec(
            node,
            n.restart,
            n.shutdown,
            n.sup().is_some(),
            in_static && n.significant,
        ),
        None => child_spec(
            node,
            dynsup::Restart::Temporary,
            dynsup::Shutdown::BrutalKill,
            false,
            false,
        ),
    }
}

/// The static child spec of node `node`.
pub(crate) fn static_spec(tree: &Tree, node: usize) -> StaticChildSpec<usize, usize, ()> {
    StaticChildSpec::new(node, node_spec(tree, node, true))
}

/// Gives a step's call to a core. A request the core's kind does not serve (the parser never
/// makes one) is refused as a driver error.
pub(crate) fn call_core(
    core: &mut Core,
    tree: &Tree,
    now: Instant,
    call: CallId,
    request: Request,
) -> Result<(), String> {
    let result = match core {
        Core::Static(core) => match request {
            Request::Start(node) => core.start_child(now, call, static_spec(tree, node)),
            Request::TerminateId(node) => core.terminate_child(now, call, node),
            Request::Restart(node) => core.restart_child(now, call, node),
            Request::Delete(node) => core.delete_child(now, call, node),
            Request::Count => core.count_children(now, call),
            Request::Which => core.which_children(now, call),
            Request::TerminatePid(_) => {
                return Err("a static supervisor terminates children by id".to_owned())
            }
        },
        Core::Dynamic(core) => match request {
            Request::Start(node) => {
                let spec = node_spec(tree, node, false);
                match spec.validate() {
                    Ok(valid) => core.start_child(now, call, valid),
                    // The parser only declares valid specs.
                    Err(e) => return Err(e.to_string()),
                }
            }
            Request::TerminatePid(pid) => {
                core.terminate_child(now, call, pid.unwrap_or(Pid(u64::MAX)))
            }
            Request::Count => core.count_children(now, call),
            Request::Which => core.which_children(now, call),
            // The parser only gives these to static supervisors.
            Request::TerminateId(_) | Request::Restart(_) | Request::Delete(_) => {
                return Err("a dynamic supervisor has no child ids".to_owned())
            }
        },
    };
    result.map_err(|e| e.to_string())
}
