//! `dynsup-sim check`'s engine: the default configurations are explored completely with no
//! violation, the same counts every time and for any number of jobs.

use dynsup_sim::model_check::config::default_set;
use dynsup_sim::model_check::search::search;

#[test]
fn default_set_is_clean() {
    for config in default_set() {
        let started = std::time::Instant::now();
        let report = search(&config, 1, &mut |_, _, _| {}).expect("valid config");
        eprintln!(
            "{}: {} states, {} transitions, depth {}, complete {} in {:?}",
            config.name,
            report.states,
            report.transitions,
            report.depth,
            report.complete,
            started.elapsed()
        );
        if let Some(found) = &report.violation {
            let path: Vec<String> = found.path.iter().map(ToString::to_string).collect();
            panic!("{}: {}\n{}", config.name, found.violation, path.join("\n"));
        }
    }
}
