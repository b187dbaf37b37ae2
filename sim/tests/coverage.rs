//! Coverage of supervisor situations ("sometimes" properties): the default `explore` run
//! reaches every situation, those only a race produces included (the explorer writes
//! `suspend`/`resume` windows, docs/races.md); each situation's detector fires on a small
//! witness scenario.

use std::sync::OnceLock;

use dynsup_sim::coverage::{Coverage, Situation};
use dynsup_sim::{explore, scenario};

/// Seeds of the coverage test, from 0. `dynsup-sim explore`'s default is 10,000 seeds of 200
/// steps; this debug-build test runs the first ones with the same steps, and the default run
/// reaches every situation too (docs/coverage.md has the table). The rarest is
/// `head-start-tie`: seed 1013 is the first to reach it (and the only one of the default 10,000;
/// 102 of the first 100,000 do).
const SEEDS: u64 = 1_100;
/// Steps per scenario: `dynsup-sim explore`'s default.
const STEPS: usize = 200;

/// The coverage of seeds `0..SEEDS`, computed once for every test that needs it.
fn default_run() -> &'static Coverage {
    static COVERAGE: OnceLock<Coverage> = OnceLock::new();
    COVERAGE.get_or_init(|| explore::coverage_of_seeds(0..SEEDS, STEPS))
}

#[test]
fn the_default_explore_run_reaches_every_situation() {
    let coverage = default_run();
    let missing = coverage.missing();
    assert!(
        missing.is_empty(),
        "never reached in seeds 0..{SEEDS} of {STEPS} steps: {missing:?}\n{coverage}"
    );
}

