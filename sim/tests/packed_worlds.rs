//! The packed form of the model checker's worlds (`World::pack`, `World::unpack_from`): every
//! state a search reaches reads back exactly, field by field and fingerprint, whatever state
//! the world it is unpacked into held before; and bytes cut short are refused. The same on
//! the search's shelf (`PackedWorlds`), whose states share their cores.

use std::collections::HashSet;

use dynsup_sim::model_check::config::{default_set, CheckConfig, Template};
use dynsup_sim::model_check::search::{Shelf, Space};
use dynsup_sim::model_check::world::{PackedWorlds, Step, World};

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

/// The core's part of [`state_text`], and the rest.
fn split_text(world: &World) -> (String, String) {
    let text = state_text(world);
    let at = text.find(", now: ").unwrap_or(text.len());
    let (core, rest) = text.split_at(at);
    (core.to_owned(), rest.to_owned())
}

/// Loads state `index` of `shelf` into `scratch` and asserts it is `world`: the same fields
/// but the core's, the same fingerprint, the same enabled steps and, after each, the same
/// outcome and fingerprint. (The shelf keeps one core of each hash: the core may be an equal
/// one of another layout.) Whether the core is `world`'s exactly.
fn assert_loads_as(
    shelf: &PackedWorlds,
    index: usize,
    scratch: &mut World,
    world: &World,
    config: &CheckConfig,
) -> bool {
    assert!(shelf.load(index, scratch), "state {index} loads");
    let (core, rest) = split_text(scratch);
    let (own_core, own_rest) = split_text(world);
    assert_eq!(rest, own_rest, "state {index}");
    assert_eq!(scratch.fingerprint(config), world.fingerprint(config));
    let (mut steps, mut own_steps) = (Vec::new(), Vec::new());
    scratch.enabled(config, &mut steps);
    world.enabled(config, &mut own_steps);
    assert_eq!(steps, own_steps, "state {index}");
    for step in &steps {
        let (mut next, mut own_next) = (scratch.clone(), world.clone());
        let outcome = next.take(config, step).map(|()| next.fingerprint(config));
        let own_outcome = own_next
            .take(config, step)
            .map(|()| own_next.fingerprint(config));
        assert_eq!(outcome, own_outcome, "state {index}, step {step}");
    }
    core == own_core
}

/// The search's shelf: states share their cores, and each loads as itself (up to the core's
/// layout) whether the scratch world's core was kept (the same core as the state loaded
/// before) or unpacked; after the scratch world took a transition (its core changed), and
/// after the shelf was cleared and refilled with other states at the same offsets.
#[test]
fn a_shelf_of_states_sharing_cores_loads_each_as_itself() {
    let config = &default_set()[1];
    let states = reachable(config, 3_000);
    let mut parents = PackedWorlds::default();
    for world in &states {
        parents.push(world);
    }
    // The successors of every state, made as the search makes them: the state loaded into a
    // scratch parent, each step taken on a copy of it.
    let mut scratch = World::new(config).expect("valid config");
    let mut next = scratch.clone();
    let mut steps = Vec::new();
    let mut shelf = PackedWorlds::default();
    let mut successors = Vec::new();
    let mut unshared = 0;
    let mut packed = Vec::new();
    for (index, world) in states.iter().enumerate() {
        assert_loads_as(&parents, index, &mut scratch, world, config);
        scratch.enabled(config, &mut steps);
        for step in &steps {
            next.clone_from(&scratch);
            if next.take(config, step).is_ok() {
                shelf.push(&next);
                packed.clear();
                next.pack(&mut packed);
                unshared += packed.len();
                successors.push(next.clone());
            }
        }
    }
    assert_eq!(shelf.len(), successors.len());
    let (bytes, core_bytes) = shelf.bytes();
    assert!(
        bytes * 10 < unshared * 9,
        "copies of a core share their bytes: {bytes} bytes ({core_bytes} of cores), {unshared} unshared"
    );
    // In order (consecutive states often hold copies of one core), then every third from the
    // end.
    let exact = (0..)
        .zip(&successors)
        .filter(|&(index, world)| assert_loads_as(&shelf, index, &mut scratch, world, config))
        .count();
    // Covered both ways: most come back with their own core, a few with an equal one.
    assert!(exact > 0 && exact < successors.len(), "{exact} exact");
    for index in (0..successors.len()).rev().step_by(3) {
        assert_loads_as(&shelf, index, &mut scratch, &successors[index], config);
    }
    // Each state twice, with a transition taken on the scratch world in between: the
    // second load must not keep a core the transition changed.
    let mut changed_cores = 0;
    for (index, world) in successors.iter().enumerate().step_by(5) {
        assert_loads_as(&shelf, index, &mut scratch, world, config);
        scratch.enabled(config, &mut steps);
        let before = split_text(&scratch).0;
        for step in &steps {
            if scratch.take(config, step).is_ok() && split_text(&scratch).0 != before {
                changed_cores += 1;
                break;
            }
        }
        assert_loads_as(&shelf, index, &mut scratch, world, config);
    }
    assert!(
        changed_cores > 100,
        "{changed_cores} cores changed in between"
    );
    // Refilled: the same offsets now hold other cores.
    shelf.clear();
    assert!(shelf.is_empty());
    for world in &states {
        shelf.push(world);
    }
    for (index, world) in states.iter().enumerate() {
        assert_loads_as(&shelf, index, &mut scratch, world, config);
    }
    assert!(!shelf.load(states.len(), &mut scratch), "no such state");
}
