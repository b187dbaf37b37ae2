//! Hand-written checks of the reference model, and of what each planted defect changes.
//!
//! The model is compared with the simulator on every scenario file, and with the real-OTP
//! golden transcripts, in `tests/model_based.rs`.

use super::*;
use crate::scenario::parse;

fn transcript(text: &str, defect: Option<Defect>) -> String {
    let scenario = parse(text).expect("scenario parses");
    run_with(&scenario, defect).expect("model runs").to_string()
}

#[test]
fn scenarios_md_example() {
    let text = "supervisor max_restarts=1\nchild w\nchild t restart=transient\n\
                at 0 start w\nat 0 start t\nat 100 exit t#1 normal\nat 200 exit w#1 boom\n\
                at 300 kill w#2\nat 400 count\n";
    let expected = "@0 start w -> ok w#1\n  up w#1\n\
                    @0 start t -> ok t#1\n  up t#1\n\
                    @100 exit t#1 normal -> ok\n  down t#1 normal\n\
                    @200 exit w#1 boom -> ok\n  down w#1 boom\n  up w#2\n\
                    @300 kill w#2 -> ok\n  down w#2 killed\n  sup down shutdown\n\
                    @400 count -> error noproc\n";
    assert_eq!(transcript(text, None), expected);
}

#[test]
fn terminate_waits_and_moves_the_clock() {
    // A trapping child killed at its 200 ms timeout; the next step, written at 100, runs at
    // 200 (stamp 0), so the crash after it and the one at 1500 (stamp 1) share a window.
    let text = "supervisor max_restarts=1 max_seconds=1\n\
                child deaf trap_exit=true stop_ms=5000 shutdown=200\nchild w\n\
                at 0 start deaf\nat 0 start w\nat 0 terminate deaf#1\nat 100 kill w#1\n\
                at 1500 kill w#2\n";
    let expected = "@0 start deaf -> ok deaf#1\n  up deaf#1\n\
                    @0 start w -> ok w#1\n  up w#1\n\
                    @0 terminate deaf#1 -> ok\n  down deaf#1 killed\n\
                    @100 kill w#1 -> ok\n  down w#1 killed\n  up w#2\n\
                    @1500 kill w#2 -> ok\n  down w#2 killed\n  sup down shutdown\n";
    assert_eq!(transcript(text, None), expected);
}

#[test]
fn shutdown_per_child_setting() {
    let text = "child bk shutdown=brutal_kill trap_exit=true stop_ms=50\n\
                child plain stop_ms=900\n\
                child inf trap_exit=true stop_ms=300 shutdown=infinity\n\
                child tie trap_exit=true stop_ms=100 shutdown=100\n\
                at 0 start bk\nat 0 start plain\nat 0 start inf\nat 0 start tie\n\
                at 10 stop\nat 20 stop\n";
    let expected = "@0 start bk -> ok bk#1\n  up bk#1\n\
                    @0 start plain -> ok plain#1\n  up plain#1\n\
                    @0 start inf -> ok inf#1\n  up inf#1\n\
                    @0 start tie -> ok tie#1\n  up tie#1\n\
                    @10 stop -> ok\n  down bk#1 killed\n  down inf#1 shutdown\n  \
                    down plain#1 shutdown\n  down tie#1 killed\n  sup down shutdown\n\
                    @20 stop -> error noproc\n";
    assert_eq!(transcript(text, None), expected);
}

#[test]
fn failed_restarts_count_and_exhaust() {
    // R=2: attempts 2 and 3 fail, the third restart is refused; the sibling goes down.
    let text = "supervisor max_restarts=2\nchild c init=ok,stop:bad\nchild s\n\
                at 0 start c\nat 0 start s\nat 10 exit c#1 normal\nat 20 which\nat 30 exit s#1 x\n";
    let expected = "@0 start c -> ok c#1\n  up c#1\n\
                    @0 start s -> ok s#1\n  up s#1\n\
                    @10 exit c#1 normal -> ok\n  down c#1 normal\n  down s#1 shutdown\n  \
                    fail c#2 bad\n  fail c#3 bad\n  sup down shutdown\n\
                    @20 which -> error noproc\n\
                    @30 exit s#1 x -> dead\n";
    assert_eq!(transcript(text, None), expected);
}

#[test]
fn a_restart_loop_is_an_error_naming_the_child() {
    let text = "supervisor max_restarts=1000000000\nchild c init=ok,stop:no\n\
                at 0 start c\nat 10 kill c#1\n";
    let scenario = parse(text).expect("scenario parses");
    let err = run(&scenario).expect_err("does not settle");
    assert!(matches!(&err, ModelError::RestartLoop { child, .. } if child == "c#1"));
    assert!(err.to_string().contains("c#1"), "{err}");
}

#[test]
fn each_defect_changes_its_own_rule() {
    let cases = [
        (
            Defect::IntensityOffByOne,
            // R=1, P=1: stamps 0 and 1 are in one window (1 - 0 <= 1), so the second crash
            // kills the supervisor; with `<` it survives.
            "supervisor max_restarts=1 max_seconds=1\nchild w\n\
             at 0 kill w#1\nat 0 start w\nat 20 kill w#1\nat 1950 kill w#2\n",
        ),
        (
            Defect::RestartTerminated,
            "child w\nat 0 start w\nat 10 terminate w#1\nat 20 count\n",
        ),
        (
            Defect::TemporaryRestarted,
            "child t restart=temporary\nat 0 start t\nat 10 exit t#1 boom\nat 20 count\n",
        ),
        (
            Defect::MaxChildrenIgnoresRestarting,
            "supervisor max_children=1\nchild w\nat 0 start w\nat 10 kill w#1\nat 20 start w\n",
        ),
    ];
    for (defect, text) in cases {
        let good = transcript(text, None);
        let bad = transcript(text, Some(defect));
        assert_ne!(good, bad, "{defect:?} changes nothing in\n{text}");
    }
}

/// Races (docs/races.md): the calls queued behind a crash whose restart fails are answered
/// before its retry, on their own lines (the real OTP's r04), and an exit queued behind a
/// terminate of its child is consumed (r01).
#[test]
fn races_queue_in_the_mailbox_and_are_answered_on_their_own_lines() {
    let r04 = crate::scenario::parse(
        "child w init=ok,stop:nope,ok\nat 0 start w\nat 100 suspend\nat 100 exit w#1 boom\n\
         at 100 which\nat 100 count\nat 100 resume\nat 200 which\n",
    )
    .unwrap();
    assert_eq!(
        crate::model::run(&r04).unwrap().to_string(),
        "@0 start w -> ok w#1\n  up w#1\n@100 suspend -> ok\n@100 exit w#1 boom -> ok\n  \
         down w#1 boom\n@100 which -> restarting\n\
         @100 count -> active=0 specs=1 supervisors=0 workers=1\n@100 resume -> ok\n  \
         fail w#2 nope\n  up w#3\n@200 which -> w#3\n"
    );
    let r01 = crate::scenario::parse(
        "child w\nat 0 start w\nat 100 suspend\nat 100 terminate w#1\nat 100 exit w#1 boom\n\
         at 100 resume\nat 200 which\n",
    )
    .unwrap();
    let text = crate::model::run(&r01).unwrap().to_string();
    assert!(text.contains("@100 terminate w#1 -> ok\n"), "{text}");
    assert!(text.ends_with("@200 which -> -\n"), "{text}");
}
