//! The packed form of the model checker's worlds (`World::pack`, `World::unpack_from`): every
//! state a search reaches reads back exactly, field by field and fingerprint, whatever state
//! the world it is unpacked into held before; and bytes cut short are refused.

use std::collections::HashSet;

use dynsup_sim::model_check::config::{default_set, CheckConfig, Template};
use dynsup_sim::model_check::search::Space;
use dynsup_sim::model_check::world::{Step, World};

/// Every state reachable in `config` (breadth first, up to `limit` distinct states).
fn reachable(config: &CheckConfig, limit: usize) -> Vec<World> {
    let initial = World::new(config).expect("valid config");
    let mut seen = HashSet::from([initial.fingerprint(config)]);
    let mut states = vec![initial];
    let mut next = 0;
    let mut steps: Vec<Step> = Vec::new();
    while let Some(world) = states.get(next).cloned() {
        next += 1;
        world.enabled(config, &mut steps);
        for step in &steps {
            let mut successor = world.clone();
            if successor.take(config, step).is_err() {
                continue;
            }
            if states.len() < limit && seen.insert(successor.fingerprint(config)) {
                states.push(successor);
            }
        }
    }
    states
}

/// The world's fields as `Debug` prints them, but for the core's record of whether it changed
/// since it was copied (bookkeeping of the search, no part of the state: an unpacked core
/// counts as changed).
fn state_text(world: &World) -> String {
    format!("{world:?}").replace("changed: false", "changed: true")
}

/// Packs every state, unpacks it into a world that held the state before it, and compares.
fn assert_every_state_reads_back(config: &CheckConfig, limit: usize) -> usize {
    let states = reachable(config, limit);
    let mut scratch = World::new(config).expect("valid config");
    let mut bytes = Vec::new();
    let mut again = Vec::new();
    for (index, world) in states.iter().enumerate() {
        bytes.clear();
        world.pack(&mut bytes);
        assert_eq!(scratch.unpack_from(&bytes), Ok(()), "state {index}");
        assert_eq!(state_text(&scratch), state_text(world), "state {index}");
        assert_eq!(
            scratch.own_fingerprint(),
            world.own_fingerprint(),
            "state {index}"
        );
        assert_eq!(scratch.fingerprint(config), world.fingerprint(config));
        again.clear();
        scratch.pack(&mut again);
        assert_eq!(again, bytes, "state {index} packs again to the same bytes");
        if index % 97 == 0 {
            for cut in 0..bytes.len() {
                let prefix = bytes.get(..cut).unwrap_or_default();
                assert!(
                    scratch.unpack_from(prefix).is_err(),
                    "state {index}, {cut} bytes"
                );
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(
                scratch.unpack_from(&longer).is_err(),
                "state {index}, a byte too many"
            );
        }
    }
    states.len()
}

#[test]
fn every_state_of_the_default_set_reads_back() {
    let limits = [usize::MAX, 20_000, 20_000];
    for (config, limit) in default_set().iter().zip(limits) {
        let states = assert_every_state_reads_back(config, limit);
        assert!(states > 5_000, "{}: {states} states", config.name);
    }
}

/// Several clients waiting at once, start attempts by number, interchangeable templates:
/// every field the default set leaves alone.
#[test]
fn waiting_clients_attempts_and_template_renamings_read_back() {
    let template = |name: &str| -> Template {
        format!("{name}:inits=ok/fail/ok,shutdown=brutal_kill")
            .parse()
            .expect("a valid template")
    };
    let mut config = CheckConfig::custom(vec![template("a"), template("b")]);
    config.max_children = Some(1);
    config.bounds.starts = 2;
    config.bounds.crashes = 1;
    config.bounds.clients = 2;
    config.bounds.listings = true;
    let states = assert_every_state_reads_back(&config, 30_000);
    assert!(states > 5_000, "{states} states");
}
