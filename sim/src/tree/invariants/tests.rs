//! Each checker fires on a hand-made bad trace.

use dynsup::{ExitReason, Instant, Pid};

use super::*;
use crate::tree::parser::parse_tree;
use crate::tree::trace::{TreeEntry, TreeEvent};

fn at(event: TreeEvent) -> TreeEntry {
    TreeEntry {
        at: Instant::ZERO,
        event,
    }
}

fn spawned(pid: u64, node: usize, parent: Option<u64>, supervisor: bool) -> TreeEntry {
    at(TreeEvent::Spawned {
        pid: Pid(pid),
        node,
        attempt: 1,
        parent: parent.map(Pid),
        supervisor,
    })
}

fn up(pid: u64) -> TreeEntry {
    at(TreeEvent::Up { pid: Pid(pid) })
}

fn run(tree_text: &str, entries: &[TreeEntry], at_rest: bool) -> Result<(), String> {
    let tree = parse_tree(tree_text).expect("tree parses");
    TreeInvariants::new().check(&tree, entries, at_rest)
}

/// The root supervisor (pid 1) with `children` workers (pids 2, 3, ...), every one up.
fn root_with_children(children: u64) -> Vec<TreeEntry> {
    let mut entries = vec![spawned(1, 0, None, true)];
    for pid in 2..2 + children {
        let node = usize::try_from(pid - 1).unwrap_or(usize::MAX);
        entries.push(spawned(pid, node, Some(1), false));
        entries.push(up(pid));
    }
    entries.push(up(1));
    entries
}

const TREE: &str =
    "sup root strategy=one_for_one\nchild a\nchild b\nsup s in=root max_restarts=1\nchild w in=s\n";

#[test]
fn a_good_trace_passes() {
    let entries = root_with_children(1);
    assert_eq!(run(TREE, &entries, true), Ok(()));
}

#[test]
fn an_orphan_at_rest_fires() {
    let mut entries = root_with_children(1);
    entries.extend([at(TreeEvent::Down {
        pid: Pid(1),
        reason: ExitReason::Killed,
    })]);
    let err = run(TREE, &entries, true).unwrap_err();
    assert!(err.starts_with("orphan: a#1 is alive at rest"), "{err}");
    // Not at rest, the link signal may still be on its way.
    assert_eq!(run(TREE, &entries, false), Ok(()));
}

#[test]
fn a_supervisor_ending_with_a_live_child_fires() {
    let mut entries = root_with_children(1);
    entries.extend([at(TreeEvent::Down {
        pid: Pid(1),
        reason: ExitReason::Shutdown,
    })]);
    let err = run(TREE, &entries, false).unwrap_err();
    assert!(err.contains("while its child a#1 is alive"), "{err}");
}

#[test]
fn first_started_first_stopped_fires() {
    let mut entries = root_with_children(2);
    entries.extend([
        at(TreeEvent::ParentExitSeen { sup: Pid(1) }),
        at(TreeEvent::Signalled {
            sup: Pid(1),
            child: Pid(2),
            kill: false,
        }),
        at(TreeEvent::Down {
            pid: Pid(2),
            reason: ExitReason::Shutdown,
        }),
        at(TreeEvent::Signalled {
            sup: Pid(1),
            child: Pid(3),
            kill: false,
        }),
    ]);
    let err = run(TREE, &entries, false).unwrap_err();
    assert!(
        err.starts_with("shutdown order: root#1 stopped b#1 after a#1"),
        "{err}"
    );
}

#[test]
fn two_children_stopping_at_once_fires() {
    let mut entries = root_with_children(2);
    entries.extend([
        at(TreeEvent::Signalled {
            sup: Pid(1),
            child: Pid(3),
            kill: false,
        }),
        at(TreeEvent::Signalled {
            sup: Pid(1),
            child: Pid(2),
            kill: false,
        }),
    ]);
    let err = run(TREE, &entries, false).unwrap_err();
    assert!(err.contains("while b#1 is still stopping"), "{err}");
}

#[test]
fn one_for_one_touching_a_sibling_fires() {
    let mut entries = root_with_children(2);
    entries.extend([
        at(TreeEvent::Down {
            pid: Pid(2),
            reason: ExitReason::other("boom"),
        }),
        at(TreeEvent::RestartCounted {
            sup: Pid(1),
            node: Some(1),
            second: 0,
        }),
        at(TreeEvent::Signalled {
            sup: Pid(1),
            child: Pid(3),
            kill: false,
        }),
    ]);
    let err = run(TREE, &entries, false).unwrap_err();
    assert!(err.starts_with("strategy: root#1 stopped b#1"), "{err}");
}

#[test]
fn one_for_all_leaving_a_sibling_running_fires() {
    let tree = "sup root strategy=one_for_all\nchild a\nchild b\n";
    let mut entries = root_with_children(2);
    entries.extend([
        at(TreeEvent::Down {
            pid: Pid(2),
            reason: ExitReason::other("boom"),
        }),
        at(TreeEvent::RestartCounted {
            sup: Pid(1),
            node: Some(1),
            second: 0,
        }),
        spawned(4, 1, Some(1), false),
    ]);
    let err = run(tree, &entries, false).unwrap_err();
    assert!(
        err.contains("while b#1 (which its strategy stops)"),
        "{err}"
    );
}

#[test]
fn giving_up_early_or_late_fires() {
    let mut entries = vec![
        spawned(1, 0, None, true),
        spawned(4, 3, Some(1), true),
        spawned(5, 4, Some(4), false),
        up(5),
        up(4),
        up(1),
        at(TreeEvent::RestartCounted {
            sup: Pid(4),
            node: Some(4),
            second: 0,
        }),
    ];
    let mut early = entries.clone();
    early.push(at(TreeEvent::GaveUp { sup: Pid(4) }));
    let err = run(TREE, &early, false).unwrap_err();
    assert!(
        err.contains("gave up within its restart intensity"),
        "{err}"
    );
    entries.push(at(TreeEvent::RestartCounted {
        sup: Pid(4),
        node: Some(4),
        second: 0,
    }));
    entries.push(spawned(6, 4, Some(4), false));
    let err = run(TREE, &entries, false).unwrap_err();
    assert!(err.contains("beyond its restart intensity"), "{err}");
}

#[test]
fn an_unseen_escalation_fires() {
    let entries = [
        spawned(1, 0, None, true),
        spawned(4, 3, Some(1), true),
        up(4),
        up(1),
        at(TreeEvent::RestartCounted {
            sup: Pid(4),
            node: Some(4),
            second: 0,
        }),
        at(TreeEvent::RestartCounted {
            sup: Pid(4),
            node: Some(4),
            second: 0,
        }),
        at(TreeEvent::GaveUp { sup: Pid(4) }),
        at(TreeEvent::Down {
            pid: Pid(4),
            reason: ExitReason::Shutdown,
        }),
    ];
    let err = run(TREE, &entries, true).unwrap_err();
    assert!(
        err.contains("s#1 gave up but its supervisor never saw its exit"),
        "{err}"
    );
    let mut seen = entries.to_vec();
    seen.push(at(TreeEvent::ExitSeen {
        sup: Pid(1),
        child: Pid(4),
        reason: ExitReason::Shutdown,
    }));
    assert_eq!(run(TREE, &seen, true), Ok(()));
}
