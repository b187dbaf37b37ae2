//! Unit tests of the tree reference model: what it refuses, and a restart loop.

use super::{run, TreeModelError};
use crate::tree::parse_tree;

#[test]
fn a_restart_retried_for_ever_does_not_settle() {
    let tree = parse_tree(
        "sup root max_restarts=1000000 max_seconds=1\nchild w init=ok,stop:boom\nat 10 exit w#1 boom\n",
    )
    .expect("parses");
    let err = run(&tree).expect_err("never settles");
    assert!(matches!(err, TreeModelError::RestartLoop { .. }), "{err}");
    assert!(err.to_string().starts_with("does not settle"), "{err}");
}

#[test]
fn the_name_race_is_refused() {
    let tree = parse_tree("sup root\nsup mid in=root\nsup low in=mid\nat 100 kill mid#1\n")
        .expect("parses");
    let err = run(&tree).expect_err("refused");
    assert_eq!(
        err,
        TreeModelError::Unsupported {
            what: "low#2 needs the name of an orphan of a killed supervisor in the step that \
                   killed it (the name race)"
                .to_owned()
        }
    );
}

#[test]
fn a_temporary_killed_supervisor_leaves_no_race() {
    // kill_mid_children_killed's shape: the killed supervisor is not restarted.
    let tree = parse_tree(
        "sup root\nsup mid in=root restart=temporary\nsup low in=mid\nchild z in=low\n\
         at 100 kill mid#1\nat 200 count\n",
    )
    .expect("parses");
    let transcript = run(&tree).expect("covered").to_string();
    assert_eq!(
        transcript,
        "@0 init -> ok\n  up low#1\n  up mid#1\n  up z#1\n@100 kill mid#1 -> ok\n  \
         down low#1 killed\n  down mid#1 killed\n  down z#1 shutdown\n\
         @200 count -> active=0 specs=0 supervisors=0 workers=0\n"
    );
}

#[test]
fn a_child_still_stopping_under_a_timer_killed_supervisor_keeps_its_name() {
    // Explorer seed 18624, shrunk: s0 (one_for_all) stops s1, whose 172 ms timer kills it while
    // s2 waits for w0's 275 ms cleanup; s1's restart at 172 finds s2#1 still registered.
    let tree = parse_tree(
        "sup s0 strategy=one_for_all\nsup s1 in=s0 shutdown=172\nsup s2 in=s1\n\
         child w0 trap_exit=true stop_ms=275 in=s2\nchild w5 in=s0\nat 0 exit w5#1 kill\n",
    )
    .expect("parses");
    let transcript = run(&tree).expect("covered").to_string();
    assert!(
        transcript.contains("  down s1#1 killed\n  down s2#1 shutdown\n  down w0#1 shutdown\n"),
        "{transcript}"
    );
    assert!(
        transcript.contains("  fail s2#2 already_started:s2#1\n"),
        "{transcript}"
    );
    assert!(
        transcript.ends_with("  sup down shutdown\n"),
        "{transcript}"
    );
}