/// A small scenario that reaches each situation (a race file for the last six).
fn witness(situation: Situation) -> &'static str {
    use Situation::*;
    match situation {
        StartIgnored => "child w init=ignore\nat 0 start w\n",
        StartFailed => "child w init=stop:bad\nat 0 start w\n",
        MaxChildrenRefused => "supervisor max_children=1\nchild w\nat 0 start w\nat 1 start w\n",
        MaxChildrenSlotFreed => {
            "supervisor max_children=1\nchild w\nat 0 start w\nat 1 start w\n\
             at 2 terminate w#1\nat 3 start w\n"
        }
        RestartAtMaxChildren => "supervisor max_children=1\nchild w\nat 0 start w\nat 1 kill w#1\n",
        PermanentNormalRestarted => "child w\nat 0 start w\nat 1 exit w#1 normal\n",
        TransientCleanRemoved => {
            "child w restart=transient\nat 0 start w\nat 1 exit w#1 shutdown\n"
        }
        TransientShutdownTermRemoved => {
            "child w restart=transient\nat 0 start w\nat 1 exit w#1 shutdown:x\n"
        }
        TransientAbnormalRestarted => {
            "child w restart=transient\nat 0 start w\nat 1 exit w#1 boom\n"
        }
        TemporaryCrashRemoved => "child w restart=temporary\nat 0 start w\nat 1 exit w#1 boom\n",
        KilledRestarted => "child w\nat 0 start w\nat 1 kill w#1\n",
        FailedRestartRetried | FailedRestartRecovers => {
            "child w init=ok,stop:flaky,ok\nat 0 start w\nat 1 kill w#1\n"
        }
        RestartIgnored => "child w init=ok,ignore\nat 0 start w\nat 1 kill w#1\n",
        IntensityFirstRestart => {
            "supervisor max_restarts=0\nchild w\nat 0 start w\nat 1 kill w#1\n"
        }
        IntensityFailingChain => "child w init=ok,stop:boom\nat 0 start w\nat 1 kill w#1\n",
        IntensityExits | IntensityStopsOthers => {
            "supervisor max_restarts=1\nchild w\nat 0 start w\nat 0 start w\n\
             at 1 kill w#1\nat 2 kill w#3\n"
        }
        RestartsOutlastWindow => {
            "supervisor max_restarts=1 max_seconds=1\nchild w\nat 0 start w\n\
             at 1 kill w#1\nat 5000 kill w#2\n"
        }
        WindowEdge => {
            "supervisor max_restarts=1 max_seconds=2\nchild w\nat 0 start w\n\
             at 1 kill w#1\nat 2000 kill w#2\n"
        }
        TerminateNotFound => "child w\nat 0 start w\nat 1 terminate w#2\n",
        TerminateBrutalKill => "child w shutdown=brutal_kill\nat 0 start w\nat 1 terminate w#1\n",
        TerminateAtOnce => "child w\nat 0 start w\nat 1 terminate w#1\n",
        TerminateCleanupInTime => {
            "child w trap_exit=true stop_ms=10\nat 0 start w\nat 1 terminate w#1\n"
        }
        KillTimerFired => {
            "child w trap_exit=true stop_ms=300 shutdown=50\nat 0 start w\nat 1 terminate w#1\n"
        }
        KillTimerTie => {
            "child w trap_exit=true stop_ms=50 shutdown=50\nat 0 start w\nat 1 terminate w#1\n"
        }
        // The race scenario of the real OTP r26.
        HeadStartTie => {
            "supervisor max_restarts=0\nchild t shutdown=50 trap_exit=true stop_ms=50\n\
             child p\nchild d restart=transient\nat 0 start p\nat 10 start t\nat 20 start d\n\
             at 100 suspend\nat 100 exit p#1 boom\nat 100 exit d#1 normal\nat 100 resume\n"
        }
        InfinityWaitedOut => {
            "child w trap_exit=true stop_ms=3000 shutdown=infinity\nat 0 start w\n\
             at 1 terminate w#1\n"
        }
        StopEmpty => "child w\nat 0 stop\n",
        StopSeveralTimeouts | StopMixedOutcomes => {
            "child a trap_exit=true stop_ms=300 shutdown=50\n\
             child b trap_exit=true stop_ms=10 shutdown=200\n\
             at 0 start a\nat 0 start b\nat 1 stop\n"
        }
        CallAfterDown => "child w\nat 0 stop\nat 1 count\n",
        // The race scenarios of the real OTP: r04, r10, r01, r13.
        CallFindsRestarting => {
            "child w init=ok,stop:nope,ok\nat 0 start w\nat 100 suspend\n\
             at 100 exit w#1 boom\nat 100 which\nat 100 resume\n"
        }
        MaxChildrenWhileRestarting => {
            "supervisor max_children=1\nchild w init=ok,stop:nope,ok\nat 0 start w\n\
             at 100 suspend\nat 100 exit w#1 boom\nat 100 start w\nat 100 resume\n"
        }
        ExitConsumedByTermination => {
            "child w\nat 0 start w\nat 100 suspend\nat 100 terminate w#1\n\
             at 100 exit w#1 boom\nat 100 resume\n"
        }
        QueuedBehindBlocked => {
            "child w trap_exit=true stop_ms=300 shutdown=1000\nat 0 start w\nat 100 suspend\n\
             at 100 terminate w#1\nat 100 count\nat 100 resume\n"
        }
        // The retry of the failed restart waits behind the terminate, which removes the entry.
        TerminateRestarting => {
            "child w init=ok,stop:nope,ok\nat 0 start w\nat 100 suspend\n\
             at 100 exit w#1 boom\nat 100 terminate w#1\nat 100 resume\n"
        }
        // w#1's restart fails; w#2's restart is one too many while w#1's retry waits.
        StopWhileRestartPending => {
            "supervisor max_restarts=1\nchild w init=ok,ok,stop:late\nat 0 start w\nat 0 start w\n\
             at 100 suspend\nat 100 exit w#1 boom\nat 100 exit w#2 boom\nat 100 resume\n"
        }
    }
}

#[test]
fn each_situation_has_a_witness_that_reaches_it() {
    for situation in Situation::ALL {
        let text = witness(situation);
        let parsed = scenario::parse(text).unwrap_or_else(|err| panic!("{situation}: {err}"));
        let mut coverage = Coverage::new();
        explore::check_scenario_counted(&parsed, &mut coverage)
            .unwrap_or_else(|failure| panic!("{situation}: {failure}"));
        assert!(
            coverage.count(situation) > 0,
            "{situation} not reached by its witness:\n{text}\n{coverage}"
        );
    }
}

#[test]
fn a_plain_run_reaches_nothing_special() {
    // A child started and left alone reaches none of the situations: the detectors do not
    // fire on the ordinary path.
    let parsed = scenario::parse("child w\nat 0 start w\nat 5 count\nat 9 which\n").unwrap();
    let mut coverage = Coverage::new();
    explore::check_scenario_counted(&parsed, &mut coverage).unwrap();
    assert_eq!(coverage, Coverage::new(), "{coverage}");
}
